using System.Globalization;
using AzNf.NetworkFunctions.Chain;

namespace AzNf.NetworkFunctions.Ids;

/// <summary>One classtype of a <c>classification.config</c>: its description (the alert's category) and priority.</summary>
public sealed record Classification(string Name, string Description, int Priority)
{
    /// <summary>
    /// Reads Suricata's <c>classification.config</c> format: <c>config classification:
    /// name,description,priority</c> per line, <c>#</c> comments. A line that is not that stops the
    /// load naming <c>file:line</c>; a later line for the same name wins, as in Suricata.
    /// </summary>
    /// <exception cref="ConfigException">A line is malformed.</exception>
    public static IReadOnlyDictionary<string, Classification> Parse(RuleText file)
    {
        ArgumentNullException.ThrowIfNull(file);
        var classes = new Dictionary<string, Classification>(StringComparer.Ordinal);
        string[] lines = file.Text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }
            string where = $"{file.Name}:{(i + 1).ToString(CultureInfo.InvariantCulture)}";
            const string prefix = "config classification:";
            if (!line.StartsWith(prefix, StringComparison.Ordinal))
            {
                throw new ConfigException(where, "expected 'config classification: name,description,priority'");
            }
            string[] parts = line[prefix.Length..].Split(',', StringSplitOptions.TrimEntries);
            if (parts.Length != 3 || parts[0].Length == 0
                || !int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out int priority) || priority is < 1 or > 255)
            {
                throw new ConfigException(where, "expected 'config classification: name,description,priority' with a priority of 1 to 255");
            }
            classes[parts[0]] = new Classification(parts[0], parts[1], priority);
        }
        return classes;
    }
}
