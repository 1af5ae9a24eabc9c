using AzNf.NetworkFunctions.Chain;

namespace AzNf.NetworkFunctions.Ids;

/// <summary>
/// A <c>reference.config</c>: the URL prefix of each reference system (<c>url</c>, <c>cve</c>,
/// <c>bugtraq</c>, …), so that a rule's <c>reference:cve,2021-44228</c> becomes a link an analyst
/// can open.
/// </summary>
public static class ReferenceSystems
{
    /// <summary>
    /// Reads Suricata's <c>reference.config</c> format: <c>config reference: system prefix</c> per
    /// line, <c>#</c> comments; system names are case-insensitive. A line that is not that stops
    /// the load naming <c>file:line</c>; a later line for the same system wins, as in Suricata.
    /// </summary>
    /// <exception cref="ConfigException">A line is malformed.</exception>
    public static IReadOnlyDictionary<string, string> Parse(RuleText file)
    {
        ArgumentNullException.ThrowIfNull(file);
        var systems = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (where, value) in SuricataConfigLines.Read(file, "config reference:"))
        {
            string[] parts = value?.Split((char[]?)null, 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
            if (parts.Length != 2 || !IsSystemName(parts[0]))
            {
                throw new ConfigException(where, "expected 'config reference: system url-prefix' (a system name of letters, digits, '-' and '_')");
            }
            systems[parts[0]] = parts[1];
        }
        return systems;
    }

    private static bool IsSystemName(string name) =>
        name.Length > 0 && char.IsAsciiLetter(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}
