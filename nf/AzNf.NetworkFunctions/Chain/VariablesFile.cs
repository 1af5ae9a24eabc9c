using System.Globalization;

namespace AzNf.NetworkFunctions.Chain;

/// <summary>
/// A chain's <c>variablesFile</c>: rule variables in the form of Suricata's <c>suricata.yaml</c>
/// <c>vars</c> section, so one file can serve both engines:
/// <code>
/// vars:
///   address-groups:
///     HOME_NET: "[10.0.0.0/8]"
///   port-groups:
///     HTTP_PORTS: "80"
/// </code>
/// Only the <c>address-groups</c> and <c>port-groups</c> maps are read (<c>NAME: value</c>,
/// quoted or not; <c>#</c> comments); other keys of the file are skipped, so a whole
/// <c>suricata.yaml</c> may be named.
/// </summary>
public static class VariablesFile
{
    /// <exception cref="ConfigException">An entry in a group is not <c>NAME: value</c>; names <c>file:line</c>.</exception>
    public static Dictionary<string, string> Parse(RuleText file)
    {
        ArgumentNullException.ThrowIfNull(file);
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        string[] lines = file.Text.Split('\n');
        int groupIndent = -1;
        for (int i = 0; i < lines.Length; i++)
        {
            string raw = lines[i].TrimEnd('\r');
            string line = StripComment(raw).TrimEnd();
            if (line.Trim().Length == 0)
            {
                continue;
            }
            int indent = line.Length - line.TrimStart().Length;
            string content = line.Trim();
            if (content is "address-groups:" or "port-groups:")
            {
                groupIndent = indent;
                continue;
            }
            if (groupIndent < 0 || indent <= groupIndent)
            {
                groupIndent = -1;
                continue;
            }
            string where = $"{file.Name}:{(i + 1).ToString(CultureInfo.InvariantCulture)}";
            int colon = content.IndexOf(':', StringComparison.Ordinal);
            string name = colon < 0 ? "" : content[..colon].Trim();
            string value = colon < 0 ? "" : content[(colon + 1)..].Trim();
            if (value.Length >= 2 && (value[0] == '"' || value[0] == '\'') && value[^1] == value[0])
            {
                value = value[1..^1];
            }
            if (name.Length == 0 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') || value.Length == 0)
            {
                throw new ConfigException(where, "expected 'NAME: value' in an address or port group");
            }
            variables[name] = value;
        }
        return variables;
    }

    // '#' starts a comment outside quotes.
    private static string StripComment(string line)
    {
        char quote = '\0';
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quote != '\0')
            {
                quote = c == quote ? '\0' : quote;
            }
            else if (c is '"' or '\'')
            {
                quote = c;
            }
            else if (c == '#')
            {
                return line[..i];
            }
        }
        return line;
    }
}
