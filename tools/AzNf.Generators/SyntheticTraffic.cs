using System.Globalization;
using System.Text;
using AzNf.Packets.Parsing;

namespace AzNf.Generators;

/// <summary>What <see cref="SyntheticTraffic"/> generates.</summary>
public sealed record SyntheticTrafficOptions
{
    public int Flows { get; init; } = 200;
    public int Seed { get; init; } = 1;
    /// <summary>Every Nth flow is hostile (0: none).</summary>
    public int AttackEvery { get; init; } = 10;
    /// <summary>Share of flows over IPv6, 0..1.</summary>
    public double IPv6Share { get; init; } = 0.2;
    /// <summary>Largest TCP payload per segment (an MSS).</summary>
    public int MaxSegmentPayload { get; init; } = 1400;
    /// <summary>Response body bytes per HTTP flow, up to this many.</summary>
    public int MaxResponseBytes { get; init; } = 8000;
    public long StartNanos { get; init; } = 1_767_225_600_000_000_000; // 2026-01-01T00:00:00Z
}

/// <summary>One generated frame.</summary>
public readonly record struct SyntheticFrame(long TimestampNanos, byte[] Data);

/// <summary>
/// Deterministic synthetic traffic for <c>aznf gen</c>, tests and benchmarks: HTTP over TCP
/// (full handshakes, segmented bodies, FIN close), DNS-like UDP, ICMP echo, IPv4 and IPv6,
/// and hostile flows that the sample firewall and IDS rules catch (path traversal, SQL
/// injection split across segments, sqlmap, shellshock, telnet and SMB probes, a ping carrying
/// a covert-channel marker).
/// </summary>
public static class SyntheticTraffic
{
    private static readonly NetAddress WebServer4 = NetAddress.Parse("10.0.0.10");
    private static readonly NetAddress DnsServer4 = NetAddress.Parse("10.0.0.53");
    private static readonly NetAddress WebServer6 = NetAddress.Parse("fd00::10");

    public static IReadOnlyList<SyntheticFrame> Generate(SyntheticTrafficOptions options)
    {
        var random = new Random(options.Seed);
        var frames = new List<SyntheticFrame>();
        long spacing = 2_000_000; // flows start 2 ms apart and overlap
        for (int flow = 0; flow < options.Flows; flow++)
        {
            long start = options.StartNanos + (flow * spacing) + random.Next(0, 1_000_000);
            bool v6 = random.NextDouble() < options.IPv6Share;
            var client = v6
                ? NetAddress.Parse($"fd00::1:{random.Next(1, 0xFFFF):x}")
                : NetAddress.FromIPv4(0xC0A80000u | (uint)random.Next(1, 0xFFFF)); // 192.168.x.y
            ushort clientPort = (ushort)random.Next(32768, 61000);
            bool hostile = options.AttackEvery > 0 && flow % options.AttackEvery == options.AttackEvery - 1;
            int kind = hostile ? 100 + (flow / options.AttackEvery % 7) : random.Next(0, 10);
            var server = v6 ? WebServer6 : WebServer4;
            switch (kind)
            {
                case < 7:
                    Http(frames, random, options, start, client, clientPort, server, 80, OrdinaryRequest(random), split: false);
                    break;
                case 7 or 8:
                    if (v6)
                    {
                        goto case 9;
                    }
                    Dns(frames, random, start, client, clientPort, DnsServer4);
                    break;
                case 9:
                    Ping(frames, start, client, server, (ushort)random.Next(1, 65535), OrdinaryPingPayload);
                    break;
                case 106:
                    Ping(frames, start, client, server, (ushort)random.Next(1, 65535), CovertPingPayload);
                    break;
                case 100:
                    Http(frames, random, options, start, client, clientPort, server, 80, Request("GET /static/../../etc/passwd HTTP/1.1", "curl/8.5.0"), split: false);
                    break;
                case 101:
                    Http(frames, random, options, start, client, clientPort, server, 80, Request("GET /search?q=1%20UNION%20SELECT%20password%20FROM%20users HTTP/1.1", "Mozilla/5.0"), split: true);
                    break;
                case 102:
                    Http(frames, random, options, start, client, clientPort, server, 80, Request("GET /login?user=admin HTTP/1.1", "sqlmap/1.7.2#stable"), split: false);
                    break;
                case 103:
                    Http(frames, random, options, start, client, clientPort, server, 80, Request("GET /cgi-bin/status HTTP/1.1", "() { :; }; /bin/cat /etc/shadow"), split: true);
                    break;
                case 104:
                    SynProbe(frames, start, client, clientPort, server, 23);
                    break;
                default:
                    SynProbe(frames, start, client, clientPort, server, 445);
                    break;
            }
        }
        frames.Sort((a, b) => a.TimestampNanos.CompareTo(b.TimestampNanos));
        return frames;
    }

    private static byte[] OrdinaryRequest(Random random) =>
        Request($"GET /pages/{random.Next(1, 500)}.html HTTP/1.1", "Mozilla/5.0 (X11; Linux x86_64)");

    private static byte[] Request(string line, string userAgent) =>
        Encoding.ASCII.GetBytes($"{line}\r\nHost: www.example.test\r\nUser-Agent: {userAgent}\r\nAccept: */*\r\n\r\n");

