using AzNf.TestOracles;
using AzNf.Generators;
using AzNf.Packets.Capture;
using AzNf.Packets.Parsing;
using AzNf.Packets.Tests.Capture;

namespace AzNf.Packets.Tests.Oracles;

/// <summary>
/// Wireshark's editcap rewrites our pcap as pcapng with its own writer (SHB, IDB with options,
/// EPBs): reading both must give the same frames, so our pcapng reader is checked against a
/// writer we did not write.
/// </summary>
public sealed class EditcapCrossCheckTests : IDisposable
{
    private readonly string _directory = OracleProcess.TempDirectory("packets");

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void EditcapPcapng_SameCaptureConverted_ReadsIdentically(bool nanoseconds)
    {
        string pcap = Path.Combine(_directory, "generated.pcap");
        string pcapng = Path.Combine(_directory, "converted.pcapng");
        WriteMixedCapture(pcap, nanoseconds);

        OracleProcess.Run("editcap", "-F", "pcapng", pcap, pcapng);
        List<CapturedFrame> fromPcap, fromPcapng;
        CaptureWarnings pcapngWarnings;
        using (var reader = CaptureReader.Open(pcap))
        {
            fromPcap = CapturedFrame.ReadAll(reader);
        }
        using (var reader = CaptureReader.Open(pcapng))
        {
            fromPcapng = CapturedFrame.ReadAll(reader);
            pcapngWarnings = reader.Warnings;
        }

        Assert.Equal([0x0A, 0x0D, 0x0D, 0x0A], File.ReadAllBytes(pcapng)[..4]);
        Assert.Equal(200, fromPcap.Count);
        Assert.Equal(fromPcap.Count, fromPcapng.Count);
        for (int i = 0; i < fromPcap.Count; i++)
        {
            Assert.True(fromPcap[i].SameAs(fromPcapng[i]), $"frame {i + 1} differs: {fromPcap[i]} vs {fromPcapng[i]}");
        }
        Assert.Equal(0, pcapngWarnings.Total);
    }

    private static void WriteMixedCapture(string path, bool nanoseconds)
    {
        var client = NetAddress.Parse("192.168.1.10");
        var server = NetAddress.Parse("10.1.2.3");
        var client6 = NetAddress.Parse("2001:db8::10");
        var server6 = NetAddress.Parse("2001:db8::1:3");
        using var writer = PcapWriter.Create(path, LinkType.Ethernet, nanoseconds);
        long time = 1_700_000_000_000_000_000L;
        for (int i = 0; i < 50; i++)
        {
            time += 1_000_123_457L + i;
            writer.Write(time, PacketBuilder.Tcp(client, (ushort)(40000 + i), server, 80, TcpFlags.Psh | TcpFlags.Ack, (uint)i, 7, new byte[i * 20]));
            writer.Write(time + 11, PacketBuilder.Udp(client6, 5353, server6, (ushort)(1000 + i), new byte[i]));
            writer.Write(time + 22, PacketBuilder.IcmpEcho(server, client, i % 2 == 0, (ushort)i, 1));
            writer.Write(time + 33, PacketBuilder.Tcp(server6, 443, client6, 50000, TcpFlags.Syn | TcpFlags.Ack, 1, 2), originalLength: 1514);
        }
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
