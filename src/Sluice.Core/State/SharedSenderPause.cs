namespace Sluice.Core.State;

/// <summary>A sender's pause as the cluster's nodes share it: the sender's written key (<c>domain:…</c>, <c>tag:…</c>, <c>key:…</c>), its span, cause name and reason.</summary>
public sealed record SharedSenderPause(string Sender, DateTimeOffset Since, DateTimeOffset Until, string Cause, string Reason);
