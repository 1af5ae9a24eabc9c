using AzNf.NetworkFunctions.Firewall;
using AzNf.Generators;
using AzNf.Packets.Parsing;

namespace AzNf.NetworkFunctions.Tests.Firewall;

/// <summary>Frames the parser could not read (malformed) or that are not IP, under each policy.</summary>
public sealed class FirewallUnparsedPolicyTests
{
    private const string AllowAll = "allow ip from any to any\n";

    [Theory]
    [InlineData(FirewallAction.Deny, true)]
    [InlineData(FirewallAction.Allow, false)]
    public void Process_MalformedFrame_FollowsMalformedPolicy(FirewallAction policy, bool expectedDrop)
    {
        var harness = new FirewallHarness(AllowAll, new FirewallOptions { MalformedPolicy = policy });
        var frame = PacketBuilder.Tcp(NetAddress.Parse("10.0.0.1"), 1, NetAddress.Parse("10.0.0.2"), 2, TcpFlags.Syn, 1, 0);
        var truncated = frame[..(14 + 20 + 10)]; // the TCP header is cut in half

        var verdict = harness.Send(truncated);

        Assert.Equal(expectedDrop ? Verdict.Drop("firewall:malformed") : Verdict.Forward, verdict);
        Assert.Equal(1, harness.Counters()["unparsed:malformed"]);
    }

    [Theory]
    [InlineData(FirewallAction.Allow, false)]
    [InlineData(FirewallAction.Deny, true)]
    public void Process_ArpFrame_FollowsNonIpPolicy(FirewallAction policy, bool expectedDrop)
    {
        var harness = new FirewallHarness("deny ip from any to any\n", new FirewallOptions { NonIpPolicy = policy });
        var arp = new byte[42];
        arp[12] = 0x08;
        arp[13] = 0x06;

        var verdict = harness.Send(arp);

        Assert.Equal(expectedDrop ? Verdict.Drop("firewall:non-ip") : Verdict.Forward, verdict);
        Assert.Equal(1, harness.Counters()["unparsed:non-ip"]);
        Assert.Equal(0, harness.Counters()["unparsed:malformed"]);
    }

    [Fact]
    public void Process_GarbageOfEveryLength_NeverThrows()
    {
        var harness = new FirewallHarness(AllowAll);
        var random = new Random(1234);
        var frame = PacketBuilder.Tcp(NetAddress.Parse("10.0.0.1"), 1, NetAddress.Parse("10.0.0.2"), 2, TcpFlags.Syn, 1, 0, "payload"u8);

        for (int length = 0; length <= frame.Length; length++)
        {
            harness.Send(frame[..length]);
            var garbage = new byte[length];
            random.NextBytes(garbage);
            harness.Send(garbage);
        }

        var counters = harness.Counters();
        Assert.Equal(2 * (frame.Length + 1), counters["packets"]);
        Assert.Equal(counters["packets"], counters["forwarded"] + counters["dropped"]);
    }
}
