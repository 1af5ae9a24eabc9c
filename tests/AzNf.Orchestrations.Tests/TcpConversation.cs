using AzNf.Generators;
using AzNf.Packets.Parsing;

namespace AzNf.Orchestrations.Tests;

/// <summary>The frames of one TCP connection with consistent sequence numbers (handshake, data each acknowledged, FIN teardown).</summary>
internal sealed class TcpConversation(string client, ushort clientPort, string server, ushort serverPort)
{
    private readonly NetAddress _client = NetAddress.Parse(client);
    private readonly NetAddress _server = NetAddress.Parse(server);
    private uint _clientSequence = 1000;
    private uint _serverSequence = 50_000;

    public List<byte[]> Frames { get; } = [];

    public TcpConversation Handshake()
    {
        Frames.Add(PacketBuilder.Tcp(_client, clientPort, _server, serverPort, TcpFlags.Syn, _clientSequence, 0));
        _clientSequence++;
        Frames.Add(PacketBuilder.Tcp(_server, serverPort, _client, clientPort, TcpFlags.Syn | TcpFlags.Ack, _serverSequence, _clientSequence));
        _serverSequence++;
        Frames.Add(PacketBuilder.Tcp(_client, clientPort, _server, serverPort, TcpFlags.Ack, _clientSequence, _serverSequence));
        return this;
    }

    public TcpConversation Client(string text)
    {
        var data = System.Text.Encoding.Latin1.GetBytes(text);
        Frames.Add(PacketBuilder.Tcp(_client, clientPort, _server, serverPort, TcpFlags.Psh | TcpFlags.Ack, _clientSequence, _serverSequence, data));
        _clientSequence += (uint)data.Length;
        Frames.Add(PacketBuilder.Tcp(_server, serverPort, _client, clientPort, TcpFlags.Ack, _serverSequence, _clientSequence));
        return this;
    }

    public TcpConversation Close()
    {
        Frames.Add(PacketBuilder.Tcp(_client, clientPort, _server, serverPort, TcpFlags.Fin | TcpFlags.Ack, _clientSequence, _serverSequence));
        _clientSequence++;
        Frames.Add(PacketBuilder.Tcp(_server, serverPort, _client, clientPort, TcpFlags.Fin | TcpFlags.Ack, _serverSequence, _clientSequence));
        _serverSequence++;
        Frames.Add(PacketBuilder.Tcp(_client, clientPort, _server, serverPort, TcpFlags.Ack, _clientSequence, _serverSequence));
        return this;
    }
}
