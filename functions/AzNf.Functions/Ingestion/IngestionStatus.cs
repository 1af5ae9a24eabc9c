namespace AzNf.Functions.Ingestion;

/// <summary>This instance's ingestion: whether it runs and what it has counted since it started.</summary>
public sealed record IngestionStatus(
    bool Enabled,
    bool Running,
    string Processing,
    long Events,
    long Packets,
    long Batches,
    long Checkpoints,
    long RejectedEvents,
    long ProcessingFailures,
    long ControlErrors,
    long UnitsCompleted,
    long UnitFailures,
    long Duplicates);
