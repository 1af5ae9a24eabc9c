namespace AzNf.Orchestrations.Models;

/// <summary>
/// The chain's verdict on one packet. <paramref name="MarkedBy"/> names the stage (or <c>chain</c>)
/// whose missed deadline decided it under a fail-open, fail-closed or skip policy; null when every stage ran.
/// </summary>
public sealed record PacketVerdict(long SequenceNumber, int PositionInEvent, bool Forwarded, string? Reason, string? MarkedBy);
