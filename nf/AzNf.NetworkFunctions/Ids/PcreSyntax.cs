using System.Text;

namespace AzNf.NetworkFunctions.Ids;

/// <summary>
/// Rewrites the PCRE constructs public rule sets use that .NET's regex spells differently, so
/// such rules load with their PCRE meaning: named groups <c>(?P&lt;n&gt;…)</c> and back-references
/// <c>(?P=n)</c>; possessive quantifiers (<c>x++</c>, <c>x*+</c>, <c>x{m,n}+</c>) as atomic groups
/// <c>(?&gt;x+)</c>, which is what they mean; <c>\_</c> (PCRE: a literal '_'); <c>\h</c>
/// (horizontal white space). Anything else is passed through for .NET to accept or refuse.
/// </summary>
internal static class PcreSyntax
{
    public static string ToDotNet(string pattern)
    {
        var output = new StringBuilder(pattern.Length + 8);
        var groupStarts = new Stack<int>();
        int lastAtom = -1;
        int i = 0;
        while (i < pattern.Length)
        {
            char c = pattern[i];
            int atomStart = output.Length;
            switch (c)
            {
                case '\\':
                    i = Escape(pattern, i, output, inClass: false);
                    lastAtom = atomStart;
                    continue;
                case '[':
                    i = CharacterClass(pattern, i, output);
                    lastAtom = atomStart;
                    continue;
                case '(':
                    groupStarts.Push(output.Length);
                    if (pattern.AsSpan(i).StartsWith("(?P<"))
                    {
                        output.Append("(?<");
                        i += 4;
                    }
                    else if (pattern.AsSpan(i).StartsWith("(?P="))
                    {
                        int close = pattern.IndexOf(')', i);
                        if (close < 0)
                        {
                            output.Append(pattern, i, pattern.Length - i);
                            return output.ToString();
                        }
                        groupStarts.Pop();
                        output.Append(@"\k<").Append(pattern, i + 4, close - i - 4).Append('>');
                        lastAtom = atomStart;
                        i = close + 1;
                    }
                    else
                    {
                        output.Append(c);
                        i++;
                    }
                    continue;
                case ')':
                    output.Append(c);
                    lastAtom = groupStarts.Count > 0 ? groupStarts.Pop() : -1;
                    i++;
                    continue;
                case '*' or '+' or '?' or '{':
                    int end = Quantifier(pattern, i);
                    if (end < 0)
                    {
                        output.Append(c);
                        lastAtom = atomStart;
                        i++;
                        continue;
                    }
                    if (end < pattern.Length && pattern[end] == '+' && lastAtom >= 0)
                    {
                        // Possessive: the atom and its quantifier become one atomic group.
                        output.Append(pattern, i, end - i);
                        output.Insert(lastAtom, "(?>");
                        output.Append(')');
                        i = end + 1;
                    }
                    else
                    {
                        output.Append(pattern, i, end - i);
                        i = end;
                    }
                    lastAtom = -1;
                    continue;
                default:
                    output.Append(c);
                    lastAtom = atomStart;
                    i++;
                    continue;
            }
        }
        return output.ToString();
    }

    /// <summary>The index after a quantifier starting at <paramref name="start"/> (with its lazy '?'), or -1 if '{' starts none.</summary>
    private static int Quantifier(string pattern, int start)
    {
        int i = start;
        if (pattern[i] == '{')
        {
            int close = pattern.IndexOf('}', i);
            if (close < 0)
            {
                return -1;
            }
            var body = pattern.AsSpan(i + 1, close - i - 1);
            foreach (char d in body)
            {
                if (!char.IsAsciiDigit(d) && d != ',')
                {
                    return -1;
                }
            }
            if (body.IsEmpty || body[0] == ',')
            {
                return -1;
            }
            i = close + 1;
        }
        else
        {
            i++;
        }
        return i < pattern.Length && pattern[i] == '?' ? i + 1 : i;
    }

    private static int Escape(string pattern, int i, StringBuilder output, bool inClass)
    {
        if (i + 1 >= pattern.Length)
        {
            output.Append('\\');
            return i + 1;
        }
        char next = pattern[i + 1];
        switch (next)
        {
            case '_':
                output.Append('_');
                break;
            case 'h':
                output.Append(inClass ? @"\t \xA0" : @"[\t \xA0]");
                break;
            default:
                output.Append('\\').Append(next);
                break;
        }
        return i + 2;
    }

    private static int CharacterClass(string pattern, int i, StringBuilder output)
    {
        output.Append('[');
        i++;
        if (i < pattern.Length && pattern[i] == '^')
        {
            output.Append('^');
            i++;
        }
        if (i < pattern.Length && pattern[i] == ']')
        {
            output.Append(@"\]");
            i++;
        }
        while (i < pattern.Length && pattern[i] != ']')
        {
            if (pattern[i] == '\\')
            {
                i = Escape(pattern, i, output, inClass: true);
                continue;
            }
            if (pattern[i] == '[' && i + 1 < pattern.Length && pattern[i + 1] == ':')
            {
                // POSIX classes ([:alpha:]) have no .NET spelling; pass through and let .NET refuse.
                output.Append(pattern[i]);
                i++;
                continue;
            }
            output.Append(pattern[i]);
            i++;
        }
        if (i < pattern.Length)
        {
            output.Append(']');
            i++;
        }
        return i;
    }
}
