using AzNf.NetworkFunctions.Rules;
using AzNf.Packets.Parsing;

namespace AzNf.NetworkFunctions.Ids;

/// <summary>
/// One compiled rule: the header as precompiled address and port sets, the options as plain
/// fields. Immutable once the definition is built and shared read-only by all partitions.
/// </summary>
public sealed class IdsRule
{
    public required IdsRuleAction Action { get; init; }

    /// <summary>Whom a <see cref="IdsRuleAction.Reject"/> rule answers; <see cref="IdsRejectTarget.None"/> for other actions.</summary>
    public IdsRejectTarget RejectTo { get; init; }

    /// <summary>IP protocol number, or 0 for <c>ip</c> (any protocol).</summary>
    public required byte Protocol { get; init; }

    public required AddressSet Source { get; init; }

    public required PortSet SourcePorts { get; init; }

    public required AddressSet Destination { get; init; }

    public required PortSet DestinationPorts { get; init; }

    /// <summary><c>&lt;&gt;</c>: the header may match in either direction.</summary>
    public required bool Bidirectional { get; init; }

    public required int Sid { get; init; }

    public int Rev { get; internal set; }

    public string Msg { get; internal set; } = "";

    public string? Classtype { get; internal set; }

    /// <summary>The rule's priority: its <c>priority</c> keyword, else its classtype's in the classification file; null when neither.</summary>
    public int? Priority { get; internal set; }

    /// <summary>The classtype's description from the classification file; null without one.</summary>
    public string? Category { get; internal set; }

    /// <summary>The <c>metadata</c> keyword(s): key → values, in rule order; null when the rule has none.</summary>
    public IReadOnlyDictionary<string, string[]>? Metadata { get; internal set; }

    /// <summary>The rule's references as links (with a reference file only; see <see cref="ReferenceSystems"/>).</summary>
    public string[]? References { get; internal set; }

    /// <summary>Where the rule was read, e.g. <c>local.rules:12</c>.</summary>
    public required string Location { get; init; }

    /// <summary>The rule as written (continuation lines joined).</summary>
    public string Text { get; init; } = "";

    public IdsFlowMatch Flow { get; internal set; }

    /// <summary>dsize bounds, inclusive; null when the rule has no dsize.</summary>
    public (int Min, int Max)? Dsize { get; internal set; }

    /// <summary>Header keywords (itype, icode, ttl, ...): all must hold.</summary>
    public IReadOnlyList<IdsHeaderCondition> HeaderConditions => HeaderChecks;

    internal IdsHeaderCondition[] HeaderChecks { get; set; } = [];

    /// <summary>The rule's <c>flowbits</c> keywords, conditions and actions.</summary>
    public IReadOnlyList<IdsFlowbits> Flowbits => FlowbitsArray;

    internal IdsFlowbits[] FlowbitsArray { get; set; } = [];

    /// <summary>The rule's <c>xbits</c> keywords (bits of hosts or host pairs), conditions and actions.</summary>
    public IReadOnlyList<IdsXbits> Xbits => XbitsArray;

    internal IdsXbits[] XbitsArray { get; set; } = [];

    /// <summary><c>flowbits:noalert</c> or <c>noalert</c>: the rule sets its bits but raises no alert.</summary>
    public bool NoAlert { get; internal set; }

    /// <summary>Evaluation rank within an action (Suricata's flowbits ordering): setters before readers.</summary>
    internal int FlowbitsRank
    {
        get
        {
            bool sets = FlowbitsArray.Any(f => !f.IsCondition) || XbitsArray.Any(x => !x.IsCondition);
            bool reads = FlowbitsArray.Any(f => f.IsCondition) || XbitsArray.Any(x => x.IsCondition);
            return sets ? (reads ? 1 : 0) : reads ? 3 : 2;
        }
    }

    /// <summary>The rule's <c>threshold</c> or <c>detection_filter</c>; null when it has none.</summary>
    public IdsThreshold? Threshold { get; internal set; }

    /// <summary>The <c>stream_size</c> condition; null when the rule has none.</summary>
    public IdsStreamSize? StreamSize { get; internal set; }

    /// <summary>The TCP flags condition; null when the rule has no flags keyword.</summary>
    public IdsTcpFlagsCondition? TcpFlags { get; internal set; }

