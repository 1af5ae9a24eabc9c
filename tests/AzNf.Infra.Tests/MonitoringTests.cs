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

    [Fact]
    public void Workbook_OnTheComponent_QueriesEachAzNfMetricTheIssueNames()
    {
        ArmResource workbook = compiled.Template.Single("Microsoft.Insights/workbooks");
        ArmResource component = compiled.Template.Single("Microsoft.Insights/components");

        Assert.Same(component.Scope, workbook.Scope);
        Assert.Equal("shared", workbook.Element.GetProperty("kind").GetString());
        Assert.StartsWith("[resourceId('Microsoft.Insights/components', ", workbook.Properties.GetProperty("sourceId").GetString(), StringComparison.Ordinal);
        // The queries are data in the template (a variable the serialized workbook maps over).
        var queries = workbook.Scope.Template.GetProperty("variables").GetProperty("workbookQueries").EnumerateArray()
            .Select(q => q.GetProperty("query").GetString()!).ToList();
        foreach (string metric in new[] { "aznf.packets", "aznf.drops", "aznf.alerts", "aznf.deadline.misses", "aznf.ingestion.lag", "aznf.batch.duration" })
        {
            Assert.Contains(queries, q => q.StartsWith("customMetrics | where name == \"" + metric + "\"", StringComparison.Ordinal));
        }
        Assert.Contains("map(variables('workbookQueries')", workbook.Properties.GetProperty("serializedData").GetString(), StringComparison.Ordinal);
    }
}
