using AzNf.Generators;
using AzNf.Packets.Parsing;

namespace AzNf.NetworkFunctions.Tests.Ids;

/// <summary>
/// Builds the frames of one TCP connection with consistent sequence numbers (handshake, data
/// each acknowledged by the peer, FIN teardown), so Suricata's stream engine follows it too.
/// </summary>
internal sealed class TcpConversation(string client, ushort clientPort, string server, ushort serverPort)
{
    private readonly NetAddress _client = NetAddress.Parse(client);
    private readonly NetAddress _server = NetAddress.Parse(server);
    private uint _clientSequence = 1000;
    private uint _serverSequence = 50_000;

    public List<byte[]> Frames { get; } = [];

    public TcpConversation Handshake(TcpFlags extraSynFlags = TcpFlags.None)
    {
        Frames.Add(PacketBuilder.Tcp(_client, clientPort, _server, serverPort, TcpFlags.Syn | extraSynFlags, _clientSequence, 0));
        _clientSequence++;
        Frames.Add(PacketBuilder.Tcp(_server, serverPort, _client, clientPort, TcpFlags.Syn | TcpFlags.Ack, _serverSequence, _clientSequence));
        _serverSequence++;
        Frames.Add(PacketBuilder.Tcp(_client, clientPort, _server, serverPort, TcpFlags.Ack, _clientSequence, _serverSequence));
        return this;
    }

    public TcpConversation Client(string text, bool acknowledged = true) => Client(Bytes(text), acknowledged);

    public TcpConversation Client(byte[] data, bool acknowledged = true)
    {
        Frames.Add(PacketBuilder.Tcp(_client, clientPort, _server, serverPort, TcpFlags.Psh | TcpFlags.Ack, _clientSequence, _serverSequence, data));
        _clientSequence += (uint)data.Length;
        if (acknowledged)
        {
            Frames.Add(PacketBuilder.Tcp(_server, serverPort, _client, clientPort, TcpFlags.Ack, _serverSequence, _clientSequence));
        }
        return this;
    }

    public TcpConversation Server(string text) => Server(Bytes(text));

    public TcpConversation Server(byte[] data)
    {
        Frames.Add(PacketBuilder.Tcp(_server, serverPort, _client, clientPort, TcpFlags.Psh | TcpFlags.Ack, _serverSequence, _clientSequence, data));
        _serverSequence += (uint)data.Length;
        Frames.Add(PacketBuilder.Tcp(_client, clientPort, _server, serverPort, TcpFlags.Ack, _clientSequence, _serverSequence));
        return this;
    }

    /// <summary>Sends the client's next two segments in reverse order, then one ACK for both.</summary>
    public TcpConversation ClientOutOfOrder(string first, string second)
    {
        var a = Bytes(first);
        var b = Bytes(second);
        Frames.Add(PacketBuilder.Tcp(_client, clientPort, _server, serverPort, TcpFlags.Psh | TcpFlags.Ack, _clientSequence + (uint)a.Length, _serverSequence, b));
        Frames.Add(PacketBuilder.Tcp(_client, clientPort, _server, serverPort, TcpFlags.Psh | TcpFlags.Ack, _clientSequence, _serverSequence, a));
        _clientSequence += (uint)(a.Length + b.Length);
        Frames.Add(PacketBuilder.Tcp(_server, serverPort, _client, clientPort, TcpFlags.Ack, _serverSequence, _clientSequence));
        return this;
    }

    /// <summary>Resends bytes at an earlier sequence number (a retransmission with different data).</summary>
    public TcpConversation ClientRetransmit(int bytesBack, string data)
    {
        Frames.Add(PacketBuilder.Tcp(_client, clientPort, _server, serverPort, TcpFlags.Psh | TcpFlags.Ack, _clientSequence - (uint)bytesBack, _serverSequence, Bytes(data)));
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

    public static byte[] Bytes(string text) => System.Text.Encoding.Latin1.GetBytes(text);

    public static string Text(byte[] bytes) => System.Text.Encoding.Latin1.GetString(bytes);
}