    private static void Http(
        List<SyntheticFrame> frames, Random random, SyntheticTrafficOptions options, long t,
        NetAddress client, ushort clientPort, NetAddress server, ushort serverPort, byte[] request, bool split)
    {
        uint c = (uint)random.Next();
        uint s = (uint)random.Next();
        const long Rtt = 200_000;
        frames.Add(new(t, PacketBuilder.Tcp(client, clientPort, server, serverPort, TcpFlags.Syn, c, 0)));
        frames.Add(new(t += Rtt, PacketBuilder.Tcp(server, serverPort, client, clientPort, TcpFlags.Syn | TcpFlags.Ack, s, c + 1)));
        c++;
        s++;
        frames.Add(new(t += Rtt, PacketBuilder.Tcp(client, clientPort, server, serverPort, TcpFlags.Ack, c, s)));

        // A split request puts the hostile pattern across a segment boundary: only stream
        // reassembly sees it whole.
        int cut = split ? request.Length / 3 : request.Length;
        foreach (var part in new[] { request.AsMemory(0, cut), request.AsMemory(cut) })
        {
            if (part.Length == 0)
            {
                continue;
            }
            frames.Add(new(t += 10_000, PacketBuilder.Tcp(client, clientPort, server, serverPort, TcpFlags.Ack | TcpFlags.Psh, c, s, part.Span)));
            c += (uint)part.Length;
        }
        frames.Add(new(t += Rtt, PacketBuilder.Tcp(server, serverPort, client, clientPort, TcpFlags.Ack, s, c)));

        int body = random.Next(200, Math.Max(201, options.MaxResponseBytes));
        var response = new byte[body];
        // The response is `body` bytes in all; Content-Length counts what follows the 37-byte head
        // plus its digits (zero-padded where no digit count fits exactly).
        int digits = 1;
        while (body - 37 - digits >= (int)Math.Pow(10, digits))
        {
            digits++;
        }
        string contentLength = (body - 37 - digits).ToString(new string('0', digits), CultureInfo.InvariantCulture);
        Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Length: {contentLength}\r\n\r\n").CopyTo(response, 0);
        for (int i = 64; i < body; i++)
        {
            response[i] = (byte)('a' + (i % 26));
        }
        for (int offset = 0; offset < body; offset += options.MaxSegmentPayload)
        {
            var segment = response.AsSpan(offset, Math.Min(options.MaxSegmentPayload, body - offset));
            frames.Add(new(t += 20_000, PacketBuilder.Tcp(server, serverPort, client, clientPort, TcpFlags.Ack | TcpFlags.Psh, s, c, segment)));
            s += (uint)segment.Length;
        }
        frames.Add(new(t += Rtt, PacketBuilder.Tcp(client, clientPort, server, serverPort, TcpFlags.Ack, c, s)));
        frames.Add(new(t += 10_000, PacketBuilder.Tcp(client, clientPort, server, serverPort, TcpFlags.Fin | TcpFlags.Ack, c, s)));
        frames.Add(new(t += Rtt, PacketBuilder.Tcp(server, serverPort, client, clientPort, TcpFlags.Fin | TcpFlags.Ack, s, c + 1)));
        frames.Add(new(t + Rtt, PacketBuilder.Tcp(client, clientPort, server, serverPort, TcpFlags.Ack, c + 1, s + 1)));
    }

    private static void Dns(List<SyntheticFrame> frames, Random random, long t, NetAddress client, ushort clientPort, NetAddress server)
    {
        ushort id = (ushort)random.Next(0, 65535);
        var query = new byte[] { (byte)(id >> 8), (byte)id, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 3, (byte)'w', (byte)'w', (byte)'w', 7, (byte)'e', (byte)'x', (byte)'a', (byte)'m', (byte)'p', (byte)'l', (byte)'e', 4, (byte)'t', (byte)'e', (byte)'s', (byte)'t', 0, 0, 1, 0, 1 };
        frames.Add(new(t, PacketBuilder.Udp(client, clientPort, server, 53, query)));
        var answer = (byte[])query.Clone();
        answer[2] = 0x81;
        answer[3] = 0x80;
        frames.Add(new(t + 300_000, PacketBuilder.Udp(server, 53, client, clientPort, answer)));
    }

    // What Linux ping sends, and a marker the sample IDS rules look for (a covert channel).
    private static readonly byte[] OrdinaryPingPayload = Encoding.ASCII.GetBytes("\x10\x11\x12\x13\x14\x15\x16\x17 !\"#$%&'()*+,-./01234567");
    private static readonly byte[] CovertPingPayload = Encoding.ASCII.GetBytes("aznf-ping-0123456789abcdefghijklmnopqrstuv");

    private static void Ping(List<SyntheticFrame> frames, long t, NetAddress client, NetAddress server, ushort id, byte[] payload)
    {
        for (ushort seq = 1; seq <= 3; seq++)
        {
            frames.Add(new(t, PacketBuilder.IcmpEcho(client, server, request: true, id, seq, payload)));
            frames.Add(new(t + 150_000, PacketBuilder.IcmpEcho(server, client, request: false, id, seq, payload)));
            t += 1_000_000;
        }
    }

    private static void SynProbe(List<SyntheticFrame> frames, long t, NetAddress client, ushort clientPort, NetAddress server, ushort port)
    {
        frames.Add(new(t, PacketBuilder.Tcp(client, clientPort, server, port, TcpFlags.Syn, 1000, 0)));
        frames.Add(new(t + 1_000_000_000, PacketBuilder.Tcp(client, clientPort, server, port, TcpFlags.Syn, 1000, 0)));
    }
}
