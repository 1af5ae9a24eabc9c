using System.Globalization;

namespace AzNf.Cli;

/// <summary>Sizes on the command line: a number of bytes with an optional KB, MB or GB (powers of 1024).</summary>
internal static class ByteSize
{
    public static bool TryParse(string text, out long bytes)
    {
        bytes = 0;
        string t = text.Trim().ToUpperInvariant();
        long unit = 1;
        foreach (var (suffix, size) in new[] { ("GB", 1L << 30), ("MB", 1L << 20), ("KB", 1L << 10), ("B", 1L) })
        {
            if (t.EndsWith(suffix, StringComparison.Ordinal))
            {
                unit = size;
                t = t[..^suffix.Length].TrimEnd();
                break;
            }
        }
        if (!long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out long count) || count < 1 || count > long.MaxValue / unit)
        {
            return false;
        }
        bytes = count * unit;
        return true;
    }
}
