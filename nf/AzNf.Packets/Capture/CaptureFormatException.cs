namespace AzNf.Packets.Capture;

/// <summary>A capture file that cannot be used at all (placeholder until the readers land).</summary>
public sealed class CaptureFormatException(string message) : Exception(message);
