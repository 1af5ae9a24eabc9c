using AzNf.NetworkFunctions.Ids.AppLayer;
using System.Buffers;
using System.Text.RegularExpressions;
using AzNf.NetworkFunctions.Chain;
using AzNf.NetworkFunctions.Ids.Http;
using AzNf.Packets.Parsing;
using AzNf.Packets.Responses;

namespace AzNf.NetworkFunctions.Ids;

/// <summary>
/// The IDS element of one partition. A packet is inspected on its own payload, except a
/// segment of an established TCP flow, which (as in Suricata) is inspected as part of the
/// reassembled stream of its direction (tail of earlier bytes + the new in-order bytes), so a
/// content split across segments matches. Matching rules raise
/// alerts; a <c>drop</c> rule also drops the packet; a matching <c>pass</c> rule silences every
/// other rule for that packet. As in Suricata 7, a pass or drop matched on stream data (or by a
/// header-only rule) applies to the rest of the flow: no more inspection, every later packet
/// forwarded (pass) or dropped (drop).
/// </summary>
/// <remarks>
/// Counters: <c>alerts</c>, <c>drops</c>, <c>pcre:timeouts</c>,
/// <c>stream:out-of-order-segments</c>, <c>stream:gaps-skipped</c>, <c>stream:slots-in-use</c>,
/// <c>thresholds:suppressed</c>, <c>thresholds:table-full</c>,
/// and with HTTP rules <c>http:requests</c>, <c>http:responses</c>, <c>http:sessions-in-use</c>,
/// <c>http:bodies-truncated</c>, <c>http:pending-dropped</c>, <c>http:not-http</c>,
/// <c>http:head-too-long</c>, <c>http:bad-length</c>, <c>http:bad-chunk</c>.
/// HTTP rules are matched per transaction (see <see cref="AppLayerTransactions"/>).
/// Steady state allocates nothing per packet (alerts themselves are rare and allocated).
/// </remarks>
public sealed class IntrusionDetector : NetworkFunction<IdsFlowState>
{
    private const string AlertAction = "alert";
    private const string DropAction = "drop";
    private const string RejectAction = "reject";

    private readonly IdsDefinition _definition;
    private readonly IdsRule[] _rules;
    private readonly PartitionResources _resources;
    private readonly CandidateRuleSet _candidates;
    private readonly CandidateRuleSet _matched;
    // The app-layer transaction each app-layer rule of this packet matched in (rare: made on a match).
    private readonly Dictionary<int, (string Protocol, AlertHttp? Http)> _matchedApp = [];
    private readonly CandidateRuleSet _matchedOnStream;
    private readonly PayloadInspector _inspector;
    private readonly TcpStreamPool _streams;
    private readonly byte[] _streamBuffer;
    private readonly int _windowBytes;
    private readonly int _streamDepth;
    private readonly AppLayerSessionPool? _appLayer;
    private readonly HttpInspectionBuffers _httpBuffers = new();
    private (int Key, MultiPatternMatcher? Matcher) _packetPrefilter;
    private (int Key, MultiPatternMatcher? Matcher) _segmentPrefilter;
    // The packet an app-layer unit is matched against: the one whose bytes completed an HTTP
    // transaction's head or message, or the datagram carrying a DNS request.
    private ParsedPacket _appPacket;
    private PacketFacts _appFacts;
    private readonly Dns.DnsRequest _dnsRequest = new();
    private readonly FlowBitsPool? _flowBits;
    private readonly TransformBuffer _transformed = new();
    // Where a reject rule's answer is built (made on the first reject).
    private byte[]? _rejectBuffer;
    // The flowbits slot of the flow being processed (0 = none yet): rules read and set it during
    // Process, which writes a newly taken slot back into the flow's state.
    private int _currentBits;
    // The packet being processed, for xbits (hosts and time).
    private NetAddress _packetSource;
    private NetAddress _packetDestination;
    private long _packetTime;
    private long _xbitsTableFull;
    private AppLayerSession? _currentAppLayer;
    private long _errors;
    private long _alerts;
    private long _drops;
    private long _rejects;
    private long _rejectResponses;
    private long _outOfOrder;
    private long _gapsSkipped;
    private long _thresholdSuppressed;
    private long _dnsQuestions;
    private long _dnsMalformed;
    private long _thresholdTableFull;

    public IntrusionDetector(IdsDefinition definition, PartitionResources resources)
    {
        ArgumentNullException.ThrowIfNull(definition);
        _definition = definition;
        _rules = definition.RuleArray;
        _resources = resources;
        _candidates = new CandidateRuleSet(_rules.Length);
        _matched = new CandidateRuleSet(_rules.Length);
        _matchedOnStream = new CandidateRuleSet(_rules.Length);
        var options = definition.Options;
        _windowBytes = options.StreamWindowBytes;
        _streamDepth = options.StreamDepthBytes;
        _streamBuffer = new byte[_windowBytes + ushort.MaxValue];
        _inspector = new PayloadInspector(_streamBuffer.Length, options.InspectionRecursionLimit);
        _streams = new TcpStreamPool(_windowBytes, options.MaxBufferedSegments);
        if (definition.FlowbitNames > 0)
        {
            _flowBits = new FlowBitsPool(definition.FlowbitNames);
        }
        if (definition.HasHttpRules || !definition.TlsRules.IsEmpty || !definition.DnsRules.IsEmpty)
        {
            // A body no rule inspects is not kept (its bytes are still parsed and counted).
            var limits = new HttpLimits(
                options.HttpHeadBytes,
                definition.RequestCompleteRules.IsEmpty ? 0 : options.HttpRequestBodyBytes,
                definition.ResponseCompleteRules.IsEmpty ? 0 : options.HttpResponseBodyBytes,
                options.HttpPendingRequests);
            _appLayer = new AppLayerSessionPool(new AppLayerPartition(
                limits, new AppLayerTransactions(this), http: definition.HasHttpRules, tls: !definition.TlsRules.IsEmpty, options.TlsHelloBytes,
                dns: !definition.DnsRules.IsEmpty));
        }
    }

