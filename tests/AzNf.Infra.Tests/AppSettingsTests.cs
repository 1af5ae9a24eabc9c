using System.Text.Json;
using System.Text.RegularExpressions;

namespace AzNf.Infra.Tests;

[Collection(CompiledMainTemplateCollection.Name)]
public sealed partial class AppSettingsTests(CompiledMainTemplate compiled)
{
    // APPLICATIONINSIGHTS_CONNECTION_STRING is the one setting allowed to hold a connection string:
    // it carries the component's instrumentation key, an identifier and not a credential once the
    // component's local auth is disabled (asserted below); the SDK needs it to find the endpoint.
    private const string AppInsightsConnectionString = "APPLICATIONINSIGHTS_CONNECTION_STRING";

    // What a key or connection string looks like in a setting's name or value, or in the template
    // expression that computes the value.
    private static readonly string[] s_secretMarkers =
    [
        "AccountKey=", "SharedAccessKey", "SharedAccessSignature", "InstrumentationKey=", "DefaultEndpointsProtocol",
        "ConnectionString", "CONNECTION_STRING", "listKeys", "listConnectionStrings", "sig=", "Password", "Secret",
    ];

    private readonly ArmResource _site = compiled.Template.Single("Microsoft.Web/sites");

    private List<(string Name, JsonElement Value)> Settings =>
        [.. _site.Properties.GetProperty("siteConfig").GetProperty("appSettings").EnumerateArray()
            .Select(setting => (setting.GetProperty("name").GetString()!, setting.GetProperty("value")))];

    private JsonElement Setting(string name) => Assert.Single(Settings, setting => setting.Name == name).Value;

    [Fact]
    public void AppSettings_AnySettingButAppInsights_CarriesNoKeyOrConnectionString()
    {
        var others = Settings.Where(setting => setting.Name != AppInsightsConnectionString).ToList();

        var offending = others
            .SelectMany(setting => s_secretMarkers
                .Where(marker => setting.Name.Contains(marker, StringComparison.OrdinalIgnoreCase)
                    || ExpandedText(setting.Value, _site.Scope).Contains(marker, StringComparison.OrdinalIgnoreCase))
                .Select(marker => $"{setting.Name} ({marker})"))
            .ToList();

        Assert.NotEmpty(others);
        Assert.Empty(offending);
    }

    [Fact]
    public void AppSettings_AppInsightsConnectionString_ComesFromAComponentWithLocalAuthDisabled()
    {
        ArmResource component = compiled.Template.Single("Microsoft.Insights/components");

        string value = Setting(AppInsightsConnectionString).GetString()!;

        Assert.Matches(@"^\[reference\(resourceId\('Microsoft\.Insights/components', [^\]]+\)\.ConnectionString\]$", value);
        Assert.Equal(JsonValueKind.True, component.Properties.GetProperty("DisableLocalAuth").ValueKind);
    }

    [Fact]
    public void AppSettings_AppInsightsAuthentication_IsEntraWithTheIdentityClientId()
    {
        string value = Setting("APPLICATIONINSIGHTS_AUTHENTICATION_STRING").GetString()!;
        string parameter = Assert.Single(ArmTemplate.ParametersUsed(value));

        (JsonElement clientId, _) = ArmTemplate.ResolveParameter(parameter, _site.Scope);

        Assert.StartsWith("[format('Authorization=AAD;ClientId={0}'", value, StringComparison.Ordinal);
        AssertIdentityOutput(clientId, "clientId");
    }

    [Fact]
    public void AppSettings_HostStorage_UsesTheManagedIdentityAndNoConnectionString()
    {
        (JsonElement clientId, _) = ArmTemplate.Resolve(Setting("AzureWebJobsStorage__clientId"), _site.Scope);
        (JsonElement accountName, _) = ArmTemplate.Resolve(Setting("AzureWebJobsStorage__accountName"), _site.Scope);

        string? credential = Setting("AzureWebJobsStorage__credential").GetString();

        Assert.Equal("managedidentity", credential);
        AssertIdentityOutput(clientId, "clientId");
        Assert.Contains("'storage'", accountName.GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Settings, setting => setting.Name == "AzureWebJobsStorage");
    }

    [Fact]
    public void AppSettings_AzureClientId_IsTheIdentityClientId()
    {
        (JsonElement clientId, _) = ArmTemplate.Resolve(Setting("AZURE_CLIENT_ID"), _site.Scope);

        AssertIdentityOutput(clientId, "clientId");
    }

