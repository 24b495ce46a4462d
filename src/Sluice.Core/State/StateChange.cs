namespace Sluice.Core.State;

/// <summary>A committed change to shared state: its kind and the address, key id or template id it names.</summary>
public readonly record struct StateChange(StateChangeKind Kind, string Key);
