using System.Text;
using System.Text.Json;
using AzNf.NetworkFunctions.Chain;
using AzNf.Orchestrations.Models;
using AzNf.Packets.Parsing;

namespace AzNf.Orchestrations.Chains;

/// <summary>
/// Builds a <see cref="ChainDefinition"/> from a rule set kept as text, with blocked addresses
/// denied by every firewall stage. The NF loaders read rule files from disk, so the texts are
/// written to a private temporary folder for the load and removed after it; error messages name
/// the files as the chain file does, not the temporary folder.
/// </summary>
public static class ChainCompiler
{
    /// <summary>Loads <paramref name="text"/>; a chain or rule file that cannot be used throws the loader's <see cref="ConfigException"/>.</summary>
    public static ChainDefinition Compile(RuleSetText text, IEnumerable<string> blockedAddresses)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(blockedAddresses);
        string root = Path.Combine(Path.GetTempPath(), "aznf-rules-" + Guid.NewGuid().ToString("N"));
        // Rule paths such as "../rules/x.rules" climb out of the chain's folder: give them room.
        string chainFolder = Path.Combine(root, "a", "b", "c");
        Directory.CreateDirectory(chainFolder);
        try
        {
            var firewallRules = FirewallRuleFiles(text.ChainJson);
            string denyLine = DenyLine(blockedAddresses);
            var written = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (relative, rules) in text.RuleFiles)
            {
                string path = Path.GetFullPath(Path.Combine(chainFolder, relative));
                if (!path.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                {
                    throw new ConfigException($"{text.ChainFileName}: rules", $"rule file '{relative}' lies outside the rule set");
                }
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                written[path] = relative;
                File.WriteAllText(path, firewallRules.Contains(relative) ? denyLine + rules : rules);
            }
            try
            {
                return ChainDefinition.Parse(text.ChainJson, text.ChainFileName, chainFolder);
            }
            catch (ConfigException e)
            {
                string message = e.Message.StartsWith(e.Where + ": ", StringComparison.Ordinal) ? e.Message[(e.Where.Length + 2)..] : e.Message;
                throw new ConfigException(AsWritten(e.Where, written, root), AsWritten(message, written, root), e);
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>
    /// One deny rule on the first line, ahead of everything (first match wins). It is added only
    /// when something is blocked, so without a blocklist the rule lines (and the
    /// <c>firewall:rule:N</c> drop reasons) are those of the file; with one, they shift by one.
    /// </summary>
    private static string DenyLine(IEnumerable<string> blockedAddresses)
    {
        var addresses = blockedAddresses.Where(a => NetAddress.TryParse(a, out _)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        return addresses.Count == 0 ? "" : $"deny ip from [{string.Join(',', addresses)}] to any # blocklist\n";
    }

    private static HashSet<string> FirewallRuleFiles(string chainJson)
    {
        var files = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            using var document = JsonDocument.Parse(chainJson, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("stages", out var stages) && stages.ValueKind == JsonValueKind.Array)
            {
                foreach (var stage in stages.EnumerateArray())
                {
                    if (stage.ValueKind == JsonValueKind.Object
                        && stage.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String && type.GetString() == "firewall"
                        && stage.TryGetProperty("rules", out var rules) && rules.ValueKind == JsonValueKind.String)
                    {
                        files.Add(rules.GetString()!);
                    }
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON: the loader reports where.
        }
        return files;
    }

    /// <summary>Names each rule file as the chain file writes it, not by its temporary path.</summary>
    private static string AsWritten(string text, Dictionary<string, string> written, string root)
    {
        var builder = new StringBuilder(text);
        foreach (var (path, relative) in written.OrderByDescending(w => w.Key.Length))
        {
            builder.Replace(path, relative);
        }
        builder.Replace(root + Path.DirectorySeparatorChar, "");
        return builder.ToString();
    }
}
