using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using AzNf.Packets.Flows;
using AzNf.Packets.Parsing;

namespace AzNf.NetworkFunctions.Chain;

/// <summary>
/// The JSON report of a run (schema in docs/report.md). Flows are ordered by their first
/// packet, alerts by packet index, so the report does not depend on the partition count.
/// </summary>
public sealed record RunReport(
    ReportInput Input,
    ReportTotals Totals,
    IReadOnlyList<ReportFlow> Flows,
    IReadOnlyList<ReportAlert> Alerts,
    IReadOnlyList<ReportNf> Nfs,
    ReportFlowTable FlowTable,
    IReadOnlyList<string> Warnings,
    IReadOnlyDictionary<string, long> WarningCounts)
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static RunReport From(EngineResult result, string captureName, IReadOnlyDictionary<string, long> captureWarnings)
    {
        var partitions = result.Partitions;
        var chain = result.Chain;
        var unparsed = new SortedDictionary<string, long>(StringComparer.Ordinal);
        var drops = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var partition in partitions)
        {
            for (int r = 1; r < partition.UnparsedByReason.Length; r++)
            {
                if (partition.UnparsedByReason[r] > 0)
                {
                    string name = MalformedReasons.Name((MalformedReason)r);
                    unparsed[name] = unparsed.GetValueOrDefault(name) + partition.UnparsedByReason[r];
                }
            }
            foreach (var (reason, count) in partition.DropsByReason)
            {
                drops[reason] = drops.GetValueOrDefault(reason) + count;
            }
        }

        var totals = new ReportTotals(
            partitions.Sum(p => p.Packets),
            partitions.Sum(p => p.Bytes),
            partitions.Sum(p => p.Forwarded),
            partitions.Sum(p => p.Dropped),
            unparsed,
            drops);

        var flows = partitions
            .SelectMany(p => p.FinishedFlows)
            .OrderBy(f => f.FirstPacketIndex)
            .Select(ReportFlow.From)
            .ToList();

        var alerts = partitions
            .SelectMany(p => p.Alerts.Alerts)
            .OrderBy(a => a.PacketIndex).ThenBy(a => a.Sid)
            .Select(ReportAlert.From)
            .ToList();

        var nfs = new List<ReportNf>();
        for (int s = 0; s < chain.Stages.Count; s++)
        {
            var counters = new SortedDictionary<string, long>(StringComparer.Ordinal);
            foreach (var partition in partitions)
            {
                partition.Stages[s].ReportCounters(counters);
            }
            nfs.Add(new ReportNf(
                chain.Stages[s].Name,
                chain.Stages[s].Kind,
                partitions.Sum(p => p.StageCounters[s].PacketsIn),
                partitions.Sum(p => p.StageCounters[s].PacketsOut),
                partitions.Sum(p => p.StageCounters[s].Drops),
                partitions.Sum(p => p.Stages[s].Errors),
                counters));
        }

        var table = new ReportFlowTable(
            chain.FlowTable.Capacity,
            partitions.Sum(p => p.Flows.Peak),
            partitions.Sum(p => p.Flows.Expired),
            partitions.Sum(p => p.Flows.Evicted),
            partitions.Sum(p => p.FlowsReused),
            partitions.Sum(p => p.FlowRecordsOmitted));

        var input = new ReportInput(captureName, new SortedDictionary<string, long>(captureWarnings.ToDictionary(), StringComparer.Ordinal), chain.Name, chain.Source, partitions.Count);
        var warnings = chain.Diagnostics.Warnings.Select(w => w.ToString()).ToList();
        var warningCounts = new SortedDictionary<string, long>(chain.Diagnostics.Counts.ToDictionary(), StringComparer.Ordinal);
        return new RunReport(input, totals, flows, alerts, nfs, table, warnings, warningCounts);
    }

    public void WriteJson(Stream stream) => JsonSerializer.Serialize(stream, this, JsonOptions);

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    public static RunReport ReadJson(string json) => JsonSerializer.Deserialize<RunReport>(json, JsonOptions)
        ?? throw new JsonException("empty report");
}

/// <summary>What was run: the capture, its counted reading problems, the chain and partitions.</summary>
public sealed record ReportInput(string Capture, IReadOnlyDictionary<string, long> CaptureWarnings, string Chain, string ChainFile, int Partitions);

/// <summary>Totals over all packets; <c>unparsed</c> maps a malformed reason to its count.</summary>
public sealed record ReportTotals(long Packets, long Bytes, long Forwarded, long Dropped, IReadOnlyDictionary<string, long> Unparsed, IReadOnlyDictionary<string, long> DropReasons);

/// <summary>One flow: A sent its first packet; bytes are wire lengths.</summary>
public sealed record ReportFlow(
    string Key,
    string Proto,
    string A,
    string B,
    long Packets,
    long Bytes,
    long PacketsAtoB,
    long PacketsBtoA,
    long BytesAtoB,
    long BytesBtoA,
    long FirstPacketIndex,
    string FirstSeen,
    string LastSeen,
    string End)
{
    public static ReportFlow From(FlowRecord f) => new(
        f.Key.ToString(),
        IpProtocol.Name(f.Key.Protocol),
        FlowKey.Endpoint(f.AAddress, f.APort),
        FlowKey.Endpoint(f.BAddress, f.BPort),
        f.PacketsAToB + f.PacketsBToA,
        f.BytesAToB + f.BytesBToA,
        f.PacketsAToB,
        f.PacketsBToA,
        f.BytesAToB,
        f.BytesBToA,
        f.FirstPacketIndex,
        Timestamp(f.FirstSeenNanos),
        Timestamp(f.LastSeenNanos),
        f.End switch
        {
            FlowEndReason.Expired => "expired",
            FlowEndReason.Evicted => "evicted",
            FlowEndReason.Reused => "reused",
            _ => "end-of-run",
        });

    private static string Timestamp(long nanos) =>
        DateTimeOffset.UnixEpoch.AddTicks(nanos / 100).ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
}

/// <summary>One IDS alert; <c>packetIndex</c> is 1-based in capture order.</summary>
public sealed record ReportAlert(int Sid, int Rev, string Msg, string Action, string Proto, string Src, int SrcPort, string Dst, int DstPort, long PacketIndex, string? Classtype)
{
    public static ReportAlert From(Alert a) => new(
        a.Sid, a.Rev, a.Msg, a.Action, IpProtocol.Name(a.Protocol),
        a.Source.ToString(), a.SourcePort, a.Destination.ToString(), a.DestinationPort, a.PacketIndex, a.Classtype);
}

/// <summary>One stage's packet counts and its own counters.</summary>
public sealed record ReportNf(string Name, string Kind, long PacketsIn, long PacketsOut, long Drops, long Errors, IReadOnlyDictionary<string, long> Counters);

/// <summary>Flow-table use summed over partitions.</summary>
public sealed record ReportFlowTable(int CapacityPerPartition, long PeakFlows, long Expired, long Evicted, long Reused, long RecordsOmitted);
