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
        ArgumentNullException.ThrowIfNull(result);
        var tallies = result.Partitions.Select(p => ChainTally.Of(p));
        var report = From(result.Chain, ChainTally.Sum(tallies, result.Chain.Stages.Count), result.Partitions.Count, captureName, captureWarnings);
        return result.Interrupted ? report with { Input = report.Input with { Interrupted = true } } : report;
    }

    /// <summary>The report of <paramref name="chain"/> from the sum of its partitions' or work units' tallies.</summary>
    public static RunReport From(ChainDefinition chain, ChainTally tally, int partitions, string captureName, IReadOnlyDictionary<string, long> captureWarnings)
    {
        ArgumentNullException.ThrowIfNull(chain);
        ArgumentNullException.ThrowIfNull(tally);
        var totals = new ReportTotals(
            tally.Packets,
            tally.Bytes,
            tally.Forwarded,
            tally.Dropped,
            new SortedDictionary<string, long>(tally.Unparsed, StringComparer.Ordinal),
            new SortedDictionary<string, long>(tally.DropReasons, StringComparer.Ordinal));

        // The largest flows by bytes, as many as report.maxFlows; the rest only counted (omitted).
        var flows = tally.Flows.Count <= chain.MaxReportFlows
            ? tally.Flows.OrderBy(f => f.FirstPacketIndex).ToList()
            : tally.Flows.OrderByDescending(f => f.Bytes).ThenBy(f => f.FirstPacketIndex).Take(chain.MaxReportFlows).OrderBy(f => f.FirstPacketIndex).ToList();
        long omitted = tally.FlowRecordsOmitted + tally.Flows.Count - flows.Count;
        var alerts = tally.Alerts.OrderBy(a => a.PacketIndex).ThenBy(a => a.Sid).ThenBy(a => a.Stage, StringComparer.Ordinal).ToList();

        var nfs = new List<ReportNf>();
        for (int s = 0; s < chain.Stages.Count; s++)
        {
            var stage = tally.Stages[s];
            var counters = new SortedDictionary<string, long>(stage.Counters, StringComparer.Ordinal);
            foreach (var (name, value) in chain.Stages[s].Counters)
            {
                counters[name] = value;
            }
            nfs.Add(new ReportNf(
                chain.Stages[s].Name,
                chain.Stages[s].Kind,
                stage.PacketsIn,
                stage.PacketsOut,
                stage.Drops,
                stage.Errors,
                counters));
        }

        var table = new ReportFlowTable(
            chain.FlowTable.Capacity,
            tally.PeakFlows,
            tally.FlowsExpired,
            tally.FlowsEvicted,
            tally.FlowsReused,
            omitted);

        var input = new ReportInput(captureName, new SortedDictionary<string, long>(captureWarnings.ToDictionary(), StringComparer.Ordinal), chain.Name, chain.Source, partitions);
        var warnings = chain.Diagnostics.Warnings.Select(w => w.ToString()).ToList();
        var warningCounts = new SortedDictionary<string, long>(chain.Diagnostics.Counts.ToDictionary(), StringComparer.Ordinal);
        return new RunReport(input, totals, flows, alerts, nfs, table, warnings, warningCounts);
    }

    public void WriteJson(Stream stream) => JsonSerializer.Serialize(stream, this, JsonOptions);

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    public static RunReport ReadJson(string json) => JsonSerializer.Deserialize<RunReport>(json, JsonOptions)
        ?? throw new JsonException("empty report");
}

/// <summary>
/// What was run: the capture, its counted reading problems, the chain and partitions;
/// <c>interrupted</c> (only when true): the run was stopped (Ctrl-C, SIGTERM) and reports the
/// packets it had read, each handled to the end.
/// </summary>
public sealed record ReportInput(string Capture, IReadOnlyDictionary<string, long> CaptureWarnings, string Chain, string ChainFile, int Partitions, bool? Interrupted = null);

/// <summary>Totals over all packets; <c>unparsed</c> maps a malformed reason to its count.</summary>
public sealed record ReportTotals(long Packets, long Bytes, long Forwarded, long Dropped, IReadOnlyDictionary<string, long> Unparsed, IReadOnlyDictionary<string, long> DropReasons);

