namespace AzNf.NetworkFunctions.Ids;

/// <summary>
/// The checks of one rule on one HTTP buffer, in rule order (relative keywords are relative within
/// the buffer), with the buffer's length condition (<c>bsize</c>, or <c>urilen</c> on the URI).
/// </summary>
public sealed class IdsBufferChecks
{
    public required IdsBuffer Buffer { get; init; }

    public IReadOnlyList<IdsPayloadCheck> PayloadChecks => Checks;

    internal IdsPayloadCheck[] Checks { get; set; } = [];

    /// <summary>Transforms applied to the buffer before its checks (<c>dotprefix</c>, <c>to_lowercase</c>, …), in rule order.</summary>
    public IReadOnlyList<IdsTransform> Transforms => TransformArray;

    internal IdsTransform[] TransformArray { get; set; } = [];

    /// <summary>Inclusive bounds on the buffer's length; null when the rule has none.</summary>
    /// <remarks>A buffer the transaction does not have (no such header) matches nothing, negated checks included, as in Suricata.</remarks>
    public (int Min, int Max)? Length { get; internal set; }
}
