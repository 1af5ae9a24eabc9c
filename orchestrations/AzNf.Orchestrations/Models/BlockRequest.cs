namespace AzNf.Orchestrations.Models;

/// <summary>The input of the blocklist's <c>Block</c>: block <paramref name="Address"/> until <paramref name="UntilUtc"/>.</summary>
public sealed record BlockRequest(string Address, DateTime UntilUtc, string Reason);
