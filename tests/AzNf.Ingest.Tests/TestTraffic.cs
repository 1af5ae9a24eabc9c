using AzNf.Generators;
using AzNf.Packets.Capture;
using AzNf.Packets.Parsing;

namespace AzNf.Ingest.Tests;

/// <summary>Frames and in-memory captures for the ingest tests.</summary>
internal static class TestTraffic
{
    public static readonly NetAddress Client = NetAddress.Parse("192.168.1.20");
    public static readonly NetAddress Server = NetAddress.Parse("10.0.0.10");
    public const long Start = 1_700_000_000_000_000_000;

    public static byte[] Tcp(bool fromClient, ushort clientPort = 40000, string payload = "") =>
        fromClient
            ? PacketBuilder.Tcp(Client, clientPort, Server, 80, TcpFlags.Ack, 1, 1, System.Text.Encoding.ASCII.GetBytes(payload))
            : PacketBuilder.Tcp(Server, 80, Client, clientPort, TcpFlags.Ack, 1, 1, System.Text.Encoding.ASCII.GetBytes(payload));

    /// <summary>An Ethernet pcap (nanosecond timestamps) of <paramref name="frames"/>, 1 µs apart unless given.</summary>
    public static CaptureReader Capture(IEnumerable<byte[]> frames, long spacingNanos = 1000, int snapLength = 262_144)
    {
        var stream = new MemoryStream();
        var writer = new PcapWriter(stream, LinkType.Ethernet, nanosecondTimestamps: true, snapLength);
        long t = Start;
        foreach (var frame in frames)
        {
            writer.Write(t, frame);
            t += spacingNanos;
        }
        stream.Position = 0;
        return CaptureReader.Open(stream, "test.pcap");
    }

    /// <summary><paramref name="flows"/> TCP conversations, alternating direction, <paramref name="packetsEach"/> packets each, interleaved.</summary>
    public static List<byte[]> Conversations(int flows, int packetsEach)
    {
        var frames = new List<byte[]>();
        for (int i = 0; i < packetsEach; i++)
        {
            for (int f = 0; f < flows; f++)
            {
                frames.Add(Tcp(fromClient: i % 2 == 0, clientPort: (ushort)(40000 + f), payload: $"p{i}"));
            }
        }
        return frames;
    }
}
