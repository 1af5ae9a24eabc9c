using System.Text;
using System.Text.RegularExpressions;

namespace AzNf.NetworkFunctions.Ids;

/// <summary>
/// Checks a rule's payload conditions against one inspection buffer (a packet payload or a
/// stretch of reassembled stream), Suricata-style: each content takes its first acceptable
/// occurrence, and when a later relative condition fails the earlier content is retried at its
/// next occurrence, up to a step budget (Suricata's <c>inspection-recursion-limit</c>).
/// One per partition instance: it owns the char view regexes need, so it allocates nothing.
/// </summary>
internal sealed class PayloadInspector(int maxBufferLength, int stepBudget)
{
    // Grows (rarely: an HTTP body larger than any stream buffer) and is kept.
    private char[] _chars = new char[maxBufferLength];
    private int _charsValidFor = -1;
    private int _steps;
    private int _bufferVersion;

    /// <summary>Call when the buffer content changes, so the char view is rebuilt on demand.</summary>
    public void NewBuffer() => _bufferVersion++;

    /// <summary>
    /// True when every payload check of <paramref name="rule"/> holds in <paramref name="buffer"/>.
    /// </summary>
    /// <param name="rule">The rule whose payload checks are tried in order.</param>
    /// <param name="buffer">The bytes to inspect.</param>
    /// <param name="streamBase">Stream offset of <c>buffer[0]</c>: offset/depth are absolute stream positions.</param>
    /// <param name="minEnd">A match must reach past this index (bytes before it were inspected already).</param>
    /// <exception cref="RegexMatchTimeoutException">A pcre ran past its timeout; the caller counts it.</exception>
    public bool Matches(IdsRule rule, ReadOnlySpan<byte> buffer, long streamBase, int minEnd) =>
        Matches(rule.Checks, buffer, streamBase, minEnd);

    /// <summary>True when every check of <paramref name="checks"/> holds in <paramref name="buffer"/> (an HTTP buffer: stream base 0).</summary>
    public bool Matches(IdsPayloadCheck[] checks, ReadOnlySpan<byte> buffer, long streamBase = 0, int minEnd = 0)
    {
        _steps = stepBudget;
        return MatchFrom(checks, 0, buffer, streamBase, 0, minEnd, -1);
    }

    private bool MatchFrom(IdsPayloadCheck[] checks, int index, ReadOnlySpan<byte> buffer, long streamBase, int prevEnd, int minEnd, int maxEnd)
    {
        if (index == checks.Length)
        {
            return minEnd <= 0 || maxEnd > minEnd;
        }
        if (--_steps < 0)
        {
            return false;
        }
        var check = checks[index];
        if (check.Bytes is { } bytes)
        {
            return MatchBytes(checks, index, bytes, check.Negated, buffer, streamBase, prevEnd, minEnd, maxEnd);
        }
        if (!check.IsContent)
        {
            return MatchRegex(checks, index, check, buffer, streamBase, prevEnd, minEnd, maxEnd);
        }

        var pattern = check.Pattern!;
        long start, limit;
        if (check.IsRelative)
        {
            start = prevEnd + (check.Distance ?? 0);
            limit = check.Within.HasValue ? prevEnd + (check.Distance ?? 0) + check.Within.Value : buffer.Length;
        }
        else
        {
            start = (check.Offset ?? 0) - streamBase;
            limit = check.Depth.HasValue ? (check.Offset ?? 0) + check.Depth.Value - streamBase : buffer.Length;
        }
        start = Math.Max(start, 0);
        limit = Math.Min(limit, buffer.Length);
        if (check.EndsWith)
        {
            // The match must end at the buffer's end: only one position is left to try.
            if (limit < buffer.Length)
            {
                return check.Negated && MatchFrom(checks, index + 1, buffer, streamBase, prevEnd, minEnd, maxEnd);
            }
            start = Math.Max(start, buffer.Length - pattern.Length);
        }

        if (check.Negated)
        {
            if (start <= limit && IndexOf(buffer[(int)start..(int)limit], pattern, check.NoCase) >= 0)
            {
                return false;
            }
            return MatchFrom(checks, index + 1, buffer, streamBase, prevEnd, minEnd, maxEnd);
        }

        bool retryable = index + 1 < checks.Length && checks[index + 1].IsRelative;
        while (start + pattern.Length <= limit)
        {
            int found = IndexOf(buffer[(int)start..(int)limit], pattern, check.NoCase);
            if (found < 0)
            {
                return false;
            }
            int end = (int)start + found + pattern.Length;
            if (MatchFrom(checks, index + 1, buffer, streamBase, end, minEnd, Math.Max(maxEnd, end)))
            {
                return true;
            }
            if (!retryable || _steps < 0)
            {
                return false;
            }
            start += found + 1;
        }
        return false;
    }

