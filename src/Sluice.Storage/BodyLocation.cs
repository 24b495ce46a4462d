namespace Sluice.Storage;

/// <summary>Where a large body sits: its segment file's number and the byte it starts at.</summary>
internal readonly record struct BodyLocation(long Segment, long Offset);
