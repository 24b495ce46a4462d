namespace Sluice.Core.Events;

/// <summary>A message as a Reception event introduces it to the index (times in Unix milliseconds; <see cref="Tags"/> as <see cref="IndexTags"/> joins them).</summary>
public sealed record IndexMessageRow(string Id, long ReceivedAt, string Sender, string SenderDomain, string? Subject, string Tags, long Size, string? Credential);
