using System.Net;
using System.Text.Json;
using AzNf.NetworkFunctions.Chain;
using AzNf.Orchestrations.Chains;
using AzNf.Orchestrations.Models;

namespace AzNf.Functions.Http;

/// <summary>
/// Reads and checks what the control API is sent, before anything reaches the task hub: every
/// refusal is a 4xx with a reason naming the part of the request at fault.
/// </summary>
public static class ControlRequests
{
    /// <summary>Longest flow key accepted (the longest real one, two IPv6 endpoints, is about 100 characters).</summary>
    public const int MaxFlowKeyLength = 200;

    private static readonly JsonDocumentOptions DocumentOptions = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, MaxDepth = 32 };

    /// <summary>
    /// A rule replacement: <c>{"chain": {…chain file…}, "rules": {"fw.rules": "…", …}, "chainFileName": "optional"}</c>.
    /// The chain must keep <paramref name="running"/>'s name and stages (changing those is a new
    /// deployment); every rule file it names must be given and must load. Rules the loaders skip
    /// (an IDS rule with an unsupported keyword) come back in <paramref name="warnings"/>, each
    /// with its file and line.
    /// </summary>
    public static ApiError? ParseRules(byte[] body, ChainDefinition running, out RuleSetText? text, out IReadOnlyList<ConfigWarning> warnings)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(running);
        text = null;
        warnings = [];
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, DocumentOptions);
        }
        catch (JsonException e)
        {
            return BadRequest("malformed JSON", $"body: {e.Message}");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return BadRequest("malformed request", "body: expected an object with 'chain' and 'rules'");
            }
            if (!root.TryGetProperty("chain", out var chain) || chain.ValueKind is not (JsonValueKind.Object or JsonValueKind.String))
            {
                return BadRequest("malformed request", "chain: missing (the chain file, as an object or a string)");
            }
            string chainJson = chain.ValueKind == JsonValueKind.String ? chain.GetString()! : chain.GetRawText();
            var rules = new Dictionary<string, string>(StringComparer.Ordinal);
            if (root.TryGetProperty("rules", out var ruleFiles))
            {
                if (ruleFiles.ValueKind != JsonValueKind.Object)
                {
                    return BadRequest("malformed request", "rules: expected an object of file name → rule text");
                }
                foreach (var file in ruleFiles.EnumerateObject())
                {
                    if (file.Value.ValueKind != JsonValueKind.String)
                    {
                        return BadRequest("malformed request", $"rules.{file.Name}: expected the rule file's text as a string");
                    }
                    rules[file.Name] = file.Value.GetString()!;
                }
            }
            string fileName = root.TryGetProperty("chainFileName", out var name) && name.ValueKind == JsonValueKind.String ? name.GetString()! : Path.GetFileName(running.Source);
            foreach (string needed in RuleSetText.RuleFileNames(chainJson))
            {
                if (!rules.ContainsKey(needed))
                {
                    return BadRequest("missing rule file", $"rules: the chain names '{needed}', which the request does not give");
                }
            }

            var candidate = new RuleSetText(fileName, chainJson, rules);
            ChainDefinition compiled;
            try
            {
                compiled = ChainCompiler.Compile(candidate, []);
            }
            catch (ConfigException e)
            {
                return BadRequest("invalid chain or rules", e.Message);
            }
            if (compiled.Name != running.Name)
            {
                return BadRequest("chain mismatch", $"chain.name: '{compiled.Name}' is not the running chain '{running.Name}'");
            }
            var stages = compiled.Stages.Select(s => s.Name).ToList();
            var runningStages = running.Stages.Select(s => s.Name).ToList();
            if (!stages.SequenceEqual(runningStages, StringComparer.Ordinal))
            {
                return BadRequest("chain mismatch", $"chain.stages: [{string.Join(", ", stages)}] differ from the running [{string.Join(", ", runningStages)}]; a new stage list is a new deployment ({Settings.FunctionsSettings.ChainFileSetting})");
            }
            text = candidate;
            warnings = compiled.Diagnostics.Warnings;
            return null;
        }
    }

    /// <summary>A flow key as the report and the entities write it, e.g. <c>tcp 10.0.0.1:1234 &lt;-&gt; 10.0.0.2:80</c>.</summary>
    public static ApiError? CheckFlowKey(string? key)
    {
        if (string.IsNullOrWhiteSpace(key))
        {
            return BadRequest("missing flow key", "query 'key': give the flow key, e.g. ?key=tcp 10.0.0.1:1234 <-> 10.0.0.2:80 (URL-encoded)");
        }
        if (key.Length > MaxFlowKeyLength || key.Any(char.IsControl))
        {
            return BadRequest("malformed flow key", $"query 'key': longer than {MaxFlowKeyLength} characters or holds control characters");
        }
        return null;
    }

    /// <summary>The route's chain name against the one this app runs.</summary>
    public static ApiError? CheckChain(string routeChain, ChainDefinition running)
    {
        ArgumentNullException.ThrowIfNull(running);
        return string.Equals(routeChain, running.Name, StringComparison.Ordinal)
            ? null
            : new ApiError(HttpStatusCode.NotFound, "unknown chain", $"route: this app runs chain '{running.Name}', not '{routeChain}'");
    }

    private static ApiError BadRequest(string error, string detail) => new(HttpStatusCode.BadRequest, error, detail);
}
