using AzNf.Generators;
using AzNf.Packets.Parsing;

namespace AzNf.NetworkFunctions.Tests.Ids;

/// <summary>
/// Seeded random traffic for the second oracle run: many TCP conversations and UDP datagrams
/// whose payloads mix the rules' tokens, near misses and filler, cut into segments at random
/// points, so that matches land across segment boundaries in ways nobody hand-picked.
/// </summary>
internal static class IdsRandomScenario
{
    public const string Rules = """
        alert tcp any any -> any any (msg:"plain"; content:"attack"; sid:2001;)
        alert tcp any any -> any any (msg:"nocase"; content:"EVIL"; nocase; sid:2002;)
        alert tcp any any -> any any (msg:"depth and relative"; content:"GET"; depth:3; content:"/admin"; distance:1; within:10; sid:2003;)
        alert tcp any any <> any any (msg:"to client"; content:"passwd"; flow:to_client,established; sid:2004;)
        alert tcp any any -> any any (msg:"pcre"; pcre:"/id=[0-9]{2,}z/"; sid:2005;)
        alert udp any any -> any any (msg:"hex"; content:"|de ad|"; sid:2006;)
        alert udp any any -> any any (msg:"dsize"; dsize:>60; content:"q"; sid:2007;)
        alert udp any any -> any any (msg:"negated relative"; content:"cmd"; content:!"safe"; distance:0; within:12; sid:2008;)
        alert tcp any any -> any any (msg:"pcre relative"; content:"key="; pcre:"/^[0-9a-f]{4}/R"; sid:2009;)
        alert ip any any -> any any (msg:"offset"; content:"marker"; offset:2; sid:2012;)
        alert tcp any any -> any any (msg:"to server established"; content:"login"; flow:to_server,established; sid:2013;)
        alert udp any any -> any any (msg:"udp nocase within"; content:"user"; nocase; content:"root"; distance:0; within:8; sid:2014;)
        """;

    private static readonly string[] s_tokens =
    [
        "attack", "attac", "ATTACK", "evil", "EvIl", "ev1l", "GET /admin", "GET  /admin", "xGET /admin",
        "passwd", "id=12z", "id=1z", "id=123", "cmd=run", "cmd=safe", "cmd=", "key=beef", "key=zz", "key=12",
        "DROPME", "marker", "login", "user=root", "USER root", "user............root",
        "\xde\xad", "\xde", "\xad",
    ];

    public static List<byte[]> Frames(int seed, int conversations)
    {
        var random = new Random(seed);
        var frames = new List<byte[]>();
        for (int i = 0; i < conversations; i++)
        {
            ushort clientPort = (ushort)(30000 + i);
            ushort serverPort = (ushort)(random.Next(2) == 0 ? 80 : 9000 + random.Next(50));
            if (random.Next(4) == 0)
            {
                var client = NetAddress.Parse("10.7.0.1");
                var server = NetAddress.Parse("10.8.0.1");
                for (int d = random.Next(1, 4); d > 0; d--)
                {
                    bool back = random.Next(3) == 0;
                    var payload = Payload(random);
                    frames.Add(back
                        ? PacketBuilder.Udp(server, serverPort, client, clientPort, payload)
                        : PacketBuilder.Udp(client, clientPort, server, serverPort, payload));
                }
                continue;
            }
            bool v6 = random.Next(5) == 0;
            var conversation = new TcpConversation(v6 ? "2001:db8:7::1" : "10.7.0.1", clientPort, v6 ? "2001:db8:8::1" : "10.8.0.1", serverPort).Handshake();
            for (int m = random.Next(1, 4); m > 0; m--)
            {
                var message = Payload(random);
                bool fromServer = random.Next(3) == 0;
                int cuts = random.Next(0, 3);
                int start = 0;
                for (int c = 0; c <= cuts && start < message.Length; c++)
                {
                    int end = c == cuts ? message.Length : random.Next(start + 1, message.Length + 1);
                    var piece = message[start..end];
                    if (fromServer)
                    {
                        conversation.Server(piece);
                    }
                    else if (piece.Length >= 2 && random.Next(5) == 0)
                    {
                        // The piece's second half overtakes its first.
                        int half = piece.Length / 2;
                        conversation.ClientOutOfOrder(TcpConversation.Text(piece[..half]), TcpConversation.Text(piece[half..]));
                    }
                    else
                    {
                        conversation.Client(piece);
                        if (random.Next(8) == 0)
                        {
                            conversation.ClientRetransmit(piece.Length, TcpConversation.Text(piece));
                        }
                    }
                    start = end;
                }
            }
            frames.AddRange(conversation.Close().Frames);
        }
        return frames;
    }

    private static byte[] Payload(Random random)
    {
        var text = new System.Text.StringBuilder();
        for (int n = random.Next(1, 6); n > 0; n--)
        {
            text.Append(random.Next(3) switch
            {
                0 => s_tokens[random.Next(s_tokens.Length)],
                1 => new string('q', random.Next(0, 30)),
                _ => " ",
            });
        }
        if (text.Length == 0)
        {
            text.Append('.');
        }
        return TcpConversation.Bytes(text.ToString());
    }
}
