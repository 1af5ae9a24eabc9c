using System.Text.Json;

namespace AzNf.Infra.Tests;

[Collection(CompiledMainTemplateCollection.Name)]
public sealed class OutputsTests(CompiledMainTemplate compiled)
{
    [Theory]
    [InlineData("AZURE_FUNCTION_APP_NAME", "outputs.name.value")]
    [InlineData("AZURE_FUNCTION_APP_HOSTNAME", "outputs.defaultHostName.value")]
    [InlineData("AZURE_EVENTHUBS_NAMESPACE", "outputs.fullyQualifiedNamespace.value")]
    [InlineData("AZURE_EVENTHUB_NAME", "outputs.hubName.value")]
    [InlineData("AZURE_EVENTHUB_CONSUMER_GROUP", "outputs.consumerGroupName.value")]
    [InlineData("AZURE_STORAGE_ACCOUNT_NAME", "outputs.name.value")]
    [InlineData("AZURE_STORAGE_TABLE_ENDPOINT", "outputs.tableEndpoint.value")]
    [InlineData("AZURE_USER_ASSIGNED_IDENTITY_CLIENT_ID", "outputs.clientId.value")]
    [InlineData("AZURE_DEPLOYMENT_CONTAINER", "outputs.deploymentContainerName.value")]
    public void Output_Named_ReadsTheModuleOutput(string name, string moduleOutput)
    {
        JsonElement output = compiled.Template.Root.GetProperty("outputs").GetProperty(name);

        string? value = output.GetProperty("value").GetString();

        Assert.Equal("string", output.GetProperty("type").GetString());
        Assert.EndsWith($".{moduleOutput}]", value, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("AZURE_LOCATION")]
    [InlineData("AZURE_TENANT_ID")]
    [InlineData("AZURE_RESOURCE_GROUP")]
    [InlineData("AZURE_EVENTHUB_PARTITIONS")]
    [InlineData("AZURE_DEPLOYMENT_PACKAGE_BLOB")]
    [InlineData("APPLICATIONINSIGHTS_NAME")]
    public void Output_Named_IsPresent(string name)
    {
        bool present = compiled.Template.Root.GetProperty("outputs").TryGetProperty(name, out JsonElement output);

        Assert.True(present, name);
        Assert.NotEqual(JsonValueKind.Undefined, output.GetProperty("value").ValueKind);
    }
}
