using System.Buffers;
using System.Text.Json;
using AzNf.NetworkFunctions.Chain;
using AzNf.Outputs.Eve;

namespace AzNf.Outputs.Tests;

public class EveEventsTests
{
    [Theory]
    [InlineData("10.0.0.1:1234", "10.0.0.2:80", "tcp", "10.0.0.1", 1234, "10.0.0.2", 80, "TCP")]
    [InlineData("[2001:db8::1]:53000", "[2001:db8::53]:53", "udp", "2001:db8::1", 53000, "2001:db8::53", 53, "UDP")]
    public void WriteFlow_SplitsEndpointsIntoSuricatasFields(string a, string b, string proto, string srcIp, int srcPort, string destIp, int destPort, string eveProto)
    {
        var flow = new ReportFlow($"{proto} {a} <-> {b}", proto, a, b, 5, 700, 3, 2, 400, 300, 1,
            "2026-01-01T00:00:00.1234567Z", "2026-01-01T00:01:30.5000000Z", "expired", FlowId: 42, State: "established");

        var e = Write(json => EveEvents.WriteFlow(json, flow, alerted: true));

        Assert.Equal("2026-01-01T00:01:30.500000+0000", e.GetProperty("timestamp").GetString());
        Assert.Equal(42, e.GetProperty("flow_id").GetInt64());
        Assert.Equal(srcIp, e.GetProperty("src_ip").GetString());
        Assert.Equal(srcPort, e.GetProperty("src_port").GetInt32());
        Assert.Equal(destIp, e.GetProperty("dest_ip").GetString());
        Assert.Equal(destPort, e.GetProperty("dest_port").GetInt32());
        Assert.Equal(eveProto, e.GetProperty("proto").GetString());
        var f = e.GetProperty("flow");
        Assert.Equal(3, f.GetProperty("pkts_toserver").GetInt64());
        Assert.Equal(300, f.GetProperty("bytes_toclient").GetInt64());
        Assert.Equal("2026-01-01T00:00:00.123456+0000", f.GetProperty("start").GetString());
        Assert.Equal(90, f.GetProperty("age").GetInt64());
        Assert.Equal("timeout", f.GetProperty("reason").GetString());
        Assert.True(f.GetProperty("alerted").GetBoolean());
    }

    [Fact]
    public void WriteFlow_IcmpFlow_HasNoPorts()
    {
        var flow = new ReportFlow("icmp 10.0.0.1 <-> 10.0.0.2 id 7", "icmp", "10.0.0.1:7", "10.0.0.2:7", 2, 148, 1, 1, 74, 74, 1,
            "2026-01-01T00:00:00.0000000Z", "2026-01-01T00:00:00.0010000Z", "end-of-run", FlowId: 5, State: "established");

        var e = Write(json => EveEvents.WriteFlow(json, flow, alerted: false));

        Assert.False(e.TryGetProperty("src_port", out _));
        Assert.Equal("10.0.0.1", e.GetProperty("src_ip").GetString());
        Assert.Equal("ICMP", e.GetProperty("proto").GetString());
        Assert.Equal("shutdown", e.GetProperty("flow").GetProperty("reason").GetString());
    }

    [Fact]
    public void WriteAlert_DropRuleWithMetadataAndNoClasstype_BlockedSeverityThreeMetadataArrays()
    {
        var alert = new ReportAlert(2001, 3, "ET x \"quoted\" + <tag>", "drop", "tcp", "10.0.0.1", 1234, "10.0.0.2", 80, 17, null, "ids",
            Metadata: new Dictionary<string, string[]> { ["created_at"] = ["2024_01_01"], ["tag"] = ["a", "b"] },
            Timestamp: "2026-01-01T00:00:00.0000010Z", FlowId: 9);

        var e = Write(json => EveEvents.WriteAlert(json, alert));

        var a = e.GetProperty("alert");
        Assert.Equal("blocked", a.GetProperty("action").GetString());
        Assert.Equal(3, a.GetProperty("severity").GetInt32());
        Assert.Equal("", a.GetProperty("category").GetString());
        Assert.Equal("ET x \"quoted\" + <tag>", a.GetProperty("signature").GetString());
        Assert.Equal(["a", "b"], a.GetProperty("metadata").GetProperty("tag").EnumerateArray().Select(v => v.GetString()!));
        Assert.Equal(17, e.GetProperty("pcap_cnt").GetInt64());
        Assert.Equal("2026-01-01T00:00:00.000001+0000", e.GetProperty("timestamp").GetString());
        Assert.Equal("ids", e.GetProperty("aznf").GetProperty("stage").GetString());
    }

    private static JsonElement Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, EveOutput.WriterOptions))
        {
            write(json);
        }
        string text = System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
        Assert.DoesNotContain("\\u002B", text, StringComparison.Ordinal); // '+' as Suricata writes it
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
