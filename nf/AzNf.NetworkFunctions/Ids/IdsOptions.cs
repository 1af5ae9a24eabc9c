using System.Text.Json;
using AzNf.NetworkFunctions.Chain;

namespace AzNf.NetworkFunctions.Ids;

/// <summary>
/// The IDS stage's <c>config</c> object. Every limit is explicit, with a default chosen to match
/// Suricata 7's where one exists.
/// </summary>
public sealed record IdsOptions
{
    /// <summary>Per-pcre match timeout; a timeout counts as an NF error and the pcre as not matching.</summary>
    public int PcreTimeoutMs { get; init; } = 100;

    /// <summary>Bytes of each direction's stream that are reassembled and inspected (Suricata's <c>stream.reassembly.depth</c>, 1 MiB).</summary>
    public int StreamDepthBytes { get; init; } = 1 << 20;

    /// <summary>Bytes of already-inspected stream kept per direction, so a match may span segments.</summary>
    public int StreamWindowBytes { get; init; } = 2048;

    /// <summary>Out-of-order segments held per direction while waiting for a gap to fill.</summary>
    public int MaxBufferedSegments { get; init; } = 16;

    /// <summary>
    /// <c>backtracking</c> (default: PCRE-like semantics, bounded by <see cref="PcreTimeoutMs"/>) or
    /// <c>linear</c>: .NET's non-backtracking engine, linear in the input so hostile payloads
    /// cannot stall a partition; a pattern it cannot run (backreferences, lookaround) falls back
    /// to backtracking with an <c>ids-pcre-backtracking</c> warning.
    /// </summary>
    public string PcreEngine { get; init; } = "backtracking";

    /// <summary>Content retries per rule and buffer (Suricata's <c>detect.inspection-recursion-limit</c>).</summary>
    public int InspectionRecursionLimit { get; init; } = 3000;

    /// <summary>Largest HTTP head (start line + header lines) per message; a longer one ends HTTP parsing of the flow (<c>http:head-too-long</c>).</summary>
    public int HttpHeadBytes { get; init; } = 32 * 1024;

    /// <summary>Request body bytes kept for inspection per request (Suricata's <c>request-body-limit</c>, 100 KiB).</summary>
    public int HttpRequestBodyBytes { get; init; } = 100 * 1024;

    /// <summary>Response body bytes kept for inspection per response (Suricata's <c>response-body-limit</c>, 100 KiB).</summary>
    public int HttpResponseBodyBytes { get; init; } = 100 * 1024;

    /// <summary>Pipelined requests kept per flow while they wait for their responses; the oldest goes when one more arrives (<c>http:pending-dropped</c>).</summary>
    public int HttpPendingRequests { get; init; } = 16;

    /// <summary>Client bytes kept while a TLS ClientHello is incomplete (for tls.sni); a longer hello is given up (<c>tls:hello-too-long</c>).</summary>
    public int TlsHelloBytes { get; init; } = 16 * 1024 + 5;

    /// <summary>xbits kept (one per bit and host or host pair); see <c>xbits:table-full</c>.</summary>
    public int XbitsEntries { get; init; } = 100_000;

    /// <summary>Threshold and detection_filter counters kept (one per rule and tracked address); see <c>thresholds:table-full</c>.</summary>
    public int ThresholdEntries { get; init; } = 100_000;

    /// <summary>Longest rule (after joining continued lines), bytes of UTF-8; a longer one is rejected (<c>too-long</c>). Suricata's <c>DETECT_MAX_RULE_SIZE</c>, 8 KiB.</summary>
    public int MaxRuleBytes { get; init; } = 8192;

    /// <summary>Reads the options from a stage's <c>config</c>; unknown fields and bad values are errors.</summary>
    /// <exception cref="ConfigException">A field is unknown, not an integer, or out of range.</exception>
    public static IdsOptions FromJson(JsonElement config, string location)
    {
        var options = new IdsOptions();
        if (config.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
        {
            return options;
        }
        if (config.ValueKind != JsonValueKind.Object)
        {
            throw new ConfigException(location, "config must be a JSON object");
        }
        foreach (var property in config.EnumerateObject())
        {
            options = property.Name switch
            {
                "pcreTimeoutMs" => options with { PcreTimeoutMs = Read(property, location, 1, 60_000) },
                "streamDepthBytes" => options with { StreamDepthBytes = Read(property, location, 0, int.MaxValue) },
                "streamWindowBytes" => options with { StreamWindowBytes = Read(property, location, 0, 1 << 20) },
                "maxBufferedSegments" => options with { MaxBufferedSegments = Read(property, location, 0, 1024) },
                "inspectionRecursionLimit" => options with { InspectionRecursionLimit = Read(property, location, 1, 1_000_000) },
                "pcreEngine" => options with { PcreEngine = ReadEngine(property, location) },
                "httpHeadBytes" => options with { HttpHeadBytes = Read(property, location, 256, 1 << 24) },
                "httpRequestBodyBytes" => options with { HttpRequestBodyBytes = Read(property, location, 0, 1 << 26) },
                "httpResponseBodyBytes" => options with { HttpResponseBodyBytes = Read(property, location, 0, 1 << 26) },
                "tlsHelloBytes" => options with { TlsHelloBytes = Read(property, location, 64, 1 << 20) },
                "xbitsEntries" => options with { XbitsEntries = Read(property, location, 1, 100_000_000) },
                "thresholdEntries" => options with { ThresholdEntries = Read(property, location, 1, 100_000_000) },
                "httpPendingRequests" => options with { HttpPendingRequests = Read(property, location, 1, 1024) },
                "maxRuleBytes" => options with { MaxRuleBytes = Read(property, location, 256, 1 << 20) },
                _ => throw new ConfigException($"{location}.config.{property.Name}", "unknown IDS option"),
            };
        }
        return options;
    }

    private static string ReadEngine(JsonProperty property, string location) =>
        property.Value.ValueKind == JsonValueKind.String && property.Value.GetString() is "backtracking" or "linear"
            ? property.Value.GetString()!
            : throw new ConfigException($"{location}.config.{property.Name}", "must be \"backtracking\" or \"linear\"");

    private static int Read(JsonProperty property, string location, int min, int max)
    {
        if (property.Value.ValueKind != JsonValueKind.Number || !property.Value.TryGetInt32(out int value) || value < min || value > max)
        {
            throw new ConfigException($"{location}.config.{property.Name}", $"must be an integer from {min} to {max}");
        }
        return value;
    }
}
