using System.Text.Json;

namespace AzNf.Infra.Tests;

[Collection(CompiledMainTemplateCollection.Name)]
public sealed class EventHubsTests(CompiledMainTemplate compiled)
{
    private readonly ArmResource _namespace = compiled.Template.Single("Microsoft.EventHub/namespaces");
    // The input hub: the one hub that is always there (the output hubs are conditional).
    private readonly ArmResource _hub = compiled.Template.OfType("Microsoft.EventHub/namespaces/eventhubs").Single(hub => !hub.Element.TryGetProperty("condition", out _));

    [Fact]
    public void EventHub_PartitionCount_ComesFromTheTopLevelParameter()
    {
        (JsonElement source, ArmTemplateScope where) = ArmTemplate.Resolve(_hub, "properties.partitionCount");

        Assert.Same(compiled.Template.TopLevel, where);
        Assert.Equal("[parameters('eventHubPartitionCount')]", source.GetString());
    }

    [Fact]
    public void EventHubPartitionCount_Parameter_IsAnIntegerFrom1To32()
    {
        JsonElement declared = compiled.Template.Parameter("eventHubPartitionCount");

        Assert.Equal("int", declared.GetProperty("type").GetString());
        Assert.Equal(1, declared.GetProperty("minValue").GetInt32());
        Assert.Equal(32, declared.GetProperty("maxValue").GetInt32());
    }

    [Fact]
    public void EventHub_MessageRetention_ComesFromTheTopLevelParameter()
    {
        (JsonElement source, ArmTemplateScope where) = ArmTemplate.Resolve(_hub, "properties.messageRetentionInDays");

        Assert.Same(compiled.Template.TopLevel, where);
        Assert.Equal("[parameters('eventHubMessageRetentionInDays')]", source.GetString());
    }

    [Fact]
    public void EventHubsNamespace_LocalAuth_IsDisabled()
    {
        JsonElement value = _namespace.Properties.GetProperty("disableLocalAuth");

        Assert.Equal(JsonValueKind.True, value.ValueKind);
    }

    [Fact]
    public void EventHubsNamespace_MinimumTlsVersion_Is12()
    {
        string? value = _namespace.Properties.GetProperty("minimumTlsVersion").GetString();

        Assert.Equal("1.2", value);
    }

    [Fact]
    public void EventHubsNamespace_Sku_IsStandard()
    {
        string? tier = _namespace.Element.GetProperty("sku").GetProperty("name").GetString();

        Assert.Equal("Standard", tier);
    }

    [Theory]
    [InlineData("egressHubName", "")]
    [InlineData("alertsHubName", "alerts")]
    public void OutputHub_WhenNamed_IsMadeLikeTheInputWithADownstreamConsumerGroup(string parameter, string defaultName)
    {
        var hubs = compiled.Template.OfType("Microsoft.EventHub/namespaces/eventhubs")
            .Where(hub => hub.Element.TryGetProperty("condition", out JsonElement when) && when.GetString()!.Contains($"parameters('{parameter}')", StringComparison.Ordinal))
            .ToList();

        var hub = Assert.Single(hubs);
        Assert.Equal($"[not(empty(parameters('{parameter}')))]", hub.Element.GetProperty("condition").GetString());
        Assert.Same(_hub.Scope, hub.Scope);
        Assert.Equal(ArmTemplate.Resolve(_hub, "properties.partitionCount").Value.GetString(), ArmTemplate.Resolve(hub, "properties.partitionCount").Value.GetString());
        Assert.Equal(ArmTemplate.Resolve(_hub, "properties.messageRetentionInDays").Value.GetString(), ArmTemplate.Resolve(hub, "properties.messageRetentionInDays").Value.GetString());
        var group = compiled.Template.OfType("Microsoft.EventHub/namespaces/eventhubs/consumergroups")
            .Single(g => g.Element.TryGetProperty("condition", out JsonElement when) && when.GetString() == hub.Element.GetProperty("condition").GetString());
        Assert.Contains("parameters('outputConsumerGroupName')", group.Name, StringComparison.Ordinal);
        Assert.Equal(defaultName, compiled.Template.Parameter(parameter).GetProperty("defaultValue").GetString());
        Assert.Equal("downstream", compiled.Template.Parameter("outputConsumerGroupName").GetProperty("defaultValue").GetString());
    }

    [Fact]
    public void ConsumerGroup_OfTheHub_IsNamedByTheParameterDefaultingToAznf()
    {
        ArmResource group = compiled.Template.OfType("Microsoft.EventHub/namespaces/eventhubs/consumergroups").Single(g => !g.Element.TryGetProperty("condition", out _));
        string parameter = ArmTemplate.ParametersUsed(group.Name)[^1];

        (JsonElement source, ArmTemplateScope where) = ArmTemplate.ResolveParameter(parameter, group.Scope);

        Assert.Same(_hub.Scope, group.Scope);
        Assert.Same(compiled.Template.TopLevel, where);
        Assert.Equal("[parameters('consumerGroupName')]", source.GetString());
        Assert.Equal("aznf", compiled.Template.Parameter("consumerGroupName").GetProperty("defaultValue").GetString());
    }
}
