using System.Collections.Concurrent;
using System.Diagnostics;
using AzNf.NetworkFunctions.Chain;
using AzNf.NetworkFunctions.Partitions;
using AzNf.Orchestrations.Entities;
using AzNf.Orchestrations.Models;
using AzNf.Orchestrations.Orchestrators;
using AzNf.Packets.Flows;
using AzNf.Packets.Parsing;
using DurableTask.Core;

namespace AzNf.DurableRuntime;

/// <summary>
/// The durable path behind a partition consumer: cuts each batch into work units (a packet, a
/// flowlet — one flow's packets in the batch — or a whole flow), runs one NfChain orchestration
/// per unit and returns when every unit of the batch has finished, so the consumer's checkpoint
/// never passes a packet whose effects are not stored in the task hub.
/// </summary>
/// <remarks>
/// Exactly-once per packet rests on two things: instance ids are made from the unit's first
/// packet (a redelivered batch finds the instance it started before, running or done), and the
/// flow entity keeps the last sequence number applied (a unit cut differently after a restart
/// changes nothing twice). Units of one flow run one after the other; flows run in parallel.
/// With <see cref="ChainGranularity.Flow"/> the handler holds a flow's packets until the flow
/// closes (RST or a second FIN) or the partition ends, so a crash loses what it holds: that
/// granularity is for measuring, as the study did, not for production.
/// </remarks>
public sealed class DurableChainHandler : IPartitionBatchHandler
{
    private readonly DurableRuntimeHost _host;
    private readonly ChainDefinition _chain;
    private readonly ChainPlan _plan;
    private readonly DurableChainOptions _options;
    private readonly ChainGranularity _granularity;
    private readonly ChainMode _mode;
    private readonly SemaphoreSlim _inFlight;
    private readonly ConcurrentDictionary<int, PartitionProgress> _progress = new();
    private readonly ConcurrentQueue<ChainTally> _tallies = new();
    private readonly ConcurrentQueue<UnitTiming> _timings = new();
    private readonly ConcurrentQueue<string> _failures = new();
    private readonly ConcurrentDictionary<string, long> _expectedVersions = new(StringComparer.Ordinal);
    private long _duplicates;
    private long _skipped;