    // isdataat, byte_test, byte_jump: positions are buffer offsets, or from the previous match when relative.
    private bool MatchBytes(IdsPayloadCheck[] checks, int index, IdsByteCheck bytes, bool negated, ReadOnlySpan<byte> buffer, long streamBase, int prevEnd, int minEnd, int maxEnd)
    {
        long at = (bytes.Relative ? prevEnd : -streamBase) + bytes.Offset;
        switch (bytes.Kind)
        {
            case IdsByteCheckKind.IsDataAt:
                // Suricata: relative means "at least N bytes follow the previous match" (at <= length),
                // absolute "a byte exists at offset N" (at < length).
                bool present = at >= 0 && (bytes.Relative ? at <= buffer.Length : at < buffer.Length);
                return present != negated && MatchFrom(checks, index + 1, buffer, streamBase, prevEnd, minEnd, maxEnd);
            case IdsByteCheckKind.ByteTest:
                return bytes.TryRead(buffer, at, out ulong value) && bytes.Compare(value)
                    && MatchFrom(checks, index + 1, buffer, streamBase, prevEnd, minEnd, maxEnd);
            default:
                if (!bytes.TryRead(buffer, at, out ulong jump))
                {
                    return false;
                }
                long distance = (long)Math.Min(jump, int.MaxValue) * bytes.Multiplier;
                if (bytes.Align)
                {
                    distance = (distance + 3) & ~3L;
                }
                long from = bytes.FromBeginning ? -streamBase : bytes.FromEnd ? buffer.Length : at + bytes.Count;
                long target = from + distance + bytes.PostOffset;
                if (target < 0 || target > buffer.Length)
                {
                    return false;
                }
                return MatchFrom(checks, index + 1, buffer, streamBase, (int)target, minEnd, Math.Max(maxEnd, (int)target));
        }
    }

    private bool MatchRegex(IdsPayloadCheck[] checks, int index, IdsPayloadCheck check, ReadOnlySpan<byte> buffer, long streamBase, int prevEnd, int minEnd, int maxEnd)
    {
        int start = check.RegexRelative ? prevEnd : 0;
        if (start > buffer.Length)
        {
            return false;
        }
        if (_charsValidFor != _bufferVersion)
        {
            if (buffer.Length > _chars.Length)
            {
                _chars = new char[buffer.Length];
            }
            // Latin-1 maps each byte to the char of the same value, so \xNN in a pattern means byte NN.
            Encoding.Latin1.GetChars(buffer, _chars);
            _charsValidFor = _bufferVersion;
        }
        // Suricata hands PCRE the buffer from the previous match's end (R), so '^' anchors there.
        var text = _chars.AsSpan(start, buffer.Length - start);
        foreach (var match in check.Regex!.EnumerateMatches(text))
        {
            if (check.Negated)
            {
                return false;
            }
            int end = start + match.Index + match.Length;
            return MatchFrom(checks, index + 1, buffer, streamBase, end, minEnd, Math.Max(maxEnd, end));
        }
        return check.Negated && MatchFrom(checks, index + 1, buffer, streamBase, prevEnd, minEnd, maxEnd);
    }

    private static int IndexOf(ReadOnlySpan<byte> haystack, ReadOnlySpan<byte> pattern, bool noCase)
    {
        if (!noCase)
        {
            return haystack.IndexOf(pattern);
        }
        // Patterns are stored lower-cased; find the first byte in either case, then compare.
        byte first = pattern[0];
        byte firstUpper = first is >= (byte)'a' and <= (byte)'z' ? (byte)(first & 0xDF) : first;
        int offset = 0;
        while (offset + pattern.Length <= haystack.Length)
        {
            int at = haystack[offset..^(pattern.Length - 1)].IndexOfAny(first, firstUpper);
            if (at < 0)
            {
                return -1;
            }
            int candidate = offset + at;
            if (Ascii.EqualsIgnoreCase(haystack.Slice(candidate, pattern.Length), pattern))
            {
                return candidate;
            }
            offset = candidate + 1;
        }
        return -1;
    }
}
