using System.Numerics;
using System.Runtime.CompilerServices;
using AzNf.Packets.Parsing;

namespace AzNf.Packets.Flows;

/// <summary>
/// The symmetric, canonical 5-tuple of a flow: both directions of a connection give the same
/// key, with the lower endpoint (address, then port) first. For ICMP echo the identifier stands
/// in for both ports; other ICMP messages key on addresses alone.
/// </summary>
/// <remarks>
/// One key serves as the Event Hubs partition key, the durable entity key and the fast path's
/// flow-table key, so its string form and <see cref="StableHash"/> must never change between
/// releases or processes (no <see cref="HashCode"/>, which is seeded per process).
/// </remarks>
public readonly record struct FlowKey(NetAddress Lower, NetAddress Upper, ushort LowerPort, ushort UpperPort, byte Protocol)
{
    /// <summary>
    /// The key of the packet's flow; <paramref name="sourceIsLower"/> says whether the packet's
    /// source is the key's lower endpoint.
    /// </summary>
    public static FlowKey From(in ParsedPacket packet, out bool sourceIsLower)
    {
        ushort sourcePort, destinationPort;
        if (packet.IsIcmp)
        {
            sourcePort = destinationPort = packet.IcmpId;
        }
        else if (packet.HasTransport && !packet.IsLaterFragment)
        {
            sourcePort = packet.SourcePort;
            destinationPort = packet.DestinationPort;
        }
        else
        {
            sourcePort = destinationPort = 0;
        }

        int order = packet.Source.CompareTo(packet.Destination);
        sourceIsLower = order < 0 || (order == 0 && sourcePort <= destinationPort);
        return sourceIsLower
            ? new FlowKey(packet.Source, packet.Destination, sourcePort, destinationPort, packet.Protocol)
            : new FlowKey(packet.Destination, packet.Source, destinationPort, sourcePort, packet.Protocol);
    }

    /// <summary>Field-wise equality without the per-field comparers a record generates (flow-table hot path).</summary>
    public bool Equals(FlowKey other) =>
        Lower.Low == other.Lower.Low && Upper.Low == other.Upper.Low
        && Lower.High == other.Lower.High && Upper.High == other.Upper.High
        && LowerPort == other.LowerPort && UpperPort == other.UpperPort && Protocol == other.Protocol;

    public override int GetHashCode() => (int)StableHash;

    /// <summary>A 64-bit hash that is the same in every process and release (xxHash64-style mixing).</summary>
    public ulong StableHash
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            const ulong Prime1 = 0x9E3779B185EBCA87UL;
            const ulong Prime2 = 0xC2B2AE3D27D4EB4FUL;
            const ulong Prime3 = 0x165667B19E3779F9UL;
            ulong h = Prime3 + Protocol;
            h = Round(h, Lower.High);
            h = Round(h, Lower.Low);
            h = Round(h, Upper.High);
            h = Round(h, Upper.Low);
            h = Round(h, ((ulong)LowerPort << 16) | UpperPort);
            h ^= h >> 33;
            h *= Prime2;
            h ^= h >> 29;
            h *= Prime3;
            h ^= h >> 32;
            return h;

            static ulong Round(ulong acc, ulong input) => BitOperations.RotateLeft(acc ^ (input * Prime2), 31) * Prime1;
        }
    }

    /// <summary>The partition of <paramref name="partitionCount"/> this flow belongs to.</summary>
    public int PartitionOf(int partitionCount) => (int)(StableHash % (ulong)partitionCount);

    /// <summary>e.g. <c>tcp 10.0.0.1:1234 &lt;-&gt; 10.0.0.2:80</c>, <c>icmp 10.0.0.1 &lt;-&gt; 10.0.0.2 id 7</c>.</summary>
    public override string ToString()
    {
        string name = IpProtocol.Name(Protocol);
        if (Protocol is IpProtocol.Tcp or IpProtocol.Udp)
        {
            return $"{name} {Endpoint(Lower, LowerPort)} <-> {Endpoint(Upper, UpperPort)}";
        }
        if (Protocol is IpProtocol.Icmp or IpProtocol.IcmpV6)
        {
            return $"{name} {Lower} <-> {Upper} id {LowerPort}";
        }
        return $"{name} {Lower} <-> {Upper}";
    }

    /// <summary>An address and port as <c>10.0.0.1:80</c> or <c>[2001:db8::1]:80</c>.</summary>
    public static string Endpoint(NetAddress address, ushort port) =>
        address.IsIPv4 ? $"{address}:{port}" : $"[{address}]:{port}";
}
