using System.Text.Json;

namespace AzNf.Infra.Tests;

/// <summary>A resource of a compiled template and the template (module) it is declared in.</summary>
public sealed record ArmResource(JsonElement Element, ArmTemplateScope Scope)
{
    /// <summary>The resource type, e.g. Microsoft.Web/sites.</summary>
    public string Type => Element.GetProperty("type").GetString() ?? "";

    /// <summary>The name as written in the template (often an expression).</summary>
    public string Name => Element.GetProperty("name").GetString() ?? "";

    /// <summary>The properties object.</summary>
    public JsonElement Properties => Element.GetProperty("properties");
}
