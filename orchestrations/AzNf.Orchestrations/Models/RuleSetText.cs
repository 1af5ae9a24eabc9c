using System.Text.Json;

namespace AzNf.Orchestrations.Models;

/// <summary>
/// A chain file and the rule files it names, as text: what the RuleSet entity keeps and what its
/// <c>Replace</c> takes. <see cref="RuleFiles"/> is keyed by each stage's <c>rules</c> value exactly as
/// the chain file writes it (e.g. <c>../rules/ids.rules</c>).
/// </summary>
public sealed record RuleSetText(string ChainFileName, string ChainJson, IReadOnlyDictionary<string, string> RuleFiles)
{
    /// <summary>Reads a chain file and every rule file it names.</summary>
    public static RuleSetText FromChainFile(string path)
    {
        string json = File.ReadAllText(path);
        string folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var rules = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string relative in RuleFileNames(json))
        {
            rules[relative] = File.ReadAllText(Path.Combine(folder, relative));
        }
        return new RuleSetText(Path.GetFileName(path), json, rules);
    }

    /// <summary>The <c>rules</c> values of the chain's stages (a chain that is not valid JSON names none; loading it reports why).</summary>
    public static IReadOnlyList<string> RuleFileNames(string chainJson)
    {
        var names = new List<string>();
        try
        {
            using var document = JsonDocument.Parse(chainJson, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("stages", out var stages) && stages.ValueKind == JsonValueKind.Array)
            {
                foreach (var stage in stages.EnumerateArray())
                {
                    if (stage.ValueKind == JsonValueKind.Object && stage.TryGetProperty("rules", out var rules) && rules.ValueKind == JsonValueKind.String)
                    {
                        names.Add(rules.GetString()!);
                    }
                }
            }
        }
        catch (JsonException)
        {
            // The loader reports it, with the position.
        }
        return names;
    }
}
