namespace AzNf.NetworkFunctions;

/// <summary>What a network function decided about one packet.</summary>
public enum VerdictAction : byte
{
    Forward = 0,
    Drop = 1,
}

/// <summary>
/// A network function's decision. <see cref="Reason"/> is a short constant (never built per
/// packet) naming why a packet was dropped, e.g. <c>rule:12</c> or <c>conntrack-invalid</c>.
/// </summary>
public readonly record struct Verdict(VerdictAction Action, string? Reason)
{
    public static Verdict Forward => default;

    public static Verdict Drop(string reason) => new(VerdictAction.Drop, reason);

    public bool IsDrop => Action == VerdictAction.Drop;
}