    public override long Errors => _errors;

    /// <summary>
    /// Section format 2: the <see cref="IdsFlowState"/> fields but the slots, then the
    /// stream windows: byte directions present (0, or 2: to_server then to_client), each:
    /// int32 tail length, tail bytes, int64 consumed, byte carry overflowed, byte carried count,
    /// int32 × count, int32 pending count, (uint32 seq, int32 length, bytes) × count; then the
    /// HTTP layer: byte 0 none, 1 not HTTP, 2 a session (<see cref="AppLayerSession.Write"/>); then the
    /// flowbits: int32 words (0 when none), uint64 × words.
    /// </summary>
    public override byte FlowFormat => 3;

    public override string? AppProtocol(int flow) => Flow(flow).AppProto switch
    {
        IdsAppProto.Http => "http",
        IdsAppProto.Tls => "tls",
        IdsAppProto.Dns => "dns",
        IdsAppProto.Failed => "failed",
        _ => null,
    };

    public override Verdict Process(ref PacketContext packet, int flow)
    {
        if (!packet.IsParsed || packet.Packet.IpVersion == 0)
        {
            return Verdict.Forward;
        }
        ref var ids = ref Flow(flow);
        if (ids.FlowVerdict == IdsFlowVerdict.Pass)
        {
            return Verdict.Forward;
        }
        if (ids.FlowVerdict == IdsFlowVerdict.Drop)
        {
            _drops++;
            return Verdict.Drop(_rules[ids.VerdictRule].DropReason);
        }
        ref readonly var header = ref packet.Packet;
        bool toServer = packet.Direction == FlowDirection.AToB;
        ids.Seen |= toServer ? IdsFlowSeen.ToServer : IdsFlowSeen.ToClient;
        _currentBits = ids.FlowBitsSlot;
        _packetSource = header.Source;
        _packetDestination = header.Destination;
        _packetTime = packet.TimestampNanos;
        bool established;
        if (header.IsTcp && header.HasTransport)
        {
            TrackHandshake(ref ids, in header, toServer);
            established = ids.Stage == IdsTcpStage.Established;
        }
        else
        {
            established = (ids.Seen & IdsFlowSeen.BothWays) == IdsFlowSeen.BothWays;
        }
        // Stream sizes as Suricata's stream_size sees them: next expected sequence minus the initial
        // one, after this packet (its bytes count when they arrive in order).
        uint clientBytes = ids.NextSequenceToServer - ids.InitialSequenceToServer;
        uint serverBytes = ids.NextSequenceToClient - ids.InitialSequenceToClient;
        if (header.IsTcp && established && header.PayloadLength > 0)
        {
            if (toServer && header.TcpSequence == ids.NextSequenceToServer)
            {
                clientBytes += (uint)header.PayloadLength;
            }
            else if (!toServer && header.TcpSequence == ids.NextSequenceToClient)
            {
                serverBytes += (uint)header.PayloadLength;
            }
        }
        var state = new PacketFacts(toServer, established, header.PayloadLength, header.IsTcp, header.TcpFlags, clientBytes, serverBytes);

        _matched.Clear();
        _matchedApp.Clear();
        _matchedOnStream.Clear();
        var payload = packet.Payload;
        _candidates.Clear();
        // Suricata inspects a segment that joins an established stream only as stream data;
        // its payload alone is inspected only for packet-only rules (dsize) and rules with
        // offset/depth. Source: Suricata 7 DetectEngineInspectRulePayloadMatches (PKT_STREAM_ADD)
        // and SigValidate (REQUIRE_PACKET for depth/offset); checked by the oracle tests.
        bool addedToStream = established && header.IsTcp && header.PayloadLength > 0 && !StreamDepthReached(in ids, packet.Direction);
        if (payload.Length > 0 && (!addedToStream || _definition.SegmentPayloadRulesExist))
        {
            var matcher = addedToStream
                ? Prefilter(_definition.SegmentPrefilter, in header, ref _segmentPrefilter)
                : Prefilter(_definition.Prefilter, in header, ref _packetPrefilter);
            matcher.Scan(payload, _candidates);
        }
        foreach (int rule in _definition.HeaderOnlyCandidates)
        {
            _candidates.Add(rule);
        }
        _candidates.Sort();
        _inspector.NewBuffer();
        foreach (int index in _candidates.Rules)
        {
            var rule = _rules[index];
            if ((addedToStream && rule.InspectsStream && !rule.AlsoInspectsSegments) || (rule.Flow & IdsFlowMatch.OnlyStream) != 0)
            {
                continue;
            }
            if (PassesPacketChecks(rule, in header, state) && PassesHeaderConditions(rule, in header, packet.Frame)
                && PassesFlowbits(rule) && PayloadMatches(rule, payload, 0, 0))
            {
                Matched(index, onStream: false);
            }
        }

        if (header.IsUdp && !_definition.DnsRules.IsEmpty && (header.DestinationPort == DnsPort || header.SourcePort == DnsPort))
        {
            if (MatchDns(in header, state, payload))
            {
                ids.AppProto = IdsAppProto.Dns;
            }
        }
        if (_appLayer is not null && header.IsTcp && (addedToStream || ids.AppLayerSlot > 0))
        {
            FeedAppLayer(ref ids, ref packet, state, addedToStream);
        }
        else if (addedToStream)
        {
            Reassemble(ref ids, ref packet, state);
        }

        // A rule that set the flow's first bit took a slot during this packet.
        ids.FlowBitsSlot = _currentBits;
        if (header.IsTcp && (header.TcpFlags & (TcpFlags.Fin | TcpFlags.Rst)) != 0)
        {
            ReleaseIfClosed(ref ids, header.TcpFlags, toServer);
        }
        return Conclude(ref packet, ref ids);
    }

