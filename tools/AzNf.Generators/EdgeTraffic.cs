using System.Globalization;
using AzNf.Packets.Capture;
using AzNf.Packets.Parsing;

namespace AzNf.Generators;

/// <summary>
/// Traffic for an edge chain (samples/chains/edge.json): clients behind a NAT browsing a web
/// server out there, whose replies come back addressed to the outside address and port each
/// client was given — as they arrive from the Internet — and a SYN flood on a server. The
/// outside endpoints come from an earlier run over the clients' packets alone (the NAT's choice
/// depends on the flows, so it is the same). For tests and figures; not on any hot path.
/// </summary>
public static class EdgeTraffic
{
    private const long Millisecond = 1_000_000;

    /// <summary>The web server the clients talk to.</summary>
    public static readonly NetAddress WebServer = NetAddress.Parse("198.51.100.80");

    /// <summary>Client <paramref name="c"/>'s inside address: 192.168.1.1, 192.168.1.2, …</summary>
    public static NetAddress Client(int c) => NetAddress.FromIPv4(0xC0A80100u + (uint)c + 1);

    /// <summary>
    /// <paramref name="clients"/> HTTP connections from port 40000 of each client, one every 100 ms
    /// from <paramref name="startNanos"/>: handshake, request, response, FIN both ways (5 packets
    /// out, 3 back). With <paramref name="outsideEndpoints"/> (client address → "address:port"),
    /// the server's packets go to that endpoint; without, only the clients' packets are made.
    /// </summary>
    public static List<(long Time, byte[] Frame)> Clients(int clients, long startNanos, IReadOnlyDictionary<string, string>? outsideEndpoints)
    {
        var frames = new List<(long, byte[])>();
        for (int c = 0; c < clients; c++)
        {
            var client = Client(c);
            long at = startNanos + (c * 100 * Millisecond);
            var outside = outsideEndpoints?[client.ToString()].Split(':');
            var publicAddress = outside is null ? client : NetAddress.Parse(outside[0]);
            ushort publicPort = outside is null ? (ushort)40000 : ushort.Parse(outside[1], CultureInfo.InvariantCulture);
            (bool FromClient, byte[] Frame)[] conversation =
            [
                (true, PacketBuilder.Tcp(client, 40000, WebServer, 80, TcpFlags.Syn, 100, 0)),
                (false, PacketBuilder.Tcp(WebServer, 80, publicAddress, publicPort, TcpFlags.Syn | TcpFlags.Ack, 500, 101)),
                (true, PacketBuilder.Tcp(client, 40000, WebServer, 80, TcpFlags.Ack, 101, 501)),
                (true, PacketBuilder.Tcp(client, 40000, WebServer, 80, TcpFlags.Ack | TcpFlags.Psh, 101, 501, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"u8)),
                (false, PacketBuilder.Tcp(WebServer, 80, publicAddress, publicPort, TcpFlags.Ack | TcpFlags.Psh, 501, 128, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"u8)),
                (true, PacketBuilder.Tcp(client, 40000, WebServer, 80, TcpFlags.Fin | TcpFlags.Ack, 128, 539)),
                (false, PacketBuilder.Tcp(WebServer, 80, publicAddress, publicPort, TcpFlags.Fin | TcpFlags.Ack, 539, 129)),
                (true, PacketBuilder.Tcp(client, 40000, WebServer, 80, TcpFlags.Ack, 129, 540)),
            ];
            for (int p = 0; p < conversation.Length; p++)
            {
                if (outsideEndpoints is not null || conversation[p].FromClient)
                {
                    frames.Add((at + (p * Millisecond), conversation[p].Frame));
                }
            }
        }
        return frames;
    }

    /// <summary>SYNs from <paramref name="sources"/> addresses 203.0.113.1… to <paramref name="target"/>:80, 1,000 a second from each.</summary>
    public static List<(long Time, byte[] Frame)> SynFlood(int sources, int synsPerSource, NetAddress target, long startNanos)
    {
        var frames = new List<(long, byte[])>(sources * synsPerSource);
        for (int i = 0; i < sources * synsPerSource; i++)
        {
            var source = NetAddress.FromIPv4(0xCB007100u + (uint)(i % sources) + 1);
            frames.Add((startNanos + (i * 1_000_000_000L / (sources * 1000)), PacketBuilder.Tcp(source, (ushort)(1024 + (i / sources)), target, 80, TcpFlags.Syn, (uint)i, 0)));
        }
        return frames;
    }

    /// <summary>Writes <paramref name="frames"/> in time order as a pcap file.</summary>
    public static void Write(string path, IEnumerable<(long Time, byte[] Frame)> frames)
    {
        using var writer = PcapWriter.Create(path, LinkType.Ethernet);
        foreach (var (time, frame) in frames.OrderBy(f => f.Time))
        {
            writer.Write(time, frame);
        }
    }

    /// <summary>From a report's flows (key, <c>a</c>, <c>translated</c>), each client's outside endpoint: the translated key's endpoint that is not the server's.</summary>
    public static Dictionary<string, string> OutsideEndpoints(IEnumerable<(string A, string? Translated)> flows) =>
        flows.Where(f => f.Translated is not null)
            .ToDictionary(f => f.A.Split(':')[0], f => OutsideOf(f.Translated!));

    /// <summary>"tcp 192.0.2.1:40123 &lt;-&gt; 198.51.100.80:80": the endpoint that is not the server's.</summary>
    public static string OutsideOf(string translated) =>
        translated[(translated.IndexOf(' ', StringComparison.Ordinal) + 1)..].Split(" <-> ").Single(endpoint => !endpoint.StartsWith(WebServer + ":", StringComparison.Ordinal));
}
