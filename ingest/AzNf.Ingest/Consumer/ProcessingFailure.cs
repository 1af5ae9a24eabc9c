namespace AzNf.Ingest.Consumer;

/// <summary>A failure the processor reported: which partition (if any), during what, and the exception.</summary>
public sealed record ProcessingFailure(string? PartitionId, string Operation, Exception Exception);
