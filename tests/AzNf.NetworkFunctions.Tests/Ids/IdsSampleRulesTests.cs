using System.Text.Json;
using AzNf.NetworkFunctions.Chain;
using AzNf.NetworkFunctions.Ids;
using AzNf.Generators;
using AzNf.Packets.Parsing;
using AzNf.TestOracles;

namespace AzNf.NetworkFunctions.Tests.Ids;

/// <summary>The shipped sample rule file loads whole through <see cref="IdsDefinition.Load"/> and catches its attacks.</summary>
public sealed class IdsSampleRulesTests
{
    private static IdsDefinition LoadSample(ConfigDiagnostics diagnostics) => IdsDefinition.Load(new StageSetup
    {
        Name = "ids",
        Kind = "ids",
        Rules = RuleSource.Folder("/").Read(OracleProcess.TestData("ids", "sample.rules"), "chain.json: stages[0]"),
        Blocklist = new HashSet<NetAddress>(),
        Config = JsonDocument.Parse("{}").RootElement.Clone(),
        Variables = IdsTestHarness.DefaultVariables,
        Diagnostics = diagnostics,
        Location = "chain.json: stages[0]",
    });

    [Fact]
    public void SampleRules_Load_NoneRejected()
    {
        var diagnostics = new ConfigDiagnostics();

        var definition = LoadSample(diagnostics);

        Assert.Empty(diagnostics.Warnings);
        Assert.Equal(15, definition.RulesLoaded);
        Assert.Equal(0, definition.RulesRejected);
    }

    [Fact]
    public void SampleRules_AttackConversation_AlertsAndDrops()
    {
        var harness = new IdsTestHarness(File.ReadAllText(OracleProcess.TestData("ids", "sample.rules")));
        var frames = new TcpConversation("8.8.4.4", 40000, "10.0.0.2", 80).Handshake()
            .Client("GET /../../etc/passwd HTTP/1.1\r\n")
            .Client("X: ${JNDI:ldap://x}\r\n\r\n")
            .Frames;
        frames.Add(PacketBuilder.Tcp(NetAddress.Parse("8.8.4.4"), 1, NetAddress.Parse("10.0.0.9"), 2, TcpFlags.None, 1, 0));

        var verdicts = harness.SendAll(frames);

        Assert.Equal(new[] { 1000001, 1000003, 1000005, 1000007 }, harness.AlertedSids.Order());
        Assert.Equal("ids:sid:1000005", verdicts[5].Reason);
    }
}
