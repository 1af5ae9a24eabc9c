using AzNf.NetworkFunctions.Firewall;
using AzNf.Packets.Parsing;

namespace AzNf.NetworkFunctions.Tests.Firewall;

/// <summary>
/// The per-connection verdict cache must never change an answer: on random rule sets, every
/// packet's verdict equals a plain first-match scan of the rules with the packet's
/// connection state worked out independently (new until the responder speaks).
/// </summary>
public sealed class FirewallVerdictCacheTests
{
    private static readonly string[] Addresses = ["any", "10.0.0.0/8", "!10.0.0.1", "198.51.100.0/24", "[10.0.0.1,198.51.100.7]", "![10.0.0.0/8]"];
    private static readonly string[] Ports = ["", "port 80", "port !80", "port 1024:", "port [22,80]", "port :1023"];
    private static readonly string[] States = ["", "state new", "state established", "state new,established"];
    private static readonly string[] Protocols = ["tcp", "ip", "udp", "6"];

    [Fact]
    public void Process_RandomRuleSets_VerdictsEqualUncachedFirstMatch()
    {
        var random = new Random(2026);
        var a = NetAddress.Parse("10.0.0.1");
        var b = NetAddress.Parse("198.51.100.7");
        string[] steps = ["A:S", "A:S", "B:SA", "A:A", "A:D", "B:D", "A:D", "A:F", "B:F", "A:A"];
        int compared = 0;

        for (int round = 0; round < 300; round++)
        {
            string rules = RandomRules(random);
            var options = new FirewallOptions { DefaultPolicy = random.Next(2) == 0 ? FirewallAction.Allow : FirewallAction.Deny };
            var harness = new FirewallHarness(rules, options);
            var conversation = random.Next(2) == 0 ? new TcpConversation(a, b, 40000, 80) : new TcpConversation(b, a, 22, 1500);
            bool responderSpoke = false;
            bool refused = false;

            foreach (string step in steps)
            {
                var frame = conversation.Frame(step, out bool fromA);
                responderSpoke |= !fromA;
                // After a refused SYN there is no connection: a retransmitted SYN is judged as new
                // again, anything else is invalid.
                var expected = refused && step != "A:S"
                    ? Verdict.Drop("firewall:invalid-state")
                    : FirstMatch(harness.Definition, TcpConversation.Parse(frame), fromA && !responderSpoke ? ConnectionMatch.New : ConnectionMatch.Established);

                var actual = harness.Send(frame);

                Assert.True(expected == actual, $"rules:\n{rules}\nstep {step}: expected {expected}, got {actual}");
                refused |= step == steps[0] && actual.IsDrop;
                compared++;
            }
        }

        Assert.Equal(300 * steps.Length, compared);
    }

    private static Verdict FirstMatch(FirewallDefinition definition, in ParsedPacket packet, ConnectionMatch state)
    {
        foreach (var rule in definition.Rules)
        {
            if (rule.Matches(packet, state))
            {
                return rule.Action == FirewallAction.Allow ? Verdict.Forward : Verdict.Drop(rule.DropReason);
            }
        }
        return definition.Options.DefaultPolicy == FirewallAction.Allow ? Verdict.Forward : Verdict.Drop("firewall:default");
    }

    private static string RandomRules(Random random)
    {
        var lines = new List<string>();
        int count = random.Next(1, 9);
        for (int i = 0; i < count; i++)
        {
            string protocol = Protocols[random.Next(Protocols.Length)];
            bool ports = protocol is "tcp" or "udp";
            lines.Add(string.Join(' ',
                random.Next(2) == 0 ? "allow" : "deny",
                protocol,
                "from", Addresses[random.Next(Addresses.Length)], ports ? Ports[random.Next(Ports.Length)] : "",
                "to", Addresses[random.Next(Addresses.Length)], ports ? Ports[random.Next(Ports.Length)] : "",
                States[random.Next(States.Length)]));
        }
        return string.Join('\n', lines);
    }
}
