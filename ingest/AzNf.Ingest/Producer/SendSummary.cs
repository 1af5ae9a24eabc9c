namespace AzNf.Ingest.Producer;

/// <summary>What a send did; <see cref="Rejected"/> lists why packets were left out (first few, with counts in <see cref="PacketsRejected"/>).</summary>
public sealed record SendSummary(
    long PacketsRead,
    long PacketsSent,
    long PacketsRejected,
    long UnparsedPackets,
    long Events,
    long Batches,
    long BodyBytes,
    IReadOnlyList<string> Rejected)
{
    /// <summary>True when a stop request ended the reading before the capture's end; every packet read was still sent or rejected.</summary>
    public bool Interrupted { get; init; }
}
