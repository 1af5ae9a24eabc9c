using System.Globalization;
using System.Runtime.InteropServices;

namespace AzNf.Packets.Capture;

/// <summary>
/// Counted problems found while reading a capture that did not stop it: a count per reason code
/// and the first few occurrences with their byte positions.
/// </summary>
public sealed class CaptureWarnings
{
    private readonly Dictionary<string, long> _counts = new(StringComparer.Ordinal);
    private readonly List<CaptureWarning> _details = [];
    private readonly int _maxDetails;

    public CaptureWarnings(int maxDetails = 100)
    {
        _maxDetails = Math.Max(0, maxDetails);
    }

    /// <summary>Warnings per reason code.</summary>
    public IReadOnlyDictionary<string, long> Counts => _counts;

    /// <summary>The first warnings (up to <see cref="CaptureReaderOptions.MaxWarningDetails"/>), in file order.</summary>
    public IReadOnlyList<CaptureWarning> Details => _details;

    /// <summary>All warnings, including those beyond the kept details.</summary>
    public long Total { get; private set; }

    /// <summary>The count for <paramref name="code"/>, 0 when it never occurred.</summary>
    public long CountOf(string code) => _counts.GetValueOrDefault(code);

    /// <summary>
    /// Counts one warning. The detail is formatted only while details are still kept, so a file
    /// with a warning on every record does not allocate per record.
    /// </summary>
    internal void Add(string code, long position, string format, long arg0 = 0, long arg1 = 0)
    {
        Total++;
        CollectionsMarshal.GetValueRefOrAddDefault(_counts, code, out _)++;
        if (_details.Count < _maxDetails)
        {
            _details.Add(new CaptureWarning(code, position, string.Format(CultureInfo.InvariantCulture, format, arg0, arg1)));
        }
    }
}
