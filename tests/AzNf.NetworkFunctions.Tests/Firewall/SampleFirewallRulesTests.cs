using AzNf.TestOracles;
using AzNf.Generators;
using AzNf.Packets.Parsing;

namespace AzNf.NetworkFunctions.Tests.Firewall;

/// <summary>samples/rules/firewall.rules does what its comments promise.</summary>
public sealed class SampleFirewallRulesTests
{
    private static readonly Dictionary<string, string> Variables = new() { ["HOME_NET"] = "[10.0.0.0/8,fd00::/8]" };

    private static readonly NetAddress WebServer = NetAddress.Parse("10.1.0.80");
    private static readonly NetAddress Internet = NetAddress.Parse("203.0.113.9");
    private static readonly NetAddress Admin = NetAddress.Parse("10.20.0.5");

    [Theory]
    [InlineData("203.0.113.9", "10.1.0.80", 80)]
    [InlineData("203.0.113.9", "10.1.0.80", 8080)]
    [InlineData("2001:db8::9", "fd00::80", 80)]
    [InlineData("10.20.0.5", "10.1.0.80", 22)]
    [InlineData("fd00:20::5", "fd00::22", 22)]
    [InlineData("10.1.0.80", "203.0.113.9", 443)]
    [InlineData("127.0.0.1", "127.0.0.1", 8000)]
    public void Sample_AllowedConnection_PassesBothWays(string client, string server, int port)
    {
        var harness = Harness();
        var conversation = new TcpConversation(NetAddress.Parse(client), NetAddress.Parse(server), 51000, (ushort)port);

        var verdicts = "A:S B:SA A:A A:D B:D A:F B:F A:A".Split(' ').Select(step => harness.Send(conversation.Frame(step, out _))).ToList();

        Assert.All(verdicts, verdict => Assert.Equal(Verdict.Forward, verdict));
    }

    [Theory]
    [InlineData("203.0.113.9", "10.1.0.80", 22, "firewall:rule:31")]     // SSH from the internet
    [InlineData("10.5.0.5", "10.1.0.80", 22, "firewall:rule:31")]        // SSH from inside, not the admin subnet
    [InlineData("10.20.0.5", "10.1.0.80", 23, "firewall:rule:7")]        // telnet, even from the admin subnet
    [InlineData("10.1.0.7", "10.1.0.80", 445, "firewall:rule:8")]        // SMB inside the network
    [InlineData("203.0.113.9", "10.1.0.80", 3306, "firewall:rule:31")]   // a port nobody offers
    [InlineData("203.0.113.9", "198.51.100.1", 80, "firewall:rule:31")]  // HTTP to someone else's network
    public void Sample_ForbiddenConnection_IsDeniedByTheNamedRule(string client, string server, int port, string expectedReason)
    {
        var harness = Harness();
        var conversation = new TcpConversation(NetAddress.Parse(client), NetAddress.Parse(server), 51000, (ushort)port);

        var syn = harness.Send(conversation.Frame("A:S", out _));
        var synAck = harness.Send(conversation.Frame("B:SA", out _));

        Assert.Equal(Verdict.Drop(expectedReason), syn);
        Assert.Equal(Verdict.Drop("firewall:invalid-state"), synAck);
    }

    [Fact]
    public void Sample_DnsQueryOut_ReplyComesBackButUnsolicitedDatagramsDoNot()
    {
        var harness = Harness();
        var resolver = NetAddress.Parse("198.51.100.53");

        var query = harness.Send(PacketBuilder.Udp(WebServer, 40000, resolver, 53));
        var reply = harness.Send(PacketBuilder.Udp(resolver, 53, WebServer, 40000));
        var unsolicited = harness.Send(PacketBuilder.Udp(Internet, 53, WebServer, 40001));
        var netbios = harness.Send(PacketBuilder.Udp(Admin, 137, WebServer, 137));

        Assert.Equal(Verdict.Forward, query);
        Assert.Equal(Verdict.Forward, reply);
        Assert.Equal(Verdict.Drop("firewall:rule:31"), unsolicited);
        Assert.Equal(Verdict.Drop("firewall:rule:9"), netbios);
    }

    [Fact]
    public void Sample_PingOutIsAnsweredButPingInIsDenied()
    {
        var harness = Harness();

        var requestOut = harness.Send(PacketBuilder.IcmpEcho(WebServer, Internet, request: true, id: 1, sequence: 1));
        var replyIn = harness.Send(PacketBuilder.IcmpEcho(Internet, WebServer, request: false, id: 1, sequence: 1));
        var requestIn = harness.Send(PacketBuilder.IcmpEcho(Internet, WebServer, request: true, id: 2, sequence: 1));

        Assert.Equal(Verdict.Forward, requestOut);
        Assert.Equal(Verdict.Forward, replyIn);
        Assert.Equal(Verdict.Drop("firewall:rule:31"), requestIn);
    }

    private static FirewallHarness Harness() => new(File.ReadAllText(SamplePath()), variables: Variables);

    private static string SamplePath() => Path.Combine(OracleProcess.RepositoryRoot(), "samples", "rules", "firewall.rules");
}
