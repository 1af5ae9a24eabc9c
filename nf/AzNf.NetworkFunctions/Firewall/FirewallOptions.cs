using System.Text.Json;
using AzNf.NetworkFunctions.Chain;

namespace AzNf.NetworkFunctions.Firewall;

/// <summary>
/// The firewall stage's <c>config</c> object, validated once at load. Timeouts are idle timeouts
/// per connection state, in seconds in JSON and nanoseconds here; the defaults are Linux's
/// (nf_conntrack_tcp_timeout_*, nf_conntrack_udp_timeout[_stream], icmp and generic).
/// </summary>
public sealed record FirewallOptions
{
    public const int DefaultMaxRules = 10_000;

    /// <summary>Rule slots are 16-bit in the per-flow verdict cache, with one slot for the default.</summary>
    public const int MaxRulesLimit = 65_000;

    private const long Second = 1_000_000_000L;

    public FirewallAction DefaultPolicy { get; init; } = FirewallAction.Deny;

    public BadRulePolicy OnBadRule { get; init; } = BadRulePolicy.RejectFile;

    public InvalidPacketPolicy InvalidPolicy { get; init; } = InvalidPacketPolicy.Drop;

    /// <summary>A frame the parser rejected (bad header, truncated): it cannot be checked, so deny.</summary>
    public FirewallAction MalformedPolicy { get; init; } = FirewallAction.Deny;

    /// <summary>ARP, LLDP and other non-IP frames: an IP firewall passes them, as iptables never sees them.</summary>
    public FirewallAction NonIpPolicy { get; init; } = FirewallAction.Allow;

    /// <summary>
    /// Pick up TCP connections whose handshake was not seen (Linux <c>nf_conntrack_tcp_loose</c>):
    /// off by default, so a mid-stream packet with no connection is invalid.
    /// </summary>
    public bool TcpPickup { get; init; }

    public int MaxRules { get; init; } = DefaultMaxRules;

    /// <summary>Idle timeout per <see cref="ConntrackState"/>, in nanoseconds (index = state).</summary>
    public IReadOnlyList<long> TimeoutNanos { get; init; } = DefaultTimeouts();

    /// <summary>The JSON field of each state's timeout, in <see cref="ConntrackState"/> order (NONE has none).</summary>
    public static readonly string?[] TimeoutFields =
    [
        null, "synSent", "synRecv", "established", "finWait", "closeWait", "lastAck", "timeWait", "close",
        "udp", "udpStream", "icmp", "icmpReplied", "generic", "genericReplied",
    ];

    private static readonly long[] DefaultTimeoutSeconds =
    [
        0, 120, 60, 432_000, 120, 60, 30, 120, 10,
        30, 120, 30, 30, 600, 600,
    ];

    public static long[] DefaultTimeouts() => DefaultTimeoutSeconds.Select(s => s * Second).ToArray();

    /// <summary>Reads the stage's <c>config</c>; any bad or unknown field throws naming <paramref name="location"/> and the field.</summary>
    public static FirewallOptions FromJson(JsonElement config, string location)
    {
        var options = new FirewallOptions();
        if (config.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
        {
            return options;
        }
        if (config.ValueKind != JsonValueKind.Object)
        {
            throw new ConfigException($"{location}: config", "must be a JSON object");
        }
        var timeouts = DefaultTimeouts();
        foreach (var property in config.EnumerateObject())
        {
            string where = $"{location}: config.{property.Name}";
            options = property.Name switch
            {
                "defaultPolicy" => options with { DefaultPolicy = ReadAction(property.Value, where) },
                "malformedPolicy" => options with { MalformedPolicy = ReadAction(property.Value, where) },
                "nonIpPolicy" => options with { NonIpPolicy = ReadAction(property.Value, where) },
                "onBadRule" => options with
                {
                    OnBadRule = ReadChoice(property.Value, where, ("reject-file", BadRulePolicy.RejectFile), ("skip-rule", BadRulePolicy.SkipRule)),
                },
                "invalidPolicy" => options with
                {
                    InvalidPolicy = ReadChoice(property.Value, where, ("drop", InvalidPacketPolicy.Drop), ("rules", InvalidPacketPolicy.Rules)),
                },
                "tcpPickup" => options with { TcpPickup = ReadBool(property.Value, where) },
                "maxRules" => options with { MaxRules = ReadInt(property.Value, where, 1, MaxRulesLimit) },
                "timeouts" => ReadTimeouts(options, property.Value, where, timeouts),
                _ => throw new ConfigException(where, "unknown field (known: defaultPolicy, onBadRule, invalidPolicy, malformedPolicy, nonIpPolicy, tcpPickup, maxRules, timeouts)"),
            };
        }
        return options;
    }

    private static FirewallOptions ReadTimeouts(FirewallOptions options, JsonElement value, string where, long[] timeouts)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new ConfigException(where, "must be an object of state name → seconds");
        }
        foreach (var property in value.EnumerateObject())
        {
            int index = Array.IndexOf(TimeoutFields, property.Name);
            string fieldWhere = $"{where}.{property.Name}";
            if (index <= 0)
            {
                throw new ConfigException(fieldWhere, "unknown timeout (known: " + string.Join(", ", TimeoutFields.Skip(1)) + ")");
            }
            // An upper bound keeps seconds → nanoseconds from overflowing (about 292 years).
            timeouts[index] = ReadInt(property.Value, fieldWhere, 1, int.MaxValue) * Second;
        }
        return options with { TimeoutNanos = timeouts };
    }

    private static FirewallAction ReadAction(JsonElement value, string where) =>
        ReadChoice(value, where, ("allow", FirewallAction.Allow), ("deny", FirewallAction.Deny));

    private static T ReadChoice<T>(JsonElement value, string where, params (string Name, T Value)[] choices)
    {
        if (value.ValueKind == JsonValueKind.String)
        {
            string? text = value.GetString();
            foreach (var (name, choice) in choices)
            {
                if (name == text)
                {
                    return choice;
                }
            }
        }
        throw new ConfigException(where, $"must be one of {string.Join(", ", choices.Select(c => '"' + c.Name + '"'))}, found {value.GetRawText()}");
    }

    private static bool ReadBool(JsonElement value, string where) => value.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw new ConfigException(where, $"must be true or false, found {value.GetRawText()}"),
    };

    private static int ReadInt(JsonElement value, string where, int min, int max)
    {
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int number) && number >= min && number <= max)
        {
            return number;
        }
        throw new ConfigException(where, $"must be an integer from {min} to {max}, found {value.GetRawText()}");
    }
}