    /// <summary>
    /// The matcher of <paramref name="prefilter"/> for the rules <paramref name="header"/> admits;
    /// the last one is kept in <paramref name="cache"/>, as a flow's packets come together.
    /// </summary>
    private static MultiPatternMatcher Prefilter(PortGroupedPrefilter prefilter, in ParsedPacket header, ref (int Key, MultiPatternMatcher? Matcher) cache)
    {
        int key = prefilter.Key(in header);
        if (key == cache.Key && cache.Matcher is { } kept)
        {
            return kept;
        }
        var matcher = prefilter.ForKey(key);
        cache = (key, matcher);
        return matcher;
    }

    /// <summary>
    /// Once both sides sent a FIN, or either a RST, no more stream data will be inspected: the
    /// stream slot and the app-layer session go back to their pools now rather than when the
    /// flow table ends the flow (which may be much later), so busy partitions reuse them.
    /// </summary>
    private void ReleaseIfClosed(ref IdsFlowState ids, TcpFlags flags, bool toServer)
    {
        if ((flags & TcpFlags.Fin) != 0)
        {
            ids.Seen |= toServer ? IdsFlowSeen.FinToServer : IdsFlowSeen.FinToClient;
        }
        bool closed = (flags & TcpFlags.Rst) != 0
            || (ids.Seen & (IdsFlowSeen.FinToServer | IdsFlowSeen.FinToClient)) == (IdsFlowSeen.FinToServer | IdsFlowSeen.FinToClient);
        if (!closed)
        {
            return;
        }
        // Segments still waiting for a gap keep the slot: a late segment may yet fill it.
        if (ids.StreamSlot != 0
            && _streams.Direction(ids.StreamSlot, FlowDirection.AToB).PendingCount == 0
            && _streams.Direction(ids.StreamSlot, FlowDirection.BToA).PendingCount == 0)
        {
            _streams.Return(ids.StreamSlot);
            ids.StreamSlot = 0;
            if (ids.AppLayerSlot > 0)
            {
                _appLayer!.Return(ids.AppLayerSlot);
                ids.AppLayerSlot = -1;
            }
        }
    }

    /// <summary>Records a full match: the rule's flowbits actions take effect now, so rules after it see them.</summary>
    private void Matched(int index, bool onStream)
    {
        _matched.Add(index);
        if (onStream)
        {
            _matchedOnStream.Add(index);
        }
        var rule = _rules[index];
        foreach (var xbits in rule.XbitsArray)
        {
            if (!xbits.IsCondition && !_definition.Xbits.Apply(xbits, _packetSource, _packetDestination, _packetTime))
            {
                _xbitsTableFull++;
            }
        }
        foreach (var flowbits in rule.FlowbitsArray)
        {
            if (flowbits.IsCondition)
            {
                continue;
            }
            if (_currentBits == 0)
            {
                if (flowbits.Command != IdsFlowbitsCommand.Set && flowbits.Command != IdsFlowbitsCommand.Toggle)
                {
                    continue;
                }
                _currentBits = _flowBits!.Rent();
            }
            var bits = _flowBits!.Bits(_currentBits);
            foreach (int bit in flowbits.Bits)
            {
                ulong mask = 1UL << (bit & 63);
                bits[bit >> 6] = flowbits.Command switch
                {
                    IdsFlowbitsCommand.Set => bits[bit >> 6] | mask,
                    IdsFlowbitsCommand.Unset => bits[bit >> 6] & ~mask,
                    _ => bits[bit >> 6] ^ mask,
                };
            }
        }
    }

    /// <summary>The rule's flowbits conditions against the current flow's bits (a flow without bits has none set).</summary>
    private bool PassesFlowbits(IdsRule rule)
    {
        foreach (var xbits in rule.XbitsArray)
        {
            if (xbits.IsCondition
                && _definition.Xbits.IsSet(xbits, _packetSource, _packetDestination, _packetTime) != (xbits.Command == IdsFlowbitsCommand.IsSet))
            {
                return false;
            }
        }
        foreach (var flowbits in rule.FlowbitsArray)
        {
            if (!flowbits.IsCondition)
            {
                continue;
            }
            var bits = _currentBits == 0 ? default : _flowBits!.Bits(_currentBits);
            bool wantSet = flowbits.Command == IdsFlowbitsCommand.IsSet;
            bool any = false, all = true;
            foreach (int bit in flowbits.Bits)
            {
                bool set = !bits.IsEmpty && (bits[bit >> 6] & (1UL << (bit & 63))) != 0;
                bool holds = set == wantSet;
                any |= holds;
                all &= holds;
            }
            if (flowbits.Any ? !any : !all)
            {
                return false;
            }
        }
        return true;
    }

    protected override void OnFlowEnd(int slot, ref IdsFlowState flow)
    {
        if (flow.StreamSlot != 0)
        {
            _streams.Return(flow.StreamSlot);
        }
        if (flow.AppLayerSlot > 0)
        {
            _appLayer!.Return(flow.AppLayerSlot);
        }
        if (flow.FlowBitsSlot != 0)
        {
            _flowBits!.Return(flow.FlowBitsSlot);
        }
    }

