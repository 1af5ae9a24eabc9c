using System.Text.Json;
using System.Text.RegularExpressions;

namespace AzNf.Infra.Tests;

/// <summary>
/// Reads a compiled ARM template (the output of `bicep build`): every resource across the nested
/// module templates, and the tracing of a value that is only `[parameters('x')]` back through the
/// module boundaries to where it is really set.
/// </summary>
public sealed partial class ArmTemplate
{
    private readonly List<ArmResource> _resources = [];

    /// <summary>Parses the compiled JSON.</summary>
    public ArmTemplate(string json)
    {
        Json = json;
        Root = JsonDocument.Parse(json).RootElement;
        TopLevel = new ArmTemplateScope(Root, null, null);
        Collect(TopLevel);
    }

    /// <summary>The compiled JSON text.</summary>
    public string Json { get; }

    /// <summary>The top-level template object.</summary>
    public JsonElement Root { get; }

    /// <summary>The top-level template.</summary>
    public ArmTemplateScope TopLevel { get; }

    /// <summary>Every resource, the modules' included.</summary>
    public IReadOnlyList<ArmResource> Resources => _resources;

    /// <summary>Resources of one type (case-insensitive, as ARM compares types).</summary>
    public IReadOnlyList<ArmResource> OfType(string type) =>
        [.. _resources.Where(resource => string.Equals(resource.Type, type, StringComparison.OrdinalIgnoreCase))];

    /// <summary>The one resource of a type; fails if there is none or several.</summary>
    public ArmResource Single(string type)
    {
        IReadOnlyList<ArmResource> found = OfType(type);
        return found.Count == 1 ? found[0] : throw new InvalidOperationException($"expected one {type}, found {found.Count}");
    }

    /// <summary>A top-level parameter declaration (type, defaultValue, minValue, ...).</summary>
    public JsonElement Parameter(string name) => Root.GetProperty("parameters").GetProperty(name);

    /// <summary>
    /// Follows <paramref name="value"/> while it is exactly `[parameters('x')]` inside a module: to
    /// the value the module's deployment passes for x (or x's default when none is passed). Stops
    /// at a literal, at any other expression, or at a top-level parameter reference.
    /// </summary>
    public static (JsonElement Value, ArmTemplateScope Scope) Resolve(JsonElement value, ArmTemplateScope scope)
    {
        while (value.ValueKind == JsonValueKind.String
            && ParameterReference().Match(value.GetString()!) is { Success: true } reference
            && scope.Deployment is { } deployment)
        {
            string name = reference.Groups[1].Value;
            if (deployment.GetProperty("properties").GetProperty("parameters").TryGetProperty(name, out JsonElement passed))
            {
                value = passed.GetProperty("value");
                scope = scope.Parent!;
            }
            else
            {
                value = scope.Template.GetProperty("parameters").GetProperty(name).GetProperty("defaultValue");
            }
        }
        return (value, scope);
    }

    /// <summary><see cref="Resolve"/> of `[parameters('name')]` as seen from <paramref name="scope"/>.</summary>
    public static (JsonElement Value, ArmTemplateScope Scope) ResolveParameter(string name, ArmTemplateScope scope) =>
        Resolve(JsonSerializer.SerializeToElement($"[parameters('{name}')]"), scope);

    /// <summary>The parameters an expression reads, in order of use.</summary>
    public static IReadOnlyList<string> ParametersUsed(string expression) =>
        [.. ParameterUse().Matches(expression).Select(use => use.Groups[1].Value)];

    /// <summary><see cref="Resolve"/> of a resource's property found by a dotted path.</summary>
    public static (JsonElement Value, ArmTemplateScope Scope) Resolve(ArmResource resource, string path)
    {
        JsonElement value = resource.Element;
        foreach (string segment in path.Split('.'))
        {
            value = value.GetProperty(segment);
        }
        return Resolve(value, resource.Scope);
    }

    /// <summary>
    /// The member of an object variable that an expression uses, e.g. the role GUID in
    /// `subscriptionResourceId('...roleDefinitions', variables('roles').eventHubsDataSender)`.
    /// </summary>
    public static string? VariableMember(string expression, ArmTemplateScope scope)
    {
        Match use = VariableMemberReference().Match(expression);
        if (!use.Success || !scope.Template.TryGetProperty("variables", out JsonElement variables))
        {
            return null;
        }
        return variables.GetProperty(use.Groups[1].Value).GetProperty(use.Groups[2].Value).GetString();
    }

    private void Collect(ArmTemplateScope scope)
    {
        JsonElement resources = scope.Template.GetProperty("resources");
        // languageVersion 2.0 templates hold resources as an object keyed by symbolic name.
        IEnumerable<JsonElement> all = resources.ValueKind == JsonValueKind.Array
            ? resources.EnumerateArray()
            : resources.EnumerateObject().Select(property => property.Value);
        foreach (JsonElement resource in all)
        {
            _resources.Add(new ArmResource(resource, scope));
            if (resource.GetProperty("type").GetString() == "Microsoft.Resources/deployments"
                && resource.GetProperty("properties").TryGetProperty("template", out JsonElement inner))
            {
                Collect(new ArmTemplateScope(inner, scope, resource));
            }
        }
    }

    [GeneratedRegex(@"^\[parameters\('([^']+)'\)\]$")]
    private static partial Regex ParameterReference();

    [GeneratedRegex(@"parameters\('([^']+)'\)")]
    private static partial Regex ParameterUse();

    [GeneratedRegex(@"variables\('([^']+)'\)\.(\w+)")]
    private static partial Regex VariableMemberReference();
}
