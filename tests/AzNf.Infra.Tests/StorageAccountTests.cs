using System.Text.Json;

namespace AzNf.Infra.Tests;

[Collection(CompiledMainTemplateCollection.Name)]
public sealed class StorageAccountTests(CompiledMainTemplate compiled)
{
    private readonly ArmResource _storage = compiled.Template.Single("Microsoft.Storage/storageAccounts");

    [Fact]
    public void StorageAccount_SharedKeyAccess_IsDisabled()
    {
        JsonElement value = _storage.Properties.GetProperty("allowSharedKeyAccess");

        Assert.Equal(JsonValueKind.False, value.ValueKind);
    }

    [Fact]
    public void StorageAccount_MinimumTlsVersion_IsTls12()
    {
        string? value = _storage.Properties.GetProperty("minimumTlsVersion").GetString();

        Assert.Equal("TLS1_2", value);
    }

    [Fact]
    public void StorageAccount_HttpsTrafficOnly_IsRequired()
    {
        JsonElement value = _storage.Properties.GetProperty("supportsHttpsTrafficOnly");

        Assert.Equal(JsonValueKind.True, value.ValueKind);
    }

    [Fact]
    public void StorageAccount_PublicBlobAccess_IsOffOnAccountAndEveryContainer()
    {
        IReadOnlyList<ArmResource> containers = compiled.Template.OfType("Microsoft.Storage/storageAccounts/blobServices/containers");

        JsonElement accountSetting = _storage.Properties.GetProperty("allowBlobPublicAccess");

        Assert.Equal(JsonValueKind.False, accountSetting.ValueKind);
        Assert.NotEmpty(containers);
        Assert.All(containers, container => Assert.Equal("None", container.Properties.GetProperty("publicAccess").GetString()));
    }

    [Fact]
    public void EveContainer_WhenNamed_HasARetentionRuleOnItsPrefix()
    {
        ArmResource container = compiled.Template.OfType("Microsoft.Storage/storageAccounts/blobServices/containers")
            .Single(c => c.Element.TryGetProperty("condition", out JsonElement when) && when.GetString()!.Contains("eveContainerName", StringComparison.Ordinal));
        ArmResource policy = compiled.Template.Single("Microsoft.Storage/storageAccounts/managementPolicies");

        Assert.Equal("[not(empty(parameters('eveContainerName')))]", container.Element.GetProperty("condition").GetString());
        Assert.Equal(container.Element.GetProperty("condition").GetString(), policy.Element.GetProperty("condition").GetString());
        var rule = Assert.Single(policy.Properties.GetProperty("policy").GetProperty("rules").EnumerateArray());
        var definition = rule.GetProperty("definition");
        Assert.Equal("[format('{0}/', parameters('eveContainerName'))]", definition.GetProperty("filters").GetProperty("prefixMatch")[0].GetString());
        Assert.Equal("[parameters('eveRetentionInDays')]", definition.GetProperty("actions").GetProperty("baseBlob").GetProperty("delete").GetProperty("daysAfterModificationGreaterThan").GetString());
        Assert.Equal("eve", compiled.Template.Parameter("eveContainerName").GetProperty("defaultValue").GetString());
        Assert.Equal(30, compiled.Template.Parameter("eveRetentionInDays").GetProperty("defaultValue").GetInt32());
    }
}