    /// <summary>
    /// Reassembles with the flow's app-layer session listening: the in-order bytes go to its parsers,
    /// whose completed heads and messages are matched (<see cref="AppLayerTransactions"/>) against
    /// this packet. A FIN or RST from the server ends a response read until close.
    /// </summary>
    private void FeedAppLayer(ref IdsFlowState ids, ref PacketContext packet, PacketFacts facts, bool addedToStream)
    {
        if (ids.AppLayerSlot == 0)
        {
            ids.AppLayerSlot = _appLayer!.Rent();
            ref readonly var header = ref packet.Packet;
            if (header.DestinationPort == DnsPort || header.SourcePort == DnsPort)
            {
                _appLayer[ids.AppLayerSlot].UseDns();
            }
        }
        if (ids.AppLayerSlot < 0)
        {
            if (addedToStream)
            {
                Reassemble(ref ids, ref packet, facts);
            }
            return;
        }
        var session = _appLayer![ids.AppLayerSlot];
        _appPacket = packet.Packet;
        _appFacts = facts;
        _currentAppLayer = session;
        try
        {
            if (addedToStream)
            {
                Reassemble(ref ids, ref packet, facts);
            }
            if (!facts.ToServer && (facts.TcpFlags & (TcpFlags.Fin | TcpFlags.Rst)) != 0)
            {
                session.ServerClosed();
            }
        }
        finally
        {
            _currentAppLayer = null;
        }
        if (ids.AppProto == IdsAppProto.Unknown)
        {
            ids.AppProto = session.Detected switch
            {
                AppLayer.AppProtocol.Http => IdsAppProto.Http,
                AppLayer.AppProtocol.Tls => IdsAppProto.Tls,
                AppLayer.AppProtocol.Dns => IdsAppProto.Dns,
                AppLayer.AppProtocol.None => IdsAppProto.Failed,
                _ => IdsAppProto.Unknown,
            };
        }
        if (session.IsDone)
        {
            _appLayer.Return(ids.AppLayerSlot);
            ids.AppLayerSlot = -1;
        }
    }

    protected override void WriteFlow(in IdsFlowState flow, IBufferWriter<byte> into)
    {
        into.WriteUInt32(flow.NextSequenceToServer);
        into.WriteUInt32(flow.NextSequenceToClient);
        into.WriteUInt32(flow.InitialSequenceToServer);
        into.WriteUInt32(flow.InitialSequenceToClient);
        into.WriteByte((byte)flow.Stage);
        into.WriteByte((byte)flow.Seen);
        into.WriteByte((byte)flow.FlowVerdict);
        into.WriteByte((byte)flow.AppProto);
        into.WriteInt32(flow.VerdictRule);
        if (flow.StreamSlot == 0)
        {
            into.WriteByte(0);
        }
        else
        {
            into.WriteByte(2);
            WriteDirection(into, _streams.Direction(flow.StreamSlot, FlowDirection.AToB));
            WriteDirection(into, _streams.Direction(flow.StreamSlot, FlowDirection.BToA));
        }
        if (flow.AppLayerSlot > 0)
        {
            into.WriteByte(2);
            _appLayer![flow.AppLayerSlot].Write(into);
        }
        else
        {
            into.WriteByte(flow.AppLayerSlot < 0 ? (byte)1 : (byte)0);
        }
        if (flow.FlowBitsSlot == 0)
        {
            into.WriteInt32(0);
            return;
        }
        var bits = _flowBits!.Bits(flow.FlowBitsSlot);
        into.WriteInt32(bits.Length);
        foreach (ulong word in bits)
        {
            into.WriteInt64((long)word);
        }
    }

    protected override void ReadFlow(ref IdsFlowState flow, ref SnapshotReader reader, bool rulesChanged)
    {
        flow.NextSequenceToServer = reader.UInt32();
        flow.NextSequenceToClient = reader.UInt32();
        flow.InitialSequenceToServer = reader.UInt32();
        flow.InitialSequenceToClient = reader.UInt32();
        flow.Stage = (IdsTcpStage)reader.Byte();
        flow.Seen = (IdsFlowSeen)reader.Byte();
        flow.FlowVerdict = (IdsFlowVerdict)reader.Byte();
        byte appProto = reader.Byte();
        flow.AppProto = appProto <= (byte)IdsAppProto.Failed ? (IdsAppProto)appProto : throw new InvalidDataException($"app protocol {appProto} is unknown");
        flow.VerdictRule = reader.Int32();
        // A decision naming a rule past this rule set cannot be this rule set's.
        rulesChanged |= (uint)flow.VerdictRule >= (uint)_rules.Length;
        if (rulesChanged)
        {
            flow.FlowVerdict = IdsFlowVerdict.None;
            flow.VerdictRule = 0;
        }
        byte directions = reader.Byte();
        if (directions == 2)
        {
            // Set before reading so that ending the flow returns the slot if the rest is bad.
            flow.StreamSlot = _streams.Rent();
            ReadDirection(ref reader, _streams.Direction(flow.StreamSlot, FlowDirection.AToB), rulesChanged);
            ReadDirection(ref reader, _streams.Direction(flow.StreamSlot, FlowDirection.BToA), rulesChanged);
        }
        else if (directions != 0)
        {
            throw new InvalidDataException($"{directions} stream directions (0 or 2 expected)");
        }
        byte http = reader.Byte();
        switch (http)
        {
            case 0:
                break;
            case 1:
                flow.AppLayerSlot = -1;
                break;
            case 2 when _appLayer is not null:
                // Set before reading so that ending the flow returns the session if the rest is bad.
                flow.AppLayerSlot = _appLayer.Rent();
                _appLayer[flow.AppLayerSlot].Read(ref reader);
                break;
            case 2:
                // This rule set has no HTTP rules: the session is read past and not kept.
                var scratch = new AppLayerSessionPool(new AppLayerPartition(new HttpLimits(int.MaxValue, 0, 0, 1), NoTransactions.Instance));
                int handle = scratch.Rent();
                scratch[handle].Read(ref reader);
                scratch.Return(handle);
                break;
            default:
                throw new InvalidDataException($"HTTP layer state {http} is unknown (0, 1 or 2 expected)");
        }
        // Flowbits are indices of the writer's flowbit names: under other rules they mean other bits, so they are dropped.
        int words = reader.Length();
        bool keepBits = !rulesChanged && _flowBits is not null && words == _flowBits.Words;
        if (keepBits)
        {
            flow.FlowBitsSlot = _flowBits!.Rent();
        }
        for (int i = 0; i < words; i++)
        {
            ulong word = (ulong)reader.Int64();
            if (keepBits)
            {
                _flowBits!.Bits(flow.FlowBitsSlot)[i] = word;
            }
        }
    }

