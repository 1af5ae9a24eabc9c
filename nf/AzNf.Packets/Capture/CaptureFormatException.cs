namespace AzNf.Packets.Capture;

/// <summary>
/// A capture file that cannot be used at all: missing, unknown magic, truncated file header or
/// section header, unsupported version. Problems found after a usable start are warnings
/// (<see cref="CaptureWarnings"/>), never this exception.
/// </summary>
public sealed class CaptureFormatException : Exception
{
    public CaptureFormatException()
        : this("(unknown)", 0, "unusable capture")
    {
    }

    public CaptureFormatException(string message)
        : base(message)
    {
        FileName = "(unknown)";
    }

    public CaptureFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
        FileName = "(unknown)";
    }

    public CaptureFormatException(string fileName, long position, string reason, Exception? innerException = null)
        : base($"{fileName}: {reason} at byte {position}", innerException)
    {
        FileName = fileName;
        Position = position;
        Reason = reason;
    }

    /// <summary>The file (or stream name) that could not be read.</summary>
    public string FileName { get; }

    /// <summary>Byte offset in the file where the problem was found.</summary>
    public long Position { get; }

    /// <summary>What is wrong, without the file name and position.</summary>
    public string Reason { get; } = "";
}
