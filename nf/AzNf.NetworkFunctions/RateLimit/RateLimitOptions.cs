using System.Globalization;
using System.Text.Json;
using AzNf.NetworkFunctions.Chain;

namespace AzNf.NetworkFunctions.RateLimit;

/// <summary>What the rate limiter does with a packet over a limit.</summary>
public enum RateLimitAction : byte
{
    /// <summary>Dropped, with the limit it broke as the reason (<c>ratelimit:source-syn</c>, …).</summary>
    Drop = 0,

    /// <summary>Forwarded unchanged and counted as marked by the limit it broke (a dry run of the limits).</summary>
    Mark = 1,
}

/// <summary>The rates one address may use; 0 is no limit. Units per second of capture time.</summary>
public readonly record struct AddressRates(double PacketsPerSecond, double BitsPerSecond, double SynPerSecond)
{
    public bool Any => PacketsPerSecond > 0 || BitsPerSecond > 0 || SynPerSecond > 0;
}

/// <summary>
/// A <c>ratelimit</c> stage's <c>config</c>: token buckets per source and per destination
/// address, in packets/s, bits/s and new TCP connections (SYN without ACK) per second, each
/// bucket holding <see cref="BurstSeconds"/> of its rate. Rates are the chain's: each of the run's
/// P partitions enforces 1/P of them on the packets it holds (docs/ratelimit.md).
/// </summary>
public sealed record RateLimitOptions
{
    /// <summary>Most addresses one partition tracks (sources and destinations each); the least recently seen goes first.</summary>
    public const int MaxAddressesLimit = 16 * 1024 * 1024;

    public RateLimitAction Action { get; init; } = RateLimitAction.Drop;

    public AddressRates BySource { get; init; }

    public AddressRates ByDestination { get; init; }

    /// <summary>How many seconds of its rate a bucket holds (and starts with).</summary>
    public double BurstSeconds { get; init; } = 1;

    public int MaxAddresses { get; init; } = 65_536;

    /// <summary>Reads <paramref name="config"/>; <paramref name="location"/> names the stage in errors.</summary>
    /// <exception cref="ConfigException">A field is unknown, out of range, or no limit is set.</exception>
    public static RateLimitOptions Parse(JsonElement config, string location)
    {
        if (config.ValueKind != JsonValueKind.Object)
        {
            throw new ConfigException($"{location}: config", "must be a JSON object with bySource and/or byDestination limits");
        }
        var options = new RateLimitOptions();
        foreach (var property in config.EnumerateObject())
        {
            string where = $"{location}: config.{property.Name}";
            options = property.Name switch
            {
                "action" => options with { Action = ReadAction(property.Value, where) },
                "bySource" => options with { BySource = ReadRates(property.Value, where) },
                "byDestination" => options with { ByDestination = ReadRates(property.Value, where) },
                "burstSeconds" => options with { BurstSeconds = ReadNumber(property.Value, where, 0.001, 3600) },
                "maxAddresses" => options with { MaxAddresses = (int)ReadNumber(property.Value, where, 1, MaxAddressesLimit, integer: true) },
                _ => throw new ConfigException(where, "unknown field (known: action, bySource, byDestination, burstSeconds, maxAddresses)"),
            };
        }
        if (!options.BySource.Any && !options.ByDestination.Any)
        {
            throw new ConfigException($"{location}: config", "sets no limit: give bySource and/or byDestination a packetsPerSecond, bitsPerSecond or synPerSecond");
        }
        return options;
    }

    private static RateLimitAction ReadAction(JsonElement value, string where) => value.GetRawText() switch
    {
        "\"drop\"" => RateLimitAction.Drop,
        "\"mark\"" => RateLimitAction.Mark,
        var text => throw new ConfigException(where, $"must be \"drop\" or \"mark\", found {text}"),
    };

    private static AddressRates ReadRates(JsonElement value, string where)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new ConfigException(where, "must be an object of packetsPerSecond, bitsPerSecond, synPerSecond");
        }
        var rates = new AddressRates();
        foreach (var property in value.EnumerateObject())
        {
            string fieldWhere = $"{where}.{property.Name}";
            // Up to 1 Tbit/s; a rate of 0 would be "no limit" and is refused as a likely mistake.
            double rate = ReadNumber(property.Value, fieldWhere, 0.001, 1e12);
            rates = property.Name switch
            {
                "packetsPerSecond" => rates with { PacketsPerSecond = rate },
                "bitsPerSecond" => rates with { BitsPerSecond = rate },
                "synPerSecond" => rates with { SynPerSecond = rate },
                _ => throw new ConfigException(fieldWhere, "unknown field (known: packetsPerSecond, bitsPerSecond, synPerSecond)"),
            };
        }
        return rates;
    }

    private static double ReadNumber(JsonElement value, string where, double min, double max, bool integer = false)
    {
        if (value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out double number) && number >= min && number <= max
            && (!integer || number == Math.Floor(number)))
        {
            return number;
        }
        string kind = integer ? "an integer" : "a number";
        throw new ConfigException(where, string.Create(CultureInfo.InvariantCulture, $"must be {kind} from {min} to {max}, found {value.GetRawText()}"));
    }
}