    private static void WriteDirection(IBufferWriter<byte> into, TcpStreamDirection direction)
    {
        into.WriteBlock(direction.Tail.AsSpan(0, direction.TailLength));
        into.WriteInt64(direction.Consumed);
        into.WriteByte(direction.CarryOverflowed ? (byte)1 : (byte)0);
        var carried = direction.Carried;
        into.WriteByte((byte)carried.Length);
        foreach (int rule in carried)
        {
            into.WriteInt32(rule);
        }
        into.WriteInt32(direction.PendingCount);
        for (int i = 0; i < direction.PendingCount; i++)
        {
            into.WriteUInt32(direction.PendingSequence(i));
            into.WriteBlock(direction.PendingData(i));
        }
    }

    // The pool's window may be smaller than the one the snapshot was made with (the IDS options
    // changed with a rule update): keep the newest bytes and the earliest held segments that fit.
    // Carried rules are indices into the rules the snapshot was made under: under other rules the
    // carry is left overflowed, so the next segment rescans the whole window.
    private void ReadDirection(ref SnapshotReader reader, TcpStreamDirection direction, bool rulesChanged)
    {
        var tail = reader.Block();
        int keep = Math.Min(tail.Length, direction.Tail.Length);
        tail[^keep..].CopyTo(direction.Tail);
        direction.TailLength = keep;
        direction.Consumed = reader.Int64();
        bool keepCarry = reader.Byte() == 0 && !rulesChanged;
        int carried = reader.Byte();
        if (keepCarry)
        {
            direction.ClearCarry();
        }
        for (int i = 0; i < carried; i++)
        {
            int rule = reader.Int32();
            if (keepCarry && (uint)rule < (uint)_rules.Length)
            {
                direction.Carry(rule);
            }
        }
        int pending = reader.Length();
        for (int i = 0; i < pending; i++)
        {
            uint sequence = reader.UInt32();
            var data = reader.Block();
            if (direction.PendingCount < direction.PendingCapacity)
            {
                direction.AddPending(sequence, data);
            }
        }
    }

    public override void ReportCounters(IDictionary<string, long> into)
    {
        ArgumentNullException.ThrowIfNull(into);
        Add("alerts", _alerts);
        Add("drops", _drops);
        if (_definition.HasRejectRules)
        {
            Add("rejects", _rejects);
            Add("reject:responses", _rejectResponses);
        }
        Add("pcre:timeouts", _errors);
        Add("stream:out-of-order-segments", _outOfOrder);
        Add("stream:gaps-skipped", _gapsSkipped);
        Add("stream:slots-in-use", _streams.InUse);
        Add("thresholds:suppressed", _thresholdSuppressed);
        Add("thresholds:table-full", _thresholdTableFull);
        Add("xbits:table-full", _xbitsTableFull);
        if (!_definition.DnsRules.IsEmpty)
        {
            Add("dns:questions", _dnsQuestions);
            Add("dns:malformed", _dnsMalformed);
        }
        if (_appLayer is not null)
        {
            var app = _appLayer.Partition.Counters;
            Add("http:requests", app.Requests);
            Add("http:responses", app.Responses);
            Add("http:sessions-in-use", _appLayer.InUse);
            Add("http:bodies-truncated", app.BodiesTruncated);
            Add("http:pending-dropped", app.PendingDropped);
            Add("http:not-http", app.NotHttp);
            Add("http:head-too-long", app.HeadTooLong);
            Add("http:bad-length", app.BadLength);
            Add("http:bad-chunk", app.BadChunk);
            Add("tls:client-hellos", app.TlsHellos);
            Add("tls:not-tls", app.TlsNotTls);
            Add("tls:hello-too-long", app.TlsHelloTooLong);
            Add("dns:tcp-messages", app.DnsMessages);
        }

        void Add(string name, long value) => into[name] = into.TryGetValue(name, out long old) ? old + value : value;
    }

