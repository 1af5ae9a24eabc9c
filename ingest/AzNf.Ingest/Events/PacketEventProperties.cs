namespace AzNf.Ingest.Events;

/// <summary>
/// Application properties every packet event carries, next to its binary body: they let a
/// consumer or a person inspecting the hub see the flow and the origin without decoding.
/// </summary>
public static class PacketEventProperties
{
    /// <summary>The symmetric flow key as text (<c>tcp 10.0.0.1:1234 &lt;-&gt; 10.0.0.2:80</c>), or <c>unparsed</c>.</summary>
    public const string FlowKey = "aznf.flow";

    /// <summary>Where the packets were captured: a file name or an interface.</summary>
    public const string Source = "aznf.source";

    /// <summary>The 1-based capture index of the event's first packet (a long).</summary>
    public const string Sequence = "aznf.seq";

    /// <summary>
    /// On an egress event (packets a chain forwarded): the chain and input partition they came
    /// from, <c>chain/partition</c>. A consumer drops a repeat by it (see <see cref="OriginIndexes"/>).
    /// </summary>
    public const string Origin = "aznf.origin";

    /// <summary>
    /// On an egress event: the capture index of each of its packets in the origin partition,
    /// increasing, as a byte array of little-endian 64-bit numbers. A replay sends the same
    /// packets with the same indexes, so a consumer that remembers the highest index it handled
    /// per origin drops every repeated packet, even when a replay cuts events differently.
    /// </summary>
    public const string OriginIndexes = "aznf.origin.idx";

    /// <summary>The flow key of frames that could not be parsed (they are spread round-robin).</summary>
    public const string UnparsedFlow = "unparsed";

    /// <summary>The content type set on every packet event.</summary>
    public const string ContentType = "application/vnd.aznf.packets.v1";

    /// <summary>
    /// Checks that the required properties are present with the right types; on failure
    /// <paramref name="missing"/> names the property.
    /// </summary>
    public static PacketEventError Check(IDictionary<string, object> properties, out string? missing)
    {
        if (!properties.TryGetValue(FlowKey, out var flow) || flow is not string)
        {
            missing = FlowKey;
            return PacketEventError.MissingProperty;
        }
        if (!properties.TryGetValue(Source, out var source) || source is not string)
        {
            missing = Source;
            return PacketEventError.MissingProperty;
        }
        if (!properties.TryGetValue(Sequence, out var sequence) || sequence is not long)
        {
            missing = Sequence;
            return PacketEventError.MissingProperty;
        }
        missing = null;
        return PacketEventError.None;
    }
}
