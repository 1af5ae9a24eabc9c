namespace AzNf.Orchestrations.Models;

/// <summary>A step's verdict on one packet: dropped (with the stage's reason) or forwarded.</summary>
public sealed record StepVerdict(bool Dropped, string? Reason);
