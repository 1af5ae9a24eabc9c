using System.Text.Json;

namespace AzNf.Infra.Tests;

[Collection(CompiledMainTemplateCollection.Name)]
public sealed class MonitoringTests(CompiledMainTemplate compiled)
{
    [Fact]
    public void ApplicationInsights_Workspace_IsTheLogAnalyticsWorkspace()
    {
        ArmResource component = compiled.Template.Single("Microsoft.Insights/components");
        ArmResource workspace = compiled.Template.Single("Microsoft.OperationalInsights/workspaces");

        string? reference = component.Properties.GetProperty("WorkspaceResourceId").GetString();

        Assert.Same(workspace.Scope, component.Scope);
        Assert.StartsWith("[resourceId('Microsoft.OperationalInsights/workspaces', ", reference, StringComparison.Ordinal);
    }

    [Fact]
    public void ApplicationInsights_LocalAuth_IsDisabled()
    {
        ArmResource component = compiled.Template.Single("Microsoft.Insights/components");

        JsonElement value = component.Properties.GetProperty("DisableLocalAuth");

        Assert.Equal(JsonValueKind.True, value.ValueKind);
    }
}
