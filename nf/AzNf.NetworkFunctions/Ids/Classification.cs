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
        foreach (var (where, value) in SuricataConfigLines.Read(file, "config classification:"))
        {
            string[] parts = value?.Split(',', StringSplitOptions.TrimEntries) ?? [];
            if (parts.Length != 3 || parts[0].Length == 0
                || !int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out int priority) || priority is < 1 or > 255)
            {
                throw new ConfigException(where, value is null
                    ? "expected 'config classification: name,description,priority'"
                    : "expected 'config classification: name,description,priority' with a priority of 1 to 255");
            }
            classes[parts[0]] = new Classification(parts[0], parts[1], priority);
        }
        return classes;
    }
}