    public DurableChainHandler(DurableRuntimeHost host, ChainDefinition chain, DurableChainOptions options)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(chain);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _host = host;
        _chain = chain;
        _plan = ChainPlan.From(chain);
        _options = options;
        _granularity = options.Granularity ?? chain.Granularity;
        _mode = options.Mode ?? chain.Mode;
        _inFlight = new SemaphoreSlim(options.MaxUnitsInFlight);
    }

    public ChainGranularity Granularity => _granularity;

    public ChainMode Mode => _mode;

    /// <summary>What every finished unit counted, plus the unparsed frames seen here.</summary>
    public IEnumerable<ChainTally> Tallies => _tallies.Concat(_progress.Values.Select(p => p.UnparsedTally()));

    /// <summary>Start-to-finish time of each unit, as this handler saw it.</summary>
    public IReadOnlyCollection<UnitTiming> Timings => _timings;

    /// <summary>Units whose orchestration failed, each naming the flow and the reason.</summary>
    public IReadOnlyCollection<string> Failures => _failures;

    /// <summary>Units the flow entity had already applied (a redelivery after a crash).</summary>
    public long Duplicates => Interlocked.Read(ref _duplicates);

    /// <summary>Per flow key, the last sequence number of a unit that ran: the version its entity reaches.</summary>
    public IReadOnlyDictionary<string, long> ExpectedFlowVersions => _expectedVersions;

    /// <summary>Packets skipped because this handler had already handled their event.</summary>
    public long SkippedPackets => Interlocked.Read(ref _skipped);

    public ValueTask OpenPartitionAsync(int partition, CancellationToken cancellation)
    {
        _progress.TryAdd(partition, new PartitionProgress());
        return ValueTask.CompletedTask;
    }

    public async ValueTask HandleAsync(PartitionBatch batch, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var progress = _progress.GetOrAdd(batch.Partition, _ => new PartitionProgress());
        var (ruleSet, blocklist) = await ReadPolicyVersionsAsync(cancellation);
        var flows = new Dictionary<string, List<WorkPacket>>(StringComparer.Ordinal);
        var order = new List<string>();
        long lastSequence = progress.LastSequence;
        int lastPosition = progress.LastPosition;
        foreach (ref readonly var packet in batch.Packets)
        {
            if (packet.SequenceNumber < lastSequence || (packet.SequenceNumber == lastSequence && packet.PositionInEvent <= lastPosition))
            {
                Interlocked.Increment(ref _skipped);
                continue;
            }
            var frame = batch.Frame(packet);
            var malformed = PacketParser.Parse(packet.LinkType, frame, out var parsed);
            string key;
            if (malformed == MalformedReason.None)
            {
                key = FlowKey.From(parsed, out _).ToString();
            }
            else
            {
                // Unparsed frames still cross the chain (a firewall may drop them); they share
                // one pseudo-flow per partition, which keeps their entity version for idempotency.
                key = $"unparsed p{batch.Partition}";
                progress.CountUnparsed(malformed);
            }
            if (!flows.TryGetValue(key, out var packets))
            {
                packets = progress.TakeHeld(key) ?? [];
                flows[key] = packets;
                order.Add(key);
            }
            long index = (packet.SequenceNumber * _options.PacketsPerEvent) + packet.PositionInEvent;
            packets.Add(new WorkPacket(packet.SequenceNumber, packet.PositionInEvent, index, packet.LinkType, packet.TimestampNanos, packet.WireLength, frame.ToArray()));
            if (_granularity == ChainGranularity.Flow && malformed == MalformedReason.None)
            {
                progress.TrackClose(key, parsed);
            }
            lastSequence = packet.SequenceNumber;
            lastPosition = packet.PositionInEvent;
        }

        var runs = new List<Task>(order.Count);
        foreach (string key in order)
        {
            var packets = flows[key];
            if (_granularity == ChainGranularity.Flow && !progress.IsClosed(key))
            {
                progress.Hold(key, packets);
                continue;
            }
            progress.Forget(key);
            runs.Add(RunFlowAsync(batch.Partition, key, packets, ruleSet, blocklist, cancellation));
        }
        await Task.WhenAll(runs);
        progress.LastSequence = lastSequence;
        progress.LastPosition = lastPosition;
    }

    public async ValueTask ClosePartitionAsync(int partition, PartitionCloseReason reason, CancellationToken cancellation)
    {
        if (reason != PartitionCloseReason.EndOfInput || !_progress.TryGetValue(partition, out var progress))
        {
            return;
        }
        var held = progress.TakeAllHeld();
        if (held.Count == 0)
        {
            return;
        }
        var (ruleSet, blocklist) = await ReadPolicyVersionsAsync(cancellation);
        await Task.WhenAll(held.Select(h => RunFlowAsync(partition, h.Key, h.Value, ruleSet, blocklist, cancellation)));
    }

    private async Task<(long RuleSet, long Blocklist)> ReadPolicyVersionsAsync(CancellationToken cancellation)
    {
        var ruleSet = await _host.GetEntityStateAsync<RuleSetState>(RuleSetEntity.Name, _chain.Name, cancellation);
        var blocklist = await _host.GetEntityStateAsync<BlocklistState>(BlocklistEntity.Name, BlocklistEntity.Key, cancellation);
        return (ruleSet?.Version ?? 0, blocklist?.Version ?? 0);
    }

    private async Task RunFlowAsync(int partition, string key, List<WorkPacket> packets, long ruleSet, long blocklist, CancellationToken cancellation)
    {
        if (_granularity == ChainGranularity.Packet)
        {
            foreach (var packet in packets)
            {
                await RunUnitAsync(partition, key, [packet], ruleSet, blocklist, cancellation);
            }
        }
        else
        {
            await RunUnitAsync(partition, key, packets, ruleSet, blocklist, cancellation);
        }
    }

    private async Task RunUnitAsync(int partition, string key, IReadOnlyList<WorkPacket> packets, long ruleSet, long blocklist, CancellationToken cancellation)
    {
        var unit = new ChainWorkUnit
        {
            ChainName = _chain.Name,
            Partition = partition,
            FlowKey = key,
            Granularity = _granularity,
            Mode = _mode,
            FirstSequenceNumber = packets[0].SequenceNumber,
            LastSequenceNumber = packets[^1].SequenceNumber,
            RuleSetVersion = ruleSet,
            BlocklistVersion = blocklist,
            Plan = _plan,
            Packets = packets,
        };
        string instanceId = InstanceId(_chain.Name, partition, packets[0]);
        await _inFlight.WaitAsync(cancellation);
        try
        {
            var started = Stopwatch.GetTimestamp();
            await _host.StartOrchestrationAsync(NfChainOrchestrator.Name, instanceId, unit);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            timeout.CancelAfter(_options.UnitTimeout);
            var state = await _host.WaitForCompletionAsync(instanceId, _options.CompletionPoll, timeout.Token);
            var elapsed = Stopwatch.GetElapsedTime(started);
            if (state.OrchestrationStatus != OrchestrationStatus.Completed)
            {
                _failures.Enqueue($"flow {key} (unit {instanceId}): {state.OrchestrationStatus}: {state.FailureDetails?.ErrorMessage ?? state.Output}");
                return;
            }
            var result = _host.ReadOutput<ChainWorkResult>(state) ?? throw new InvalidOperationException($"unit {instanceId} completed without a result");
            _expectedVersions.AddOrUpdate(key, unit.LastSequenceNumber, (_, v) => Math.Max(v, unit.LastSequenceNumber));
            if (result.Duplicate)
            {
                Interlocked.Increment(ref _duplicates);
                return;
            }
            _tallies.Enqueue(WorkResultTally.From(result, _chain.Stages.Count));
            _timings.Enqueue(new UnitTiming(packets.Count, packets.Sum(p => (long)p.WireLength), elapsed, result.Stages));
        }
        finally
        {
            _inFlight.Release();
        }
    }

    /// <summary>
    /// A unit's instance id: its chain, partition and first packet, which no other unit shares.
    /// Azure Storage forbids / \ # ? and control characters in ids, so the chain name is reduced
    /// to letters, digits, '-' and '_'.
    /// </summary>
    public static string InstanceId(string chainName, int partition, WorkPacket first)
    {
        ArgumentNullException.ThrowIfNull(chainName);
        ArgumentNullException.ThrowIfNull(first);
        var name = new string(chainName.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_').ToArray());
        return $"nf-{name}-p{partition}-s{first.SequenceNumber}-{first.PositionInEvent}";
    }

    /// <summary>Per partition: where handling got to, unparsed frames, and flows held for flow granularity.</summary>
    private sealed class PartitionProgress
    {
        private readonly long[] _unparsed = new long[MalformedReasons.Count];
        private readonly Dictionary<string, List<WorkPacket>> _held = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int> _closing = new(StringComparer.Ordinal);

        public long LastSequence { get; set; } = long.MinValue;

        public int LastPosition { get; set; }

        public void CountUnparsed(MalformedReason reason) => _unparsed[(int)reason]++;

        public ChainTally UnparsedTally()
        {
            var unparsed = new Dictionary<string, long>(StringComparer.Ordinal);
            for (int r = 1; r < _unparsed.Length; r++)
            {
                if (_unparsed[r] > 0)
                {
                    unparsed[MalformedReasons.Name((MalformedReason)r)] = _unparsed[r];
                }
            }
            return new ChainTally { Unparsed = unparsed };
        }

        public List<WorkPacket>? TakeHeld(string key) => _held.Remove(key, out var packets) ? packets : null;

        public void Hold(string key, List<WorkPacket> packets) => _held[key] = packets;

        public void Forget(string key) => _closing.Remove(key);

        public Dictionary<string, List<WorkPacket>> TakeAllHeld()
        {
            var all = new Dictionary<string, List<WorkPacket>>(_held, StringComparer.Ordinal);
            _held.Clear();
            return all;
        }

        public void TrackClose(string key, in ParsedPacket packet)
        {
            if (!packet.IsTcp)
            {
                return;
            }
            if ((packet.TcpFlags & TcpFlags.Rst) != 0)
            {
                _closing[key] = 2;
            }
            else if ((packet.TcpFlags & TcpFlags.Fin) != 0)
            {
                _closing[key] = _closing.GetValueOrDefault(key) + 1;
            }
        }

        public bool IsClosed(string key) => _closing.GetValueOrDefault(key) >= 2;
    }
}

/// <summary>One unit's size and how long it took from start to a stored result.</summary>
public sealed record UnitTiming(int Packets, long Bytes, TimeSpan Elapsed, IReadOnlyList<StageOutcome> Stages);
