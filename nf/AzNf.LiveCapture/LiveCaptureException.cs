namespace AzNf.LiveCapture;

/// <summary>Why a live capture could not start or stopped.</summary>
public enum LiveCaptureFailure
{
    /// <summary>libpcap is not installed (or not loadable).</summary>
    LibraryMissing,
    /// <summary>No interface of that name.</summary>
    NoSuchInterface,
    /// <summary>The process may not capture (root or CAP_NET_RAW and CAP_NET_ADMIN needed).</summary>
    NoPermission,
    /// <summary>The BPF filter does not compile.</summary>
    BadFilter,
    /// <summary>Anything else libpcap refused or failed at.</summary>
    Failed,
}

/// <summary>A live capture that could not start, with a message naming the interface and the reason.</summary>
public sealed class LiveCaptureException(LiveCaptureFailure failure, string message, Exception? inner = null) : Exception(message, inner)
{
    public LiveCaptureFailure Failure { get; } = failure;
}