    private Verdict Conclude(ref PacketContext packet, ref IdsFlowState ids)
    {
        if (_matched.Count == 0)
        {
            return Verdict.Forward;
        }
        _matched.Sort();
        var matched = _matched.Rules;
        // Rules are in action order, so a matching pass rule comes first and silences the rest.
        var first = _rules[matched[0]];
        if (first.Action == IdsRuleAction.Pass)
        {
            if (AppliesToFlow(matched[0]))
            {
                ids.FlowVerdict = IdsFlowVerdict.Pass;
            }
            return Verdict.Forward;
        }
        var verdict = Verdict.Forward;
        ref readonly var header = ref packet.Packet;
        foreach (int index in matched)
        {
            var rule = _rules[index];
            if (rule.NoAlert)
            {
                continue;
            }
            if (rule.Threshold is { } threshold)
            {
                bool allowed = _definition.Thresholds.Allows(rule, threshold, in header, packet.TimestampNanos, out bool tableFull);
                _thresholdTableFull += tableFull ? 1 : 0;
                if (!allowed)
                {
                    _thresholdSuppressed++;
                    continue;
                }
            }
            bool drop = rule.Action is IdsRuleAction.Drop or IdsRuleAction.Reject;
            _resources.Alerts.Add(new Alert(
                rule.Sid, rule.Rev, rule.Msg, rule.Action switch { IdsRuleAction.Drop => DropAction, IdsRuleAction.Reject => RejectAction, _ => AlertAction }, header.Protocol,
                header.Source, header.SourcePort, header.Destination, header.DestinationPort,
                packet.Index, rule.Classtype, _definition.Name, rule.Priority, rule.Category, rule.Metadata,
                packet.TimestampNanos, FlowId.Of(in packet),
                _matchedApp.TryGetValue(index, out var app) ? app.Protocol : null, app.Http, rule.References));
            _alerts++;
            if (rule.Action == IdsRuleAction.Reject)
            {
                Reject(ref packet, rule.RejectTo);
            }
            if (drop && !verdict.IsDrop)
            {
                verdict = Verdict.Drop(rule.DropReason);
                _drops++;
                if (AppliesToFlow(index))
                {
                    ids.FlowVerdict = IdsFlowVerdict.Drop;
                    ids.VerdictRule = index;
                }
            }
        }
        return verdict;
    }

    /// <summary>
    /// Answers a packet a reject rule matched (a TCP reset, else an ICMP port unreachable; see
    /// <see cref="RejectPacket"/>) and hands the answer to the partition's output, if any: the
    /// chain has no network to send it on, so whoever runs it decides where answers go.
    /// </summary>
    private void Reject(ref PacketContext packet, IdsRejectTarget target)
    {
        _rejects++;
        if ((target & IdsRejectTarget.Source) != 0)
        {
            Answer(ref packet, toSource: true);
        }
        if ((target & IdsRejectTarget.Destination) != 0)
        {
            Answer(ref packet, toSource: false);
        }
    }

    private void Answer(ref PacketContext packet, bool toSource)
    {
        _rejectBuffer ??= new byte[RejectPacket.MaxLength];
        int length = RejectPacket.Build(packet.Frame, in packet.Packet, toSource, _rejectBuffer);
        if (length > 0)
        {
            _rejectResponses++;
            _resources.Alerts.Output?.Answered(in packet, _definition.Name, _rejectBuffer.AsSpan(0, length));
        }
    }

    /// <summary>
    /// Suricata 7 applies pass/drop to the whole flow when the match was on stream data or the
    /// rule is header-only (SIG_PROP_FLOW_ACTION_FLOW / _FLOW_IF_STATEFUL); otherwise to the packet.
    /// </summary>
    private bool AppliesToFlow(int index) => _matchedOnStream.Contains(index) || _rules[index].IsHeaderOnly;

    private void TrackHandshake(ref IdsFlowState ids, in ParsedPacket header, bool toServer)
    {
        var synAck = header.TcpFlags & (TcpFlags.Syn | TcpFlags.Ack);
        if (ids.Stage == IdsTcpStage.Established && synAck == TcpFlags.Syn && toServer
            && header.TcpSequence + 1 != ids.NextSequenceToServer)
        {
            // A new connection reusing the 5-tuple (source-port reuse) while the flow entry
            // lives: start over, so the old stream's bytes and sequence numbers do not leak in.
            if (ids.StreamSlot != 0)
            {
                _streams.Return(ids.StreamSlot);
            }
            if (ids.AppLayerSlot > 0)
            {
                _appLayer!.Return(ids.AppLayerSlot);
            }
            if (ids.FlowBitsSlot != 0)
            {
                _flowBits!.Return(ids.FlowBitsSlot);
                _currentBits = 0;
            }
            ids = default;
            ids.Seen = IdsFlowSeen.ToServer;
        }
        switch (ids.Stage)
        {
            case IdsTcpStage.None or IdsTcpStage.SynSent when synAck == TcpFlags.Syn && toServer:
                ids.Stage = IdsTcpStage.SynSent;
                ids.NextSequenceToServer = header.TcpSequence + 1;
                ids.InitialSequenceToServer = header.TcpSequence;
                break;
            case IdsTcpStage.SynSent when synAck == (TcpFlags.Syn | TcpFlags.Ack) && !toServer
                && header.TcpAcknowledgment == ids.NextSequenceToServer:
                ids.Stage = IdsTcpStage.SynAckSeen;
                ids.NextSequenceToClient = header.TcpSequence + 1;
                ids.InitialSequenceToClient = header.TcpSequence;
                break;
            case IdsTcpStage.SynAckSeen when synAck == TcpFlags.Ack && toServer
                && header.TcpAcknowledgment == ids.NextSequenceToClient:
                ids.Stage = IdsTcpStage.Established;
                break;
        }
    }

    private bool StreamDepthReached(in IdsFlowState ids, FlowDirection direction) =>
        _streamDepth == 0 || (ids.StreamSlot != 0 && _streams.Direction(ids.StreamSlot, direction).Consumed >= _streamDepth);

    private static bool PassesPacketChecks(IdsRule rule, in ParsedPacket header, PacketFacts facts)
    {
        if (!rule.MatchesHeader(in header))
        {
            return false;
        }
        var flow = rule.Flow;
        if (flow != IdsFlowMatch.None)
        {
            if ((flow & IdsFlowMatch.ToServer) != 0 && !facts.ToServer
                || (flow & IdsFlowMatch.ToClient) != 0 && facts.ToServer
                || (flow & IdsFlowMatch.Established) != 0 && !facts.Established
                || (flow & IdsFlowMatch.NotEstablished) != 0 && facts.Established)
            {
                return false;
            }
        }
        if (rule.Dsize is { } dsize && (facts.PayloadLength < dsize.Min || facts.PayloadLength > dsize.Max))
        {
            return false;
        }
        if (rule.StreamSize is { } size && !(facts.IsTcp && size.Matches(facts.ClientBytes, facts.ServerBytes)))
        {
            return false;
        }
        return rule.TcpFlags is null || (facts.IsTcp && rule.TcpFlags.Matches(facts.TcpFlags));
    }

