using System.Buffers;
using System.Collections.Frozen;
using System.Runtime.CompilerServices;
using AzNf.NetworkFunctions.Chain;
using AzNf.Packets.Parsing;

namespace AzNf.NetworkFunctions.Firewall;

/// <summary>
/// The stateful firewall element, one per partition.
/// </summary>
/// <remarks>
/// <para><b>Synopsis</b>: tracks each flow's connection (<see cref="ConnectionTracker"/>), then
/// applies the first matching rule for the packet's connection state, or the default policy.
/// The rule list runs once per connection and packet class (originator-new,
/// originator-established, responder); the answer is cached in the flow's
/// <see cref="ConntrackFlowState"/>, so steady-state packets cost a state-machine step and a
/// table lookup. A connection whose first packet is denied is not created (as in Linux, where
/// an unconfirmed conntrack entry dies with its packet), so its replies are invalid.</para>
/// <para><b>Verdicts</b>: forward, or drop with <c>firewall:rule:LINE</c>, <c>firewall:default</c>,
/// <c>firewall:invalid-state</c>, <c>firewall:malformed</c>, <c>firewall:non-ip</c>,
/// <c>firewall:blocklist</c> (source address on the blocklist, checked before conntrack and rules).</para>
/// <para><b>Counters</b>: <c>packets</c>, <c>forwarded</c>, <c>dropped</c>, <c>drops:REASON</c>
/// (<c>rule:LINE</c>, <c>default</c>, <c>invalid-state</c>, <c>malformed</c>, <c>non-ip</c>, <c>blocklist</c>),
/// <c>rule:LINE:hits</c> and <c>default:hits</c> (packets decided by each), <c>conntrack:opened</c>,
/// <c>conntrack:refused</c> (first packet denied), <c>conntrack:invalid</c>,
/// <c>conntrack:timeout:STATE</c>, <c>conntrack:FROM-&gt;TO</c> (state transitions);
/// and, from the definition (once per stage): <c>rules:loaded</c>, <c>rules:rejected</c> (lines
/// skipped under <c>onBadRule: skip-rule</c>), <c>blocklist:entries</c>.</para>
/// </remarks>
public sealed class Firewall : NetworkFunction<ConntrackFlowState>
{
    private const string ReasonDefault = "firewall:default";
    private const string ReasonInvalid = "firewall:invalid-state";
    private const string ReasonMalformed = "firewall:malformed";
    private const string ReasonNonIp = "firewall:non-ip";
    private const string ReasonBlocklist = "firewall:blocklist";

    private readonly FirewallRule[] _rules;
    private readonly FirewallAction[] _actions;      // by slot: rules, then the default policy
    private readonly string[] _dropReasons;          // by slot
    private readonly string[] _hitNames;             // by slot
    private readonly long[] _hits;                   // by slot
    private readonly long[] _timeoutNanos;           // by state
    private readonly long[] _timeouts;               // by state: connections expired in it
    private readonly long[] _transitions;            // from * Count + to
    private readonly bool _tcpPickup;
    private readonly InvalidPacketPolicy _invalidPolicy;
    private readonly FirewallAction _malformedPolicy;
    private readonly FirewallAction _nonIpPolicy;
    private readonly FrozenSet<NetAddress> _blocklist;
    private readonly bool _blocking;

    private long _packets;
    private long _forwarded;
    private long _dropped;
    private long _invalid;
    private long _droppedInvalid;
    private long _malformed;
    private long _nonIp;
    private long _opened;
    private long _refused;
    private long _blocked;

    public Firewall(FirewallDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        _rules = [.. definition.Rules];
        int slots = _rules.Length + 1;
        _actions = new FirewallAction[slots];
        _dropReasons = new string[slots];
        _hitNames = new string[slots];
        for (int i = 0; i < _rules.Length; i++)
        {
            _actions[i] = _rules[i].Action;
            _dropReasons[i] = _rules[i].DropReason;
            _hitNames[i] = $"rule:{_rules[i].Line}:hits";
        }
        _actions[^1] = definition.Options.DefaultPolicy;
        _dropReasons[^1] = ReasonDefault;
        _hitNames[^1] = "default:hits";
        _hits = new long[slots];
        _timeoutNanos = [.. definition.Options.TimeoutNanos];
        _timeouts = new long[ConntrackStates.Count];
        _transitions = new long[ConntrackStates.Count * ConntrackStates.Count];
        _tcpPickup = definition.Options.TcpPickup;
        _invalidPolicy = definition.Options.InvalidPolicy;
        _malformedPolicy = definition.Options.MalformedPolicy;
        _nonIpPolicy = definition.Options.NonIpPolicy;
        _blocklist = definition.Blocklist;
        _blocking = _blocklist.Count > 0;
    }

