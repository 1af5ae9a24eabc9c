using System.Text.Json;

namespace AzNf.Infra.Tests;

/// <summary>
/// One template in a compiled ARM file: the top-level one, or the inline template of a module
/// (a Microsoft.Resources/deployments resource), whose parameters are bound by that deployment.
/// </summary>
public sealed class ArmTemplateScope
{
    /// <summary>A template and, for a module, the deployment resource that binds its parameters.</summary>
    public ArmTemplateScope(JsonElement template, ArmTemplateScope? parent, JsonElement? deployment)
    {
        Template = template;
        Parent = parent;
        Deployment = deployment;
    }

    /// <summary>The template object (parameters, variables, resources, outputs).</summary>
    public JsonElement Template { get; }

    /// <summary>The template holding the deployment resource; null at the top level.</summary>
    public ArmTemplateScope? Parent { get; }

    /// <summary>The deployment resource that instantiates this template; null at the top level.</summary>
    public JsonElement? Deployment { get; }

    /// <summary>The deployment's name (the module name in main.bicep), or "" at the top level.</summary>
    public string ModuleName => Deployment is { } deployment ? deployment.GetProperty("name").GetString() ?? "" : "";
}
