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

    public bool IsRelative => Distance.HasValue || Within.HasValue || RegexRelative || (Bytes?.Relative ?? false);

    public bool IsContent => Pattern is not null;

    /// <summary>For <c>isdataat</c>, <c>byte_test</c> and <c>byte_jump</c>: what they check; null for a content or pcre.</summary>
    public IdsByteCheck? Bytes { get; internal set; }
}

/// <summary>The kind of an <see cref="IdsByteCheck"/>.</summary>
public enum IdsByteCheckKind : byte
{
    /// <summary><c>isdataat</c>: data exists at the position (negated: does not).</summary>
    IsDataAt,
    /// <summary><c>byte_test</c>: the number read at the position compares true with the value.</summary>
    ByteTest,
    /// <summary><c>byte_jump</c>: the number read at the position moves the relative anchor.</summary>
    ByteJump,
}

/// <summary>
/// <c>isdataat</c>, <c>byte_test</c> or <c>byte_jump</c> (Suricata 7 semantics): a position
/// (<see cref="Offset"/> from the buffer start, or from the previous match with
/// <see cref="Relative"/>), and for the byte keywords a number of <see cref="Count"/> bytes read
/// there, big or little endian, or as text in a base (<c>string,dec|hex|oct</c>), masked by
/// <see cref="Bitmask"/> (and shifted down past its low zero bits).
/// </summary>
public sealed record IdsByteCheck
{
    public required IdsByteCheckKind Kind { get; init; }

    public required int Offset { get; init; }

    public bool Relative { get; init; }

    /// <summary>Bytes to read (binary: 1–8; string: 1–20).</summary>
    public int Count { get; init; }

    public bool LittleEndian { get; init; }

    /// <summary>0 for binary, else the text base (8, 10, 16).</summary>
    public int StringBase { get; init; }

    public ulong? Bitmask { get; init; }

    /// <summary>byte_test: <c>&lt; &gt; = &lt;= &gt;= &amp; ^</c>.</summary>
    public string Operator { get; init; } = "=";

    /// <summary>byte_test: the operator's result is negated (<c>!op</c>, <c>!=</c>).</summary>
    public bool NegateOperator { get; init; }

    public ulong Value { get; init; }

    /// <summary>byte_jump: the read number times this.</summary>
    public int Multiplier { get; init; } = 1;

    /// <summary>byte_jump: added after the jump.</summary>
    public int PostOffset { get; init; }

    /// <summary>byte_jump: round the jump up to a multiple of 4.</summary>
    public bool Align { get; init; }

    /// <summary>byte_jump: jump from the buffer start instead of the end of the bytes read.</summary>
    public bool FromBeginning { get; init; }

    /// <summary>byte_jump: jump from the buffer end.</summary>
    public bool FromEnd { get; init; }

    /// <summary>Reads the number at <paramref name="at"/>; false when the bytes are not there or not a number in the base.</summary>
    public bool TryRead(ReadOnlySpan<byte> buffer, long at, out ulong value)
    {
        value = 0;
        if (at < 0 || at + Count > buffer.Length)
        {
            return false;
        }
        var bytes = buffer.Slice((int)at, Count);
        if (StringBase != 0)
        {
            foreach (byte b in bytes)
            {
                int digit = b is >= (byte)'0' and <= (byte)'9' ? b - '0'
                    : b is >= (byte)'a' and <= (byte)'f' ? b - 'a' + 10
                    : b is >= (byte)'A' and <= (byte)'F' ? b - 'A' + 10
                    : 99;
                if (digit >= StringBase)
                {
                    return false;
                }
                value = unchecked((value * (ulong)StringBase) + (ulong)digit);
            }
        }
        else
        {
            for (int i = 0; i < Count; i++)
            {
                value = (value << 8) | bytes[LittleEndian ? Count - 1 - i : i];
            }
        }
        if (Bitmask is { } mask)
        {
            value &= mask;
            if (mask != 0)
            {
                value >>= System.Numerics.BitOperations.TrailingZeroCount(mask);
            }
        }
        return true;
    }

    /// <summary>byte_test's comparison of the read number with <see cref="Value"/>.</summary>
    public bool Compare(ulong read)
    {
        bool result = Operator switch
        {
            "<" => read < Value,
            ">" => read > Value,
            "<=" => read <= Value,
            ">=" => read >= Value,
            "&" => (read & Value) != 0,
            "^" => (read ^ Value) != 0,
            _ => read == Value,
        };
        return result != NegateOperator;
    }
}