    /// <summary>Section format 1: the <see cref="ConntrackFlowState"/> fields in declaration order.</summary>
    public override byte FlowFormat => 1;

    public override long Errors => 0;

    public override Verdict Process(ref PacketContext packet, int flow)
    {
        _packets++;
        if (!packet.IsParsed)
        {
            return Unparsed(packet.Malformed);
        }

        if (_blocking && _blocklist.Contains(packet.Packet.Source))
        {
            return Blocked();
        }
        ref var conntrack = ref Flow(flow);
        long now = packet.TimestampNanos;
        if (conntrack.State != ConntrackState.None && now - conntrack.LastSeenNanos > _timeoutNanos[(int)conntrack.State])
        {
            Expire(ref conntrack);
        }

        bool fromFlowA = packet.Direction == FlowDirection.AToB;
        var next = conntrack;
        var match = ConnectionTracker.Track(ref next, packet.Packet, fromFlowA, now, _tcpPickup, out bool opensConnection);
        if (match == ConnectionMatch.Invalid)
        {
            return Invalid(packet.Packet);
        }

        bool fromOriginator = fromFlowA != next.OriginatorIsFlowB;
        ref ushort cached = ref match == ConnectionMatch.New
            ? ref next.VerdictNew
            : ref (fromOriginator ? ref next.VerdictOriginatorEstablished : ref next.VerdictResponderEstablished);
        int slot = cached - 1;
        if (slot < 0)
        {
            slot = Evaluate(packet.Packet, match);
            cached = (ushort)(slot + 1);
        }
        _hits[slot]++;
        bool allowed = _actions[slot] == FirewallAction.Allow;

        if (opensConnection && !allowed)
        {
            // The connection is not created; only the orientation and cached decisions survive.
            next.State = ConntrackState.None;
            next.Flags &= ConntrackFlags.OriginatorIsFlowB;
            _refused++;
        }
        else
        {
            if (next.State != conntrack.State)
            {
                _transitions[((int)conntrack.State * ConntrackStates.Count) + (int)next.State]++;
            }
            _opened += opensConnection ? 1 : 0;
        }
        conntrack = next;
        return Decide(allowed, slot);
    }

    public override void ReportCounters(IDictionary<string, long> into)
    {
        ArgumentNullException.ThrowIfNull(into);
        Add(into, "packets", _packets);
        Add(into, "forwarded", _forwarded);
        Add(into, "dropped", _dropped);
        Add(into, "drops:invalid-state", _droppedInvalid);
        Add(into, "drops:blocklist", _blocked);
        Add(into, "drops:malformed", _malformedPolicy == FirewallAction.Deny ? _malformed : 0);
        Add(into, "drops:non-ip", _nonIpPolicy == FirewallAction.Deny ? _nonIp : 0);
        Add(into, "unparsed:malformed", _malformed);
        Add(into, "unparsed:non-ip", _nonIp);
        for (int slot = 0; slot < _hits.Length; slot++)
        {
            Add(into, _hitNames[slot], _hits[slot]);
            if (_actions[slot] == FirewallAction.Deny)
            {
                Add(into, "drops:" + _dropReasons[slot]["firewall:".Length..], _hits[slot]);
            }
        }
        Add(into, "conntrack:opened", _opened);
        Add(into, "conntrack:refused", _refused);
        Add(into, "conntrack:invalid", _invalid);
        for (int state = 1; state < ConntrackStates.Count; state++)
        {
            if (_timeouts[state] != 0)
            {
                Add(into, "conntrack:timeout:" + ConntrackStates.Name((ConntrackState)state), _timeouts[state]);
            }
        }
        for (int i = 0; i < _transitions.Length; i++)
        {
            if (_transitions[i] != 0)
            {
                var from = (ConntrackState)(i / ConntrackStates.Count);
                var to = (ConntrackState)(i % ConntrackStates.Count);
                Add(into, $"conntrack:{ConntrackStates.Name(from)}->{ConntrackStates.Name(to)}", _transitions[i]);
            }
        }
    }