    public IReadOnlyList<IdsPayloadCheck> PayloadChecks => Checks;

    /// <summary>True for an HTTP rule (<c>alert http</c>, or any HTTP buffer): matched once per transaction, not per packet.</summary>
    public bool IsHttp { get; internal set; }

    /// <summary>True for a DNS rule (<c>alert dns</c>, or <c>dns.query</c>): matched once per DNS request, on each question.</summary>
    public bool IsDns { get; internal set; }

    /// <summary>True for a TLS rule (<c>alert tls</c>, or <c>tls.sni</c>): matched once per ClientHello.</summary>
    public bool IsTls { get; internal set; }

    /// <summary>An app-layer rule (HTTP, DNS or TLS): matched on the app layer's buffers, never on raw packets or streams.</summary>
    public bool IsAppLayer => IsHttp || IsDns || IsTls;

    /// <summary>An HTTP rule's checks on HTTP buffers, one group per buffer (its payload checks stay in <see cref="PayloadChecks"/>).</summary>
    public IReadOnlyList<IdsBufferChecks> BufferChecks => BufferGroups;

    internal IdsBufferChecks[] BufferGroups { get; set; } = [];

    /// <summary>An HTTP rule's side: true when it inspects the response (to_client), false for the request.</summary>
    public bool InspectsResponse { get; internal set; }

    /// <summary>An HTTP rule that needs a body (or the raw message): matched when the message is complete, else when its headers are.</summary>
    public bool NeedsCompleteMessage { get; internal set; }

    /// <summary>The payload checks as an array, so the hot path indexes without interface calls.</summary>
    internal IdsPayloadCheck[] Checks { get; set; } = [];

    /// <summary>True when any payload check needs a regex, so the caller prepares a char view.</summary>
    public bool HasRegex { get; internal set; }

    /// <summary>The content that drives the prefilter (longest positive one, or the one marked <c>fast_pattern</c>).</summary>
    public IdsPayloadCheck? FastPatternCheck { get; internal set; }

    /// <summary>
    /// True when the rule may match on the reassembled TCP stream as well as the packet: it has
    /// payload checks and no per-packet keyword (dsize), as Suricata decides.
    /// </summary>
    public bool InspectsStream { get; internal set; }

    /// <summary>
    /// True when a stream-inspected rule also checks each segment's own payload: Suricata does so
    /// for TCP rules whose contents use <c>offset</c> or <c>depth</c> (they stay packet-anchored).
    /// </summary>
    public bool AlsoInspectsSegments { get; internal set; }

    /// <summary>
    /// True when the rule checks nothing but its header; its pass/drop then applies to the whole
    /// flow (Suricata's IP-only signatures).
    /// </summary>
    public bool IsHeaderOnly => !IsAppLayer && Checks.Length == 0 && Flow == IdsFlowMatch.None && Dsize is null && TcpFlags is null && StreamSize is null
        && HeaderChecks.Length == 0 && FlowbitsArray.Length == 0 && XbitsArray.Length == 0;

    /// <summary>
    /// True for a stream rule with a fast pattern and further checks: it may complete in a later
    /// segment after its fast pattern has left the rescanned bytes, so the stream carries it.
    /// </summary>
    public bool NeedsCarry { get; internal set; }

    /// <summary>The cached verdict reason, e.g. <c>ids:sid:2001</c>, so dropping allocates nothing.</summary>
    public string DropReason { get; internal set; } = "";

    /// <summary>The header check: protocol, then addresses and ports (either way for <c>&lt;&gt;</c>).</summary>
    public bool MatchesHeader(in ParsedPacket packet)
    {
        if (Protocol != 0 && Protocol != packet.Protocol
            && !(Protocol == IpProtocol.Icmp && packet.Protocol == IpProtocol.IcmpV6))
        {
            return false;
        }
        ushort sp = packet.SourcePort, dp = packet.DestinationPort;
        if (Source.Contains(packet.Source) && Destination.Contains(packet.Destination)
            && SourcePorts.Contains(sp) && DestinationPorts.Contains(dp))
        {
            return true;
        }
        return Bidirectional
            && Source.Contains(packet.Destination) && Destination.Contains(packet.Source)
            && SourcePorts.Contains(dp) && DestinationPorts.Contains(sp);
    }
}