/// <summary>
/// One flow: A sent its first packet; bytes are wire lengths; <c>flowId</c> ties it to its
/// alerts (and EVE events); <c>state</c> is Suricata's (new, established, closed); <c>appProto</c>
/// what the IDS's app layer found the flow to speak (http, tls, dns, failed; null: not looked at);
/// <c>translated</c> the flow's key on the far side of a NAT (null: not translated).
/// </summary>
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
    string End,
    long FlowId = 0,
    string? State = null,
    string? AppProto = null,
    string? Translated = null)
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
        EndName(f.End),
        Chain.FlowId.Of(f.Key, f.FirstPacketIndex),
        f.State,
        f.AppProto,
        f.Translated);

    /// <summary>How the report spells why a flow ended.</summary>
    public static string EndName(FlowEndReason end) => end switch
    {
        FlowEndReason.Expired => "expired",
        FlowEndReason.Evicted => "evicted",
        FlowEndReason.Reused => "reused",
        _ => "end-of-run",
    };

    /// <summary>How the report writes a capture time given in nanoseconds since the Unix epoch.</summary>
    public static string Timestamp(long nanos) => Timestamp(DateTimeOffset.UnixEpoch.AddTicks(nanos / 100));

    /// <summary>How the report writes a capture time.</summary>
    public static string Timestamp(DateTimeOffset time) => time.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
}

/// <summary>
/// One IDS alert; <c>packetIndex</c> is 1-based in capture order. <c>priority</c> and
/// <c>category</c> come from the stage's classification file (or the rule's <c>priority</c>),
/// <c>metadata</c> from the rule's <c>metadata</c> keyword (key → values); null when absent.
/// <c>timestamp</c> is the packet's capture time, <c>flowId</c> the flow's (as in <c>flows</c>);
/// <c>appProto</c> and <c>http</c> name the app-layer transaction an app-layer rule matched in;
/// <c>references</c> are the rule's references as links (when the stage names a reference file).
/// </summary>
public sealed record ReportAlert(
    int Sid, int Rev, string Msg, string Action, string Proto, string Src, int SrcPort, string Dst, int DstPort, long PacketIndex, string? Classtype, string Stage,
    int? Priority = null, string? Category = null, IReadOnlyDictionary<string, string[]>? Metadata = null,
    string? Timestamp = null, long FlowId = 0, string? AppProto = null, AlertHttp? Http = null, IReadOnlyList<string>? References = null)
{
    public static ReportAlert From(Alert a) => new(
        a.Sid, a.Rev, a.Msg, a.Action, IpProtocol.Name(a.Protocol),
        a.Source.ToString(), a.SourcePort, a.Destination.ToString(), a.DestinationPort, a.PacketIndex, a.Classtype, a.Stage,
        a.Priority, a.Category, a.Metadata,
        a.TimestampNanos == 0 ? null : ReportFlow.Timestamp(a.TimestampNanos), a.FlowId, a.AppProto, a.Http, a.References);

    // Value equality for the metadata too (a record compares collections by reference), so an
    // alert read back from JSON or a durable unit equals the one it was made from.
    public bool Equals(ReportAlert? other) =>
        other is not null
        && Sid == other.Sid && Rev == other.Rev && Msg == other.Msg && Action == other.Action && Proto == other.Proto
        && Src == other.Src && SrcPort == other.SrcPort && Dst == other.Dst && DstPort == other.DstPort
        && PacketIndex == other.PacketIndex && Classtype == other.Classtype && Stage == other.Stage
        && Priority == other.Priority && Category == other.Category && SameMetadata(Metadata, other.Metadata)
        && Timestamp == other.Timestamp && FlowId == other.FlowId && AppProto == other.AppProto && Equals(Http, other.Http)
        && (References is null || other.References is null ? References is null && other.References is null : References.SequenceEqual(other.References));

    public override int GetHashCode() => HashCode.Combine(Sid, Src, SrcPort, Dst, DstPort, PacketIndex, Stage);

    private static bool SameMetadata(IReadOnlyDictionary<string, string[]>? a, IReadOnlyDictionary<string, string[]>? b) =>
        a is null || b is null
            ? a is null && b is null
            : a.Count == b.Count && a.All(entry => b.TryGetValue(entry.Key, out var values) && values.SequenceEqual(entry.Value));
}

/// <summary>One stage's packet counts and its own counters.</summary>
public sealed record ReportNf(string Name, string Kind, long PacketsIn, long PacketsOut, long Drops, long Errors, IReadOnlyDictionary<string, long> Counters);

/// <summary>Flow-table use summed over partitions.</summary>
public sealed record ReportFlowTable(int CapacityPerPartition, long PeakFlows, long Expired, long Evicted, long Reused, long RecordsOmitted);
