using System.Text.RegularExpressions;

namespace AzNf.NetworkFunctions.Ids;

/// <summary>
/// One payload condition of a rule, in rule order: a <c>content</c> with its modifiers, or a
/// <c>pcre</c>. Relative checks (<c>distance</c>, <c>within</c>, pcre <c>R</c>) are anchored
/// at the end of the previous positive match, as in Suricata.
/// </summary>
public sealed class IdsPayloadCheck
{
    /// <summary>The literal bytes (lower-cased when <see cref="NoCase"/>); null for a pcre.</summary>
    public byte[]? Pattern { get; internal set; }

    public bool NoCase { get; internal set; }

    /// <summary>The buffer this check inspects (a sticky buffer, a legacy modifier or a pcre flag chose it).</summary>
    public IdsBuffer Buffer { get; internal set; }

    /// <summary><c>endswith</c>: the match must end where the buffer ends.</summary>
    public bool EndsWith { get; internal set; }

    public bool Negated { get; internal set; }

    public bool FastPattern { get; internal set; }

    public int? Offset { get; internal set; }

    public int? Depth { get; internal set; }

    public int? Distance { get; internal set; }

    public int? Within { get; internal set; }

    /// <summary>The compiled pcre (with the definition's match timeout); null for a content.</summary>
    public Regex? Regex { get; internal set; }

    /// <summary>Pcre <c>R</c>: match from the end of the previous match.</summary>
    public bool RegexRelative { get; internal set; }

    public bool IsRelative => Distance.HasValue || Within.HasValue || RegexRelative;

    public bool IsContent => Pattern is not null;
}
