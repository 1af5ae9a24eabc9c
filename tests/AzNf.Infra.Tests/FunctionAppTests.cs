using System.Text.Json;

namespace AzNf.Infra.Tests;

[Collection(CompiledMainTemplateCollection.Name)]
public sealed class FunctionAppTests(CompiledMainTemplate compiled)
{
    private readonly ArmResource _site = compiled.Template.Single("Microsoft.Web/sites");

    private JsonElement SiteConfig => _site.Properties.GetProperty("siteConfig");

    [Fact]
    public void FunctionApp_HttpsOnly_IsTrue()
    {
        JsonElement value = _site.Properties.GetProperty("httpsOnly");

        Assert.Equal(JsonValueKind.True, value.ValueKind);
    }

    [Fact]
    public void FunctionApp_MinTlsVersion_Is12ForAppAndScm()
    {
        string? app = SiteConfig.GetProperty("minTlsVersion").GetString();
        string? scm = SiteConfig.GetProperty("scmMinTlsVersion").GetString();

        Assert.Equal("1.2", app);
        Assert.Equal("1.2", scm);
    }

    [Fact]
    public void FunctionApp_FtpsState_IsDisabled()
    {
        string? value = SiteConfig.GetProperty("ftpsState").GetString();

        Assert.Equal("Disabled", value);
    }

    [Fact]
    public void FunctionApp_BasicPublishingCredentials_AreDisallowedForFtpAndScm()
    {
        IReadOnlyList<ArmResource> policies = compiled.Template.OfType("Microsoft.Web/sites/basicPublishingCredentialsPolicies");

        // Compiled names look like [format('{0}/{1}', parameters('name'), 'ftp')].
        var allowedByPolicy = policies.ToDictionary(
            policy => policy.Name.Contains("'ftp'", StringComparison.Ordinal) ? "ftp" : policy.Name.Contains("'scm'", StringComparison.Ordinal) ? "scm" : policy.Name,
            policy => policy.Properties.GetProperty("allow").ValueKind);

        Assert.Equal(["ftp", "scm"], allowedByPolicy.Keys.Order());
        Assert.All(allowedByPolicy.Values, allow => Assert.Equal(JsonValueKind.False, allow));
    }

    [Fact]
    public void FunctionApp_Kind_IsLinuxFunctionApp()
    {
        string? kind = _site.Element.GetProperty("kind").GetString();

        Assert.Equal("functionapp,linux", kind);
    }

    [Fact]
    public void FunctionApp_Runtime_IsDotnetIsolated10()
    {
        string? stack = SiteConfig.GetProperty("linuxFxVersion").GetString();

        Assert.Equal("DOTNET-ISOLATED|10.0", stack);
    }

    [Fact]
    public void FunctionApp_Identity_IsTheUserAssignedIdentityOnly()
    {
        JsonElement identity = _site.Element.GetProperty("identity");
        JsonProperty attached = Assert.Single(identity.GetProperty("userAssignedIdentities").EnumerateObject());
        ArmResource created = compiled.Template.Single("Microsoft.ManagedIdentity/userAssignedIdentities");

        // The key is an expression over the module's identityId parameter; follow it to main.bicep.
        string parameter = Assert.Single(ArmTemplate.ParametersUsed(attached.Name));
        (JsonElement passed, _) = ArmTemplate.ResolveParameter(parameter, _site.Scope);

        Assert.Equal("UserAssigned", identity.GetProperty("type").GetString());
        Assert.Contains($"'{created.Scope.ModuleName}'", passed.GetString(), StringComparison.Ordinal);
        Assert.Contains("outputs.id.value", passed.GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void FunctionApp_Plan_IsLinuxElasticPremiumWithAlwaysReadyInstances()
    {
        ArmResource plan = compiled.Template.Single("Microsoft.Web/serverfarms");
        (JsonElement alwaysReady, ArmTemplateScope where) = ArmTemplate.Resolve(_site, "properties.siteConfig.minimumElasticInstanceCount");

        JsonElement declared = compiled.Template.Parameter("alwaysReadyInstanceCount");

        Assert.Equal("ElasticPremium", plan.Element.GetProperty("sku").GetProperty("tier").GetString());
        Assert.Equal(JsonValueKind.True, plan.Properties.GetProperty("reserved").ValueKind);
        Assert.Same(compiled.Template.TopLevel, where);
        Assert.Equal("[parameters('alwaysReadyInstanceCount')]", alwaysReady.GetString());
        Assert.True(declared.GetProperty("minValue").GetInt32() >= 1);
    }
}