    private static bool PassesHeaderConditions(IdsRule rule, in ParsedPacket header, ReadOnlySpan<byte> frame)
    {
        foreach (var condition in rule.HeaderChecks)
        {
            if (!condition.Matches(in header, frame))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// Matches the HTTP rules of one moment of a transaction against the packet that completed
    /// it: candidates from each buffer's prefilter, then header checks, then every buffer's checks.
    /// Each rule belongs to one moment, so it is matched at most once per transaction.
    /// </summary>
    private void MatchHttp(AppLayerRuleSet set, HttpMessage? request, HttpMessage? response, bool responseSide)
    {
        if (set.IsEmpty)
        {
            return;
        }
        _httpBuffers.Set(request, response, responseSide);
        MatchAppLayer(set, _httpBuffers);
    }

    private const ushort DnsPort = 53;

    /// <summary>
    /// A UDP datagram to or from port 53 (Suricata's default DNS detection port) that is a DNS
    /// request: the DNS rules are matched on each of its questions.
    /// </summary>
    /// <returns>Whether the payload is a DNS request.</returns>
    private bool MatchDns(in ParsedPacket header, PacketFacts facts, ReadOnlySpan<byte> payload)
    {
        if (!Dns.DnsRequest.IsRequest(payload, out int questions))
        {
            return false;
        }
        _appPacket = header;
        _appFacts = facts;
        int offset = 12;
        for (int i = 0; i < questions && offset > 0; i++)
        {
            offset = _dnsRequest.ReadQuestion(payload, offset);
            if (offset > 0)
            {
                _dnsQuestions++;
                MatchAppLayer(_definition.DnsRules, _dnsRequest);
            }
            else
            {
                _dnsMalformed++;
            }
        }
        return true;
    }

    private void MatchAppLayer(AppLayerRuleSet set, IInspectionBuffers buffers)
    {
        _candidates.Clear();
        foreach (var (buffer, matcher) in set.Prefilters)
        {
            if (buffers.TryGet(buffer, out var bytes))
            {
                matcher.Scan(bytes, _candidates);
            }
        }
        foreach (int rule in set.Always)
        {
            _candidates.Add(rule);
        }
        foreach (int index in _candidates.Rules)
        {
            var rule = _rules[index];
            if (!_matched.Contains(index) && PassesPacketChecks(rule, in _appPacket, _appFacts) && PassesFlowbits(rule) && BuffersMatch(rule, buffers))
            {
                Matched(index, onStream: true);
                _matchedApp[index] = buffers switch
                {
                    Http.HttpInspectionBuffers => ("http", AlertHttp.From(buffers)),
                    Tls.TlsClientHello => ("tls", null),
                    _ => ("dns", null),
                };
            }
        }
    }

    private bool BuffersMatch(IdsRule rule, IInspectionBuffers buffers)
    {
        if (rule.Checks.Length > 0)
        {
            if (!buffers.TryGet(IdsBuffer.Payload, out var raw) || !ChecksMatch(rule.Checks, raw))
            {
                return false;
            }
        }
        foreach (var group in rule.BufferGroups)
        {
            if (!buffers.TryGet(group.Buffer, out var bytes))
            {
                return false;
            }
            if (group.TransformArray.Length > 0)
            {
                bytes = _transformed.Apply(bytes, group.TransformArray);
            }
            if (group.Length is { } length && (bytes.Length < length.Min || bytes.Length > length.Max))
            {
                return false;
            }
            if (group.Checks.Length > 0 && !ChecksMatch(group.Checks, bytes))
            {
                return false;
            }
        }
        return true;
    }

    private bool ChecksMatch(IdsPayloadCheck[] checks, ReadOnlySpan<byte> buffer)
    {
        _inspector.NewBuffer();
        try
        {
            return _inspector.Matches(checks, buffer);
        }
        catch (RegexMatchTimeoutException)
        {
            _errors++;
            return false;
        }
    }

    /// <summary>Where the app layer hands its units (HTTP transaction moments, ClientHellos, DNS messages) to the detector; their rules are matched there.</summary>
    private sealed class AppLayerTransactions(IntrusionDetector ids) : IAppLayerSink
    {
        private readonly IdsDefinition _definition = ids._definition;

        public void RequestHead(HttpMessage request) =>
            ids.MatchHttp(_definition.RequestHeadRules, request, null, responseSide: false);

        public void RequestComplete(HttpMessage request) =>
            ids.MatchHttp(_definition.RequestCompleteRules, request, null, responseSide: false);

        public void ResponseHead(HttpMessage response) =>
            ids.MatchHttp(_definition.ResponseHeadRules, null, response, responseSide: true);

        public void ResponseComplete(HttpMessage response) =>
            ids.MatchHttp(_definition.ResponseCompleteRules, null, response, responseSide: true);

        public void TlsClientHello(Tls.TlsClientHello hello) => ids.MatchAppLayer(_definition.TlsRules, hello);

        public void DnsMessage(ReadOnlySpan<byte> message) => _ = ids.MatchDns(in ids._appPacket, ids._appFacts, message);
    }

    /// <summary>A sink for sessions that are only read past (a snapshot's HTTP state under rules without HTTP).</summary>
    private sealed class NoTransactions : IAppLayerSink
    {
        public static readonly NoTransactions Instance = new();

        public void RequestHead(HttpMessage request) { }

        public void RequestComplete(HttpMessage request) { }

        public void ResponseHead(HttpMessage response) { }

        public void ResponseComplete(HttpMessage response) { }

        public void TlsClientHello(Tls.TlsClientHello hello) { }

        public void DnsMessage(ReadOnlySpan<byte> message) { }
    }

    private bool PayloadMatches(IdsRule rule, ReadOnlySpan<byte> buffer, long streamBase, int minEnd)
    {
        if (rule.Checks.Length == 0)
        {
            return true;
        }
        try
        {
            return _inspector.Matches(rule, buffer, streamBase, minEnd);
        }
        catch (RegexMatchTimeoutException)
        {
            // A pathological pcre must not stall the partition: count it and treat it as no match.
            _errors++;
            return false;
        }
    }

    private void Reassemble(ref IdsFlowState ids, ref PacketContext packet, PacketFacts facts)
    {
        if (ids.StreamSlot == 0)
        {
            ids.StreamSlot = _streams.Rent();
        }
        var direction = _streams.Direction(ids.StreamSlot, packet.Direction);
        ref uint next = ref facts.ToServer ? ref ids.NextSequenceToServer : ref ids.NextSequenceToClient;
        var payload = packet.Payload;
        uint sequence = packet.Packet.TcpSequence;
        int ahead = (int)(sequence - next);
        while (ahead > 0 && direction.PendingCount == direction.PendingCapacity)
        {
            // No room to wait for the gap: give it up and carry on from the earliest held segment.
            if (direction.PendingCapacity == 0)
            {
                next = sequence;
            }
            else
            {
                next = direction.PendingSequence(direction.EarliestPending(next));
                Drain(direction, ref next, ref packet, facts);
            }
            _gapsSkipped++;
            ahead = (int)(sequence - next);
        }
        if (ahead > 0)
        {
            direction.AddPending(sequence, payload);
            _outOfOrder++;
            return;
        }
        if (-ahead < payload.Length)
        {
            // Bytes already consumed keep their first-seen value; only the new part is appended.
            Consume(direction, payload[(-ahead)..], ref next, ref packet, facts);
            Drain(direction, ref next, ref packet, facts);
        }
    }

    private void Drain(TcpStreamDirection direction, ref uint next, ref PacketContext packet, PacketFacts facts)
    {
        while (true)
        {
            int index = direction.EarliestPending(next);
            if (index < 0)
            {
                return;
            }
            int ahead = (int)(direction.PendingSequence(index) - next);
            if (ahead > 0)
            {
                return;
            }
            var data = direction.PendingData(index);
            if (-ahead < data.Length)
            {
                Consume(direction, data[(-ahead)..], ref next, ref packet, facts);
            }
            direction.RemovePending(index);
        }
    }

    private void Consume(TcpStreamDirection direction, ReadOnlySpan<byte> data, ref uint next, ref PacketContext packet, PacketFacts facts)
    {
        next += (uint)data.Length;
        long room = _streamDepth - direction.Consumed;
        if (room <= 0)
        {
            return;
        }
        if (data.Length > room)
        {
            data = data[..(int)room];
        }
        _currentAppLayer?.Feed(facts.ToServer, data);
        int tail = direction.TailLength;
        direction.Tail.AsSpan(0, tail).CopyTo(_streamBuffer);
        data.CopyTo(_streamBuffer.AsSpan(tail));
        var buffer = _streamBuffer.AsSpan(0, tail + data.Length);
        InspectStream(direction, buffer, direction.Consumed - tail, tail, ref packet, facts);

        int keep = Math.Min(_windowBytes, buffer.Length);
        buffer[^keep..].CopyTo(direction.Tail);
        direction.TailLength = keep;
        direction.Consumed += data.Length;
    }

    private void InspectStream(TcpStreamDirection direction, ReadOnlySpan<byte> buffer, long streamBase, int minEnd, ref PacketContext packet, PacketFacts facts)
    {
        _candidates.Clear();
        // Only bytes that can end a pattern in the new data are rescanned; rules with more than
        // one check whose fast pattern sits wholly in the kept window were nominated by an
        // earlier scan and are carried by the direction. If the carry overflowed, rescan it all.
        bool rescanAll = direction.CarryOverflowed;
        int scanFrom = rescanAll ? 0 : Math.Max(0, minEnd - (_definition.LongestFastPattern - 1));
        Prefilter(_definition.Prefilter, in packet.Packet, ref _packetPrefilter).Scan(buffer[scanFrom..], _candidates);
        if (rescanAll)
        {
            direction.ClearCarry();
        }
        else
        {
            foreach (int rule in direction.Carried)
            {
                _candidates.Add(rule);
            }
        }
        foreach (int index in _candidates.Rules)
        {
            if (_rules[index].NeedsCarry)
            {
                direction.Carry(index);
            }
        }
        foreach (int rule in _definition.StreamCandidatesWithoutPattern)
        {
            _candidates.Add(rule);
        }
        _inspector.NewBuffer();
        ref readonly var header = ref packet.Packet;
        foreach (int index in _candidates.Rules)
        {
            var rule = _rules[index];
            if (rule.InspectsStream && !_matched.Contains(index)
                && PassesPacketChecks(rule, in header, facts) && PassesHeaderConditions(rule, in header, packet.Frame)
                && PassesFlowbits(rule) && PayloadMatches(rule, buffer, streamBase, minEnd))
            {
                Matched(index, onStream: true);
            }
        }
    }

    /// <summary>What the rule checks other than payload need to know about the packet.</summary>
    private readonly record struct PacketFacts(bool ToServer, bool Established, int PayloadLength, bool IsTcp, TcpFlags TcpFlags, uint ClientBytes, uint ServerBytes);
}
