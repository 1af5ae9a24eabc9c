using System.Globalization;
using System.Text.Json;
using AzNf.NetworkFunctions;
using AzNf.NetworkFunctions.Chain;
using AzNf.Packets.Parsing;

namespace AzNf.Outputs.Eve;

/// <summary>
/// Writes one EVE JSON event (Suricata's format: one JSON object per line) from the report's
/// model, so that EVE and the report can never disagree. Field names and JSON types are
/// Suricata 7's where Suricata has the field; what only AzNf knows goes under <c>aznf</c>.
/// </summary>
public static class EveEvents
{
    private const string ReportTimeFormat = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

    /// <summary>An <c>alert</c> event.</summary>
    public static void WriteAlert(Utf8JsonWriter json, ReportAlert alert)
    {
        json.WriteStartObject();
        WriteTimestamp(json, alert.Timestamp);
        if (alert.FlowId != 0)
        {
            json.WriteNumber("flow_id", alert.FlowId);
        }
        json.WriteNumber("pcap_cnt", alert.PacketIndex);
        json.WriteString("event_type", "alert");
        WriteEndpoints(json, alert.Src, alert.SrcPort, alert.Dst, alert.DstPort, alert.Proto);
        json.WriteStartObject("alert");
        json.WriteString("action", alert.Action is "drop" or "reject" ? "blocked" : "allowed");
        json.WriteNumber("gid", 1);
        json.WriteNumber("signature_id", alert.Sid);
        json.WriteNumber("rev", alert.Rev);
        json.WriteString("signature", alert.Msg);
        json.WriteString("category", alert.Category ?? "");
        // Suricata's severity is the rule's priority, 3 when neither classtype nor priority sets one.
        json.WriteNumber("severity", alert.Priority ?? 3);
        if (alert.Metadata is { Count: > 0 } metadata)
        {
            json.WriteStartObject("metadata");
            foreach (var (key, values) in metadata)
            {
                json.WriteStartArray(key);
                foreach (string value in values)
                {
                    json.WriteStringValue(value);
                }
                json.WriteEndArray();
            }
            json.WriteEndObject();
        }
        json.WriteEndObject();
        WriteOptional(json, "app_proto", alert.AppProto);
        if (alert.Http is { } http)
        {
            json.WriteStartObject("http");
            WriteOptional(json, "hostname", http.Hostname);
            WriteOptional(json, "url", http.Url);
            WriteOptional(json, "http_user_agent", http.UserAgent);
            WriteOptional(json, "http_content_type", http.ContentType);
            WriteOptional(json, "http_method", http.Method);
            WriteOptional(json, "protocol", http.Protocol);
            if (http.Status is { } status)
            {
                json.WriteNumber("status", status);
            }
            json.WriteEndObject();
        }
        json.WriteStartObject("aznf");
        json.WriteString("stage", alert.Stage);
        if (alert.References is { Count: > 0 } references)
        {
            json.WriteStartArray("references");
            foreach (string reference in references)
            {
                json.WriteStringValue(reference);
            }
            json.WriteEndArray();
        }
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteOptional(Utf8JsonWriter json, string name, string? value)
    {
        if (value is not null)
        {
            json.WriteString(name, value);
        }
    }

    /// <summary>A <c>flow</c> event for a flow that ended; <paramref name="alerted"/>: an alert was raised on it.</summary>
    public static void WriteFlow(Utf8JsonWriter json, ReportFlow flow, bool alerted)
    {
        var (source, sourcePort) = SplitEndpoint(flow.A);
        var (destination, destinationPort) = SplitEndpoint(flow.B);
        json.WriteStartObject();
        WriteTimestamp(json, flow.LastSeen);
        json.WriteNumber("flow_id", flow.FlowId);
        json.WriteString("event_type", "flow");
        WriteEndpoints(json, source, sourcePort, destination, destinationPort, flow.Proto);
        WriteOptional(json, "app_proto", flow.AppProto);
        json.WriteStartObject("flow");
        json.WriteNumber("pkts_toserver", flow.PacketsAtoB);
        json.WriteNumber("pkts_toclient", flow.PacketsBtoA);
        json.WriteNumber("bytes_toserver", flow.BytesAtoB);
        json.WriteNumber("bytes_toclient", flow.BytesBtoA);
        WriteTimestamp(json, "start", flow.FirstSeen);
        WriteTimestamp(json, "end", flow.LastSeen);
        json.WriteNumber("age", (long)(ParseReportTime(flow.LastSeen) - ParseReportTime(flow.FirstSeen)).TotalSeconds);
        json.WriteString("state", flow.State ?? "new");
        json.WriteString("reason", EndReason(flow.End));
        json.WriteBoolean("alerted", alerted);
        json.WriteEndObject();
        json.WriteStartObject("aznf");
        json.WriteString("end", flow.End);
        WriteOptional(json, "translated", flow.Translated);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary>A <c>drop</c> event: stage <paramref name="stage"/> dropped <paramref name="packet"/> for <paramref name="reason"/>.</summary>
    public static void WriteDrop(Utf8JsonWriter json, in PacketContext packet, string stage, string reason)
    {
        json.WriteStartObject();
        WriteTimestamp(json, ReportFlow.Timestamp(packet.TimestampNanos));
        ref readonly var header = ref packet.Packet;
        if (packet.IsParsed)
        {
            json.WriteNumber("flow_id", FlowId.Of(in packet));
        }
        json.WriteNumber("pcap_cnt", packet.Index);
        json.WriteString("event_type", "drop");
        if (packet.IsParsed)
        {
            WriteEndpoints(json, header.Source.ToString(), header.SourcePort, header.Destination.ToString(), header.DestinationPort, IpProtocol.Name(header.Protocol));
        }
        json.WriteStartObject("drop");
        json.WriteNumber("len", packet.WireLength);
        if (packet.IsParsed)
        {
            json.WriteNumber("ttl", header.Ttl);
            if (header.IsTcp)
            {
                json.WriteNumber("tcpseq", header.TcpSequence);
                json.WriteNumber("tcpack", header.TcpAcknowledgment);
                json.WriteNumber("tcpwin", header.TcpWindow);
                json.WriteBoolean("syn", (header.TcpFlags & TcpFlags.Syn) != 0);
                json.WriteBoolean("ack", (header.TcpFlags & TcpFlags.Ack) != 0);
                json.WriteBoolean("psh", (header.TcpFlags & TcpFlags.Psh) != 0);
                json.WriteBoolean("rst", (header.TcpFlags & TcpFlags.Rst) != 0);
                json.WriteBoolean("urg", (header.TcpFlags & TcpFlags.Urg) != 0);
                json.WriteBoolean("fin", (header.TcpFlags & TcpFlags.Fin) != 0);
            }
        }
        json.WriteString("reason", reason);
        json.WriteEndObject();
        json.WriteStartObject("aznf");
        json.WriteString("stage", stage);
        if (!packet.IsParsed)
        {
            json.WriteString("unparsed", MalformedReasons.Name(packet.Malformed));
        }
        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary>
    /// A <c>stats</c> event from the report so far: Suricata's <c>decoder</c>, <c>flow</c> and
    /// <c>detect</c> counters where AzNf has them, and the chain's own under <c>aznf</c>.
    /// </summary>
    public static void WriteStats(Utf8JsonWriter json, RunReport report, DateTimeOffset now, TimeSpan uptime)
    {
        ArgumentNullException.ThrowIfNull(report);
        json.WriteStartObject();
        json.WriteString("timestamp", EveTime(now));
        json.WriteString("event_type", "stats");
        json.WriteStartObject("stats");
        json.WriteNumber("uptime", (long)uptime.TotalSeconds);
        json.WriteStartObject("decoder");
        json.WriteNumber("pkts", report.Totals.Packets);
        json.WriteNumber("bytes", report.Totals.Bytes);
        json.WriteNumber("invalid", report.Totals.Unparsed.Values.Sum());
        json.WriteEndObject();
        json.WriteStartObject("flow");
        json.WriteNumber("total", report.Flows.Count + report.FlowTable.RecordsOmitted);
        json.WriteNumber("tcp_reuse", report.FlowTable.Reused);
        json.WriteEndObject();
        json.WriteStartObject("detect");
        json.WriteNumber("alert", report.Alerts.Count);
        json.WriteEndObject();
        json.WriteStartObject("aznf");
        json.WriteNumber("forwarded", report.Totals.Forwarded);
        json.WriteNumber("dropped", report.Totals.Dropped);
        WriteCounters(json, "drop_reasons", report.Totals.DropReasons);
        WriteCounters(json, "unparsed", report.Totals.Unparsed);
        json.WriteStartObject("flow_table");
        json.WriteNumber("peak", report.FlowTable.PeakFlows);
        json.WriteNumber("expired", report.FlowTable.Expired);
        json.WriteNumber("evicted", report.FlowTable.Evicted);
        json.WriteEndObject();
        json.WriteStartObject("nfs");
        foreach (var nf in report.Nfs)
        {
            json.WriteStartObject(nf.Name);
            json.WriteString("kind", nf.Kind);
            json.WriteNumber("packets_in", nf.PacketsIn);
            json.WriteNumber("packets_out", nf.PacketsOut);
            json.WriteNumber("drops", nf.Drops);
            json.WriteNumber("errors", nf.Errors);
            WriteCounters(json, "counters", nf.Counters);
            json.WriteEndObject();
        }
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary>
    /// A <c>stats</c> event while the run goes: what the partitions have counted so far (their
    /// counters read from another thread: each is one 64-bit word, so none is torn, and the
    /// event is a moment's picture, not a balance).
    /// </summary>
    public static void WriteLiveStats(Utf8JsonWriter json, IReadOnlyList<ChainPartition> partitions, DateTimeOffset now, TimeSpan uptime)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        long packets = 0, bytes = 0, forwarded = 0, dropped = 0, alerts = 0, active = 0;
        foreach (var p in partitions)
        {
            packets += p.Packets;
            bytes += p.Bytes;
            forwarded += p.Forwarded;
            dropped += p.Dropped;
            alerts += p.Alerts.Count;
            active += p.Flows.Count;
        }
        json.WriteStartObject();
        json.WriteString("timestamp", EveTime(now));
        json.WriteString("event_type", "stats");
        json.WriteStartObject("stats");
        json.WriteNumber("uptime", (long)uptime.TotalSeconds);
        json.WriteStartObject("decoder");
        json.WriteNumber("pkts", packets);
        json.WriteNumber("bytes", bytes);
        json.WriteEndObject();
        json.WriteStartObject("flow");
        json.WriteNumber("active", active);
        json.WriteEndObject();
        json.WriteStartObject("detect");
        json.WriteNumber("alert", alerts);
        json.WriteEndObject();
        json.WriteStartObject("aznf");
        json.WriteNumber("forwarded", forwarded);
        json.WriteNumber("dropped", dropped);
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary>Suricata's flow end reason: timeout, forced (evicted) or shutdown (end of input); a reused 5-tuple ends the old flow as <c>tcp_reuse</c>.</summary>
    public static string EndReason(string reportEnd) => reportEnd switch
    {
        "expired" => "timeout",
        "evicted" => "forced",
        "reused" => "tcp_reuse",
        _ => "shutdown",
    };

    /// <summary>Suricata's timestamp: microseconds and a numeric UTC offset, <c>2024-04-21T10:00:00.123456+0000</c>.</summary>
    public static string EveTime(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'+0000'", CultureInfo.InvariantCulture);

    private static void WriteTimestamp(Utf8JsonWriter json, string? reportTime) => WriteTimestamp(json, "timestamp", reportTime);

    // The report's time has 7 fractional digits and a Z: keep 6 and write Suricata's offset.
    private static void WriteTimestamp(Utf8JsonWriter json, string name, string? reportTime)
    {
        if (reportTime is { Length: 28 } && reportTime[^1] == 'Z')
        {
            Span<char> eve = stackalloc char[31];
            reportTime.AsSpan(0, 26).CopyTo(eve);
            "+0000".AsSpan().CopyTo(eve[26..]);
            json.WriteString(name, eve);
        }
        else if (reportTime is not null)
        {
            json.WriteString(name, EveTime(ParseReportTime(reportTime)));
        }
    }

    private static DateTimeOffset ParseReportTime(string time) =>
        DateTimeOffset.ParseExact(time, ReportTimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    private static void WriteEndpoints(Utf8JsonWriter json, string source, int sourcePort, string destination, int destinationPort, string proto)
    {
        json.WriteString("src_ip", source);
        bool ports = proto is "tcp" or "udp";
        if (ports)
        {
            json.WriteNumber("src_port", sourcePort);
        }
        json.WriteString("dest_ip", destination);
        if (ports)
        {
            json.WriteNumber("dest_port", destinationPort);
        }
        json.WriteString("proto", SuricataProto(proto));
    }

    /// <summary>How Suricata spells a protocol in EVE (<c>TCP</c>, <c>UDP</c>, <c>ICMP</c>, <c>IPv6-ICMP</c>, else the number).</summary>
    public static string SuricataProto(string reportProto) => reportProto switch
    {
        "tcp" => "TCP",
        "udp" => "UDP",
        "icmp" => "ICMP",
        "icmpv6" or "ipv6-icmp" => "IPv6-ICMP",
        _ => reportProto,
    };

    // "10.0.0.1:80" or "[2001:db8::1]:80" (FlowKey.Endpoint) into address and port.
    private static (string Address, int Port) SplitEndpoint(string endpoint)
    {
        int colon = endpoint.LastIndexOf(':');
        if (colon < 0 || (endpoint[0] == '[' && endpoint[colon - 1] != ']'))
        {
            return (endpoint, 0);
        }
        string address = endpoint[0] == '[' ? endpoint[1..(colon - 1)] : endpoint[..colon];
        return (address, int.Parse(endpoint.AsSpan(colon + 1), CultureInfo.InvariantCulture));
    }

    private static void WriteCounters(Utf8JsonWriter json, string name, IReadOnlyDictionary<string, long> counters)
    {
        json.WriteStartObject(name);
        foreach (var (key, value) in counters)
        {
            json.WriteNumber(key, value);
        }
        json.WriteEndObject();
    }
}