    [Fact]
    public void AppSettings_ContentShare_IsAbsentAndThePackageIsFetchedWithTheIdentity()
    {
        (JsonElement packageIdentity, _) = ArmTemplate.Resolve(Setting("WEBSITE_RUN_FROM_PACKAGE_BLOB_MI_RESOURCE_ID"), _site.Scope);
        (JsonElement packageUrl, _) = ArmTemplate.Resolve(Setting("WEBSITE_RUN_FROM_PACKAGE"), _site.Scope);

        var names = Settings.Select(setting => setting.Name).ToList();

        Assert.DoesNotContain("WEBSITE_CONTENTAZUREFILECONNECTIONSTRING", names);
        Assert.DoesNotContain("WEBSITE_CONTENTSHARE", names);
        AssertIdentityOutput(packageIdentity, "id");
        Assert.Contains("outputs.blobEndpoint.value", packageUrl.GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void AppSettings_NamesTheWorkerReads_EachAppearOnce()
    {
        string[] expected =
        [
            "AzureWebJobsStorage__accountName", "AzureWebJobsStorage__credential", "AzureWebJobsStorage__clientId",
            "TASKHUB_NAME", "AZNF_EVENTHUBS_NAMESPACE", "AZNF_EVENTHUB_NAME", "AZNF_CONSUMER_GROUP",
            "AZNF_TABLES_ENDPOINT", "AZNF_CHAIN_FILE", "AZNF_PARTITIONS", "AZNF_FLOW_TOMBSTONE_HOURS", "AZURE_CLIENT_ID",
            "APPLICATIONINSIGHTS_CONNECTION_STRING", "APPLICATIONINSIGHTS_AUTHENTICATION_STRING",
            "FUNCTIONS_WORKER_RUNTIME", "FUNCTIONS_EXTENSION_VERSION",
        ];

        var names = Settings.Select(setting => setting.Name).ToList();

        Assert.All(expected, name => Assert.Equal(1, names.Count(actual => actual == name)));
        Assert.Equal("dotnet-isolated", Setting("FUNCTIONS_WORKER_RUNTIME").GetString());
    }

    [Fact]
    public void AppSettings_AznfPartitions_FollowsTheHubPartitionParameter()
    {
        string value = Setting("AZNF_PARTITIONS").GetString()!;
        string parameter = Assert.Single(ArmTemplate.ParametersUsed(value));

        (JsonElement source, ArmTemplateScope where) = ArmTemplate.ResolveParameter(parameter, _site.Scope);

        Assert.Equal($"[string(parameters('{parameter}'))]", value);
        Assert.Same(compiled.Template.TopLevel, where);
        Assert.Equal("[parameters('eventHubPartitionCount')]", source.GetString());
    }

    [Fact]
    public void AppSettings_FlowTombstoneHours_OutlastTheHubRetentionByADay()
    {
        string value = Setting("AZNF_FLOW_TOMBSTONE_HOURS").GetString()!;
        string parameter = Assert.Single(ArmTemplate.ParametersUsed(value));

        (JsonElement source, ArmTemplateScope where) = ArmTemplate.ResolveParameter(parameter, _site.Scope);

        Assert.Same(compiled.Template.TopLevel, where);
        Assert.Equal("[mul(add(parameters('eventHubMessageRetentionInDays'), 1), 24)]", source.GetString());
    }

    [Fact]
    public void AppSettings_EventHubsNamespace_IsTheFullyQualifiedHostName()
    {
        (JsonElement value, _) = ArmTemplate.Resolve(Setting("AZNF_EVENTHUBS_NAMESPACE"), _site.Scope);

        Assert.Contains("outputs.fullyQualifiedNamespace.value", value.GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Template_Anywhere_CallsNoListFunction()
    {
        string json = compiled.Template.Json;

        MatchCollection calls = ListFunctionCall().Matches(json);

        Assert.Empty(calls);
    }

    // The text of a value and, through module boundaries, of every parameter it reads.
    private static string ExpandedText(JsonElement value, ArmTemplateScope scope)
    {
        string text = value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
        var parts = new List<string> { text };
        foreach (string parameter in ArmTemplate.ParametersUsed(text))
        {
            (JsonElement passed, ArmTemplateScope where) = ArmTemplate.ResolveParameter(parameter, scope);
            if (where != scope)
            {
                parts.Add(ExpandedText(passed, where));
            }
        }
        return string.Join('\n', parts);
    }

    // A module-boundary value that is the identity module's output of that name.
    private void AssertIdentityOutput(JsonElement value, string output)
    {
        ArmResource identity = compiled.Template.Single("Microsoft.ManagedIdentity/userAssignedIdentities");
        Assert.Contains($"'{identity.Scope.ModuleName}'", value.GetString(), StringComparison.Ordinal);
        Assert.EndsWith($".outputs.{output}.value]", value.GetString(), StringComparison.Ordinal);
    }

    [GeneratedRegex(@"\blist[A-Z]\w*\(")]
    private static partial Regex ListFunctionCall();
}
