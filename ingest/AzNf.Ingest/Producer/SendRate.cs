using System.Globalization;

namespace AzNf.Ingest.Producer;

/// <summary>How fast <c>aznf send</c> replays a capture.</summary>
public readonly record struct SendRate(SendRateKind Kind, double Value)
{
    public static SendRate Unlimited => new(SendRateKind.Unlimited, 0);

    /// <summary>
    /// Parses <c>max</c>, <c>20000pps</c> / <c>50kpps</c> / <c>1Mpps</c>, <c>100Mbps</c> /
    /// <c>1Gbps</c> / <c>500kbps</c> / <c>64000bps</c>, or <c>1x</c> / <c>2.5x</c> (a multiple
    /// of the capture's own speed, from its timestamps).
    /// </summary>
    /// <exception cref="FormatException">The text is none of those, or the number is not positive.</exception>
    public static SendRate Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string t = text.Trim();
        if (t.Equals("max", StringComparison.OrdinalIgnoreCase) || t.Equals("unlimited", StringComparison.OrdinalIgnoreCase))
        {
            return Unlimited;
        }
        (string Suffix, SendRateKind Kind, double Scale)[] units =
        [
            ("Mpps", SendRateKind.PacketsPerSecond, 1e6),
            ("kpps", SendRateKind.PacketsPerSecond, 1e3),
            ("pps", SendRateKind.PacketsPerSecond, 1),
            ("Gbps", SendRateKind.BitsPerSecond, 1e9),
            ("Mbps", SendRateKind.BitsPerSecond, 1e6),
            ("kbps", SendRateKind.BitsPerSecond, 1e3),
            ("bps", SendRateKind.BitsPerSecond, 1),
            ("x", SendRateKind.CaptureSpeed, 1),
        ];
        foreach (var (suffix, kind, scale) in units)
        {
            if (t.EndsWith(suffix, StringComparison.Ordinal)
                && double.TryParse(t.AsSpan(0, t.Length - suffix.Length), NumberStyles.Float, CultureInfo.InvariantCulture, out double number))
            {
                if (!(number > 0) || double.IsInfinity(number))
                {
                    throw new FormatException($"rate '{text}': the number must be positive");
                }
                return new SendRate(kind, number * scale);
            }
        }
        throw new FormatException($"rate '{text}' is not understood: use max, <N>pps (k/M), <N>bps (k/M/G) or <N>x (times capture speed)");
    }

    public override string ToString() => Kind switch
    {
        SendRateKind.PacketsPerSecond => $"{Value.ToString(CultureInfo.InvariantCulture)} pps",
        SendRateKind.BitsPerSecond => $"{(Value / 1e6).ToString(CultureInfo.InvariantCulture)} Mbps",
        SendRateKind.CaptureSpeed => $"{Value.ToString(CultureInfo.InvariantCulture)}× capture speed",
        _ => "unlimited",
    };
}

/// <summary>What a <see cref="SendRate"/> limits.</summary>
public enum SendRateKind
{
    Unlimited,
    PacketsPerSecond,
    BitsPerSecond,
    /// <summary>The capture's own timestamps, sped up or slowed down by the value.</summary>
    CaptureSpeed,
}
