using AzNf.NetworkFunctions.Ids;
using AzNf.Generators;
using AzNf.Packets.Parsing;

namespace AzNf.NetworkFunctions.Tests.Ids;

/// <summary>The steady-state per-packet path allocates nothing (alerts, being rare, may).</summary>
public sealed class IdsAllocationTests
{
    [Fact]
    public void Process_SteadyStateTcpAndUdpWithoutAlerts_AllocatesNothing()
    {
        var rules = string.Join('\n', Enumerable.Range(1, 100).Select(i => $"alert tcp any any -> any any (content:\"needle{i}\"; nocase; content:\"x\"; distance:0; sid:{i};)"))
            + "\nalert udp any any -> any any (pcre:\"/zz[0-9]+q/\"; sid:1000;)\nalert tcp any any -> any any (flags:S; dsize:>9999; sid:1001;)";
        // A pcre timeout allocates its exception (~7 KB); on a loaded CI machine the default 100 ms
        // was once exceeded. This test is about the steady path, so the budget is generous.
        var harness = new IdsTestHarness(rules, new IdsOptions { PcreTimeoutMs = 60_000 });
        var conversation = new TcpConversation("10.0.0.1", 40000, "10.0.0.2", 80).Handshake();
        for (int i = 0; i < 50; i++)
        {
            conversation.Client("some text with needle but no match " + i).Server("reply " + i);
        }
        var frames = conversation.Frames;
        var udp = PacketBuilder.Udp(NetAddress.Parse("10.0.0.1"), 1, NetAddress.Parse("10.0.0.2"), 2, "zz12 not q"u8);
        var warmup = frames.Take(20).ToList();
        var measured = frames.Skip(20).Append(udp).ToList();
        harness.SendAll(warmup);
        harness.Send(udp);

        long allocated = harness.AllocatedWhileSending(measured);

        Assert.Empty(harness.Alerts.Alerts);
        Assert.Equal(0, allocated);
    }
}