    protected override void WriteFlow(in ConntrackFlowState flow, IBufferWriter<byte> into)
    {
        into.WriteInt64(flow.LastSeenNanos);
        into.WriteUInt32(flow.FinEndOriginator);
        into.WriteUInt32(flow.FinEndResponder);
        into.WriteUInt16(flow.VerdictNew);
        into.WriteUInt16(flow.VerdictOriginatorEstablished);
        into.WriteUInt16(flow.VerdictResponderEstablished);
        into.WriteByte((byte)flow.State);
        into.WriteByte((byte)flow.Flags);
    }

    protected override void ReadFlow(ref ConntrackFlowState flow, ref SnapshotReader reader, bool rulesChanged)
    {
        flow.LastSeenNanos = reader.Int64();
        flow.FinEndOriginator = reader.UInt32();
        flow.FinEndResponder = reader.UInt32();
        flow.VerdictNew = reader.UInt16();
        flow.VerdictOriginatorEstablished = reader.UInt16();
        flow.VerdictResponderEstablished = reader.UInt16();
        flow.State = (ConntrackState)reader.Byte();
        flow.Flags = (ConntrackFlags)reader.Byte();
        if ((int)flow.State >= ConntrackStates.Count)
        {
            throw new InvalidDataException($"conntrack state {(int)flow.State} is not one this build knows");
        }
        if (flow.VerdictNew > _actions.Length || flow.VerdictOriginatorEstablished > _actions.Length || flow.VerdictResponderEstablished > _actions.Length)
        {
            // A cached decision past the rule list would index out of it.
            rulesChanged = true;
        }
        if (rulesChanged)
        {
            flow.VerdictNew = flow.VerdictOriginatorEstablished = flow.VerdictResponderEstablished = 0;
        }
    }

    /// <summary>First match wins; the slot after the last rule is the default policy.</summary>
    private int Evaluate(in ParsedPacket packet, ConnectionMatch match)
    {
        var rules = _rules;
        for (int i = 0; i < rules.Length; i++)
        {
            if (rules[i].Matches(packet, match))
            {
                return i;
            }
        }
        return rules.Length;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private Verdict Invalid(in ParsedPacket packet)
    {
        _invalid++;
        if (_invalidPolicy == InvalidPacketPolicy.Drop)
        {
            _droppedInvalid++;
            _dropped++;
            return Verdict.Drop(ReasonInvalid);
        }
        // Not cached: invalid packets are rare and carry no connection to cache in.
        int slot = Evaluate(packet, ConnectionMatch.Invalid);
        _hits[slot]++;
        return Decide(_actions[slot] == FirewallAction.Allow, slot);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private Verdict Blocked()
    {
        _blocked++;
        _dropped++;
        return Verdict.Drop(ReasonBlocklist);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private Verdict Unparsed(MalformedReason reason)
    {
        bool nonIp = reason == MalformedReason.NotIp;
        if (nonIp)
        {
            _nonIp++;
        }
        else
        {
            _malformed++;
        }
        if ((nonIp ? _nonIpPolicy : _malformedPolicy) == FirewallAction.Allow)
        {
            _forwarded++;
            return Verdict.Forward;
        }
        _dropped++;
        return Verdict.Drop(nonIp ? ReasonNonIp : ReasonMalformed);
    }

    private void Expire(ref ConntrackFlowState conntrack)
    {
        _timeouts[(int)conntrack.State]++;
        conntrack.State = ConntrackState.None;
        conntrack.Flags &= ConntrackFlags.OriginatorIsFlowB;
        conntrack.FinEndOriginator = conntrack.FinEndResponder = 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Verdict Decide(bool allowed, int slot)
    {
        if (allowed)
        {
            _forwarded++;
            return Verdict.Forward;
        }
        _dropped++;
        return Verdict.Drop(_dropReasons[slot]);
    }
}
