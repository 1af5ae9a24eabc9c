using System.Diagnostics;
using AzNf.NetworkFunctions;
using AzNf.NetworkFunctions.Chain;
using AzNf.Orchestrations.Chains;
using AzNf.Orchestrations.Models;
using AzNf.Packets.Flows;
using AzNf.Packets.Parsing;

namespace AzNf.Orchestrations.Activities;

/// <summary>
/// Runs a range of a chain's stages over one flow's packets on a pooled <see cref="ChainPartition"/>:
/// imports the flow's snapshot, processes the packets in order, exports the snapshot again. The
/// same code serves <c>RunChain</c> (every stage) and <c>RunStage</c> (one stage).
/// </summary>
public sealed class ChainStepRunner(IChainSource chains)
{
    private readonly ChainPartitionPool _pool = ChainPartitionPool.Shared;

    public async Task<ChainStepOutput> RunAsync(ChainStepInput input, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        long deadline = DeadlineTimestamp(input.DeadlineUtc);
        var compiled = await chains.GetChainAsync(input.ChainName, input.RuleSetVersion, input.BlocklistVersion, cancellation).ConfigureAwait(false);
        var chain = compiled.Chain;
        if (input.FirstStage < 0 || input.StageCount < 1 || input.FirstStage + input.StageCount > chain.Stages.Count)
        {
            throw new ArgumentException(
                $"flow {input.FlowKey}: stages {input.FirstStage}..{input.FirstStage + input.StageCount - 1} do not exist in chain '{input.ChainName}' ({chain.Stages.Count} stages)", nameof(input));
        }
        for (int i = 0; input.StageNames is not null && i < input.StageNames.Count; i++)
        {
            string actual = chain.Stages[input.FirstStage + i].Name;
            if (!string.Equals(actual, input.StageNames[i], StringComparison.Ordinal))
            {
                throw new ArgumentException(
                    $"flow {input.FlowKey}: unknown stage '{input.StageNames[i]}': stage {input.FirstStage + i} of chain '{input.ChainName}' (rule set {compiled.RuleSetVersion}) is '{actual}'", nameof(input));
            }
        }
        if (Stopwatch.GetTimestamp() >= deadline)
        {
            return new ChainStepOutput { Late = true };
        }

        var partition = _pool.Rent(chain);
        try
        {
            return Run(input, compiled, partition, deadline);
        }
        finally
        {
            _pool.Return(chain, partition);
        }
    }

    private static ChainStepOutput Run(ChainStepInput input, CompiledChain compiled, ChainPartition partition, long deadline)
    {
        int first = input.FirstStage;
        int end = first + input.StageCount;
        int alertsBefore = partition.Alerts.Alerts.Count;
        int finishedBefore = partition.FinishedFlows.Count;
        long reusedBefore = partition.FlowsReused;
        long expiredBefore = partition.Flows.Expired;
        var meter = StageMeter.Start(partition, first, end);
        long started = Stopwatch.GetTimestamp();

        if (input.Snapshot is not null)
        {
            partition.ImportFlow(input.Snapshot, compiled.RulesStamp, input.FlowKey);
        }
        FlowKey? key = null;
        var verdicts = new StepVerdict[input.Packets.Count];
        long bytes = 0;
        for (int i = 0; i < verdicts.Length; i++)
        {
            if (Stopwatch.GetTimestamp() >= deadline)
            {
                return new ChainStepOutput { Late = true, ElapsedMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds };
            }
            var packet = input.Packets[i];
            var malformed = PacketParser.Parse(packet.LinkType, packet.Frame, out var parsed);
            if (malformed == MalformedReason.None)
            {
                var packetKey = FlowKey.From(parsed, out _);
                key ??= packetKey;
                if (packetKey != key)
                {
                    throw new ArgumentException(
                        $"flow {input.FlowKey}: packet {packet.SequenceNumber}/{packet.PositionInEvent} belongs to flow {packetKey}: a unit holds one flow", nameof(input));
                }
            }
            var verdict = partition.Process(packet.Frame, parsed, malformed, packet.WireLength, packet.TimestampNanos, packet.CaptureIndex, first, end);
            verdicts[i] = new StepVerdict(verdict.IsDrop, verdict.Reason);
            bytes += packet.WireLength;
        }
        if (key is { } parsedKey && !string.Equals(parsedKey.ToString(), input.FlowKey, StringComparison.Ordinal))
        {
            throw new ArgumentException($"flow {input.FlowKey}: the unit's packets belong to flow {parsedKey}", nameof(input));
        }

        FlowTimeoutClass timeoutClass = FlowTimeoutClass.Other;
        byte[]? snapshot = key is { } liveKey ? partition.ExportFlow(liveKey, compiled.RulesStamp, out timeoutClass) : input.Snapshot;
        double elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        string? originator = null;
        ushort responderPort = 0;
        if (snapshot is not null)
        {
            var state = FlowSnapshot.Read(snapshot, input.FlowKey);
            var record = FlowRecord.From(ref state, FlowEndReason.EndOfRun);
            originator = record.AAddress.ToString();
            responderPort = record.BPort;
        }
        return new ChainStepOutput
        {
            Verdicts = verdicts,
            Alerts = partition.Alerts.Alerts.Skip(alertsBefore).Select(ReportAlert.From).ToList(),
            Stages = meter.Outcomes(compiled.Chain, elapsed),
            ElapsedMs = elapsed,
            Snapshot = snapshot,
            IdleTimeoutSeconds = IdleTimeout(compiled.Chain.FlowTable, timeoutClass).TotalSeconds,
            FinishedFlows = partition.FinishedFlows.Skip(finishedBefore).Select(ReportFlow.From).ToList(),
            NewFlow = first == 0 && key is not null
                && (input.Snapshot is null || partition.FlowsReused > reusedBefore || partition.Flows.Expired > expiredBefore),
            Originator = originator,
            ResponderPort = responderPort,
            Bytes = bytes,
        };
    }

    /// <summary>The deadline as a <see cref="Stopwatch"/> timestamp, so the per-packet check is one comparison.</summary>
    internal static long DeadlineTimestamp(DateTime? deadlineUtc)
    {
        if (deadlineUtc is null)
        {
            return long.MaxValue;
        }
        var remaining = deadlineUtc.Value.ToUniversalTime() - DateTime.UtcNow;
        if (remaining <= TimeSpan.Zero)
        {
            return long.MinValue;
        }
        return Stopwatch.GetTimestamp() + (long)(remaining.TotalSeconds * Stopwatch.Frequency);
    }

    internal static TimeSpan IdleTimeout(FlowTableOptions options, FlowTimeoutClass timeoutClass) => timeoutClass switch
    {
        FlowTimeoutClass.TcpNew => options.TcpNewTimeout,
        FlowTimeoutClass.TcpEstablished => options.TcpEstablishedTimeout,
        FlowTimeoutClass.TcpClosed => options.TcpClosedTimeout,
        FlowTimeoutClass.Udp => options.UdpTimeout,
        FlowTimeoutClass.Icmp => options.IcmpTimeout,
        _ => options.OtherTimeout,
    };
}
