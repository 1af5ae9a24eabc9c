using AzNf.Generators;
using AzNf.Packets.Parsing;

namespace AzNf.NetworkFunctions.Tests;

/// <summary>Short names for the frames the chain tests build.</summary>
internal static class TestPackets
{
    public static readonly NetAddress Client = NetAddress.Parse("192.168.1.20");
    public static readonly NetAddress Server = NetAddress.Parse("10.0.0.10");

    public static byte[] Tcp(bool fromClient, TcpFlags flags, uint seq = 1, uint ack = 0, string payload = "", ushort clientPort = 40000, ushort serverPort = 80) =>
        fromClient
            ? PacketBuilder.Tcp(Client, clientPort, Server, serverPort, flags, seq, ack, System.Text.Encoding.ASCII.GetBytes(payload))
            : PacketBuilder.Tcp(Server, serverPort, Client, clientPort, flags, seq, ack, System.Text.Encoding.ASCII.GetBytes(payload));

    public static byte[] Udp(bool fromClient, string payload = "q", ushort clientPort = 50000, ushort serverPort = 53) =>
        fromClient
            ? PacketBuilder.Udp(Client, clientPort, Server, serverPort, System.Text.Encoding.ASCII.GetBytes(payload))
            : PacketBuilder.Udp(Server, serverPort, Client, clientPort, System.Text.Encoding.ASCII.GetBytes(payload));
}
