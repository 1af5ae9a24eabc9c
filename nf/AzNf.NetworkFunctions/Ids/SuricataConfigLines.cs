using System.Globalization;
using AzNf.NetworkFunctions.Chain;

namespace AzNf.NetworkFunctions.Ids;

/// <summary>The lines of a Suricata side file such as <c>classification.config</c> or <c>reference.config</c>.</summary>
internal static class SuricataConfigLines
{
    /// <summary>
    /// Each line that is neither blank nor a <c>#</c> comment, with its <c>file:line</c>, and the
    /// trimmed text after <paramref name="prefix"/> (null when the line does not start with it).
    /// </summary>
    public static IEnumerable<(string Where, string? Value)> Read(RuleText file, string prefix)
    {
        string[] lines = file.Text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }
            string where = $"{file.Name}:{(i + 1).ToString(CultureInfo.InvariantCulture)}";
            yield return (where, line.StartsWith(prefix, StringComparison.Ordinal) ? line[prefix.Length..].Trim() : null);
        }
    }
}
