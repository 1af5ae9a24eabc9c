namespace AzNf.NetworkFunctions.Chain;

/// <summary>
/// Where a chain's rule files come from: a folder on disk (the chain file's, for the command
/// line) or rule texts held by name (a rule set kept in a durable entity). Loading a chain never
/// writes a file.
/// </summary>
public abstract class RuleSource
{
    /// <summary>Rule files resolved against <paramref name="directory"/>.</summary>
    public static RuleSource Folder(string directory) => new FolderSource(directory);

    /// <summary>Rule texts by the name a stage's <c>rules</c> gives.</summary>
    public static RuleSource Texts(IReadOnlyDictionary<string, string> texts) => new TextSource(texts);

    /// <summary>The rules a stage names <paramref name="name"/>, declared at <paramref name="location"/>.</summary>
    /// <exception cref="ConfigException">They cannot be had; the message names the file or the stage.</exception>
    public abstract RuleText Read(string name, string location);

    private sealed class FolderSource(string directory) : RuleSource
    {
        public override RuleText Read(string name, string location)
        {
            string path = Path.GetFullPath(Path.Combine(directory, name));
            try
            {
                return new RuleText(path, File.ReadAllText(path));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                throw new ConfigException(path, $"cannot read the rule file: {e.Message}", e);
            }
        }
    }

    private sealed class TextSource(IReadOnlyDictionary<string, string> texts) : RuleSource
    {
        public override RuleText Read(string name, string location) =>
            texts.TryGetValue(name, out string? text)
                ? new RuleText(name, text)
                : throw new ConfigException($"{location}.rules", $"rule file '{name}' is not in the rule set (it holds: {string.Join(", ", texts.Keys.Order(StringComparer.Ordinal))})");
    }
}

/// <summary>A stage's rules: the name messages use (a path, or the name in a rule set) and the text.</summary>
public sealed record RuleText(string Name, string Text);
