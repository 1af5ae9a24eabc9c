namespace AzNf.Packets.Capture;

/// <summary>One problem found while reading a capture that did not stop it.</summary>
/// <param name="Code">A stable kebab-case reason code, e.g. <c>pcap-truncated-record</c> (see docs/capture.md).</param>
/// <param name="Position">Byte offset of the record or block where the problem was found.</param>
/// <param name="Detail">A human-readable detail, e.g. the lengths involved.</param>
public readonly record struct CaptureWarning(string Code, long Position, string Detail)
{
    public override string ToString() => $"{Code} at byte {Position}: {Detail}";
}
