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
}
