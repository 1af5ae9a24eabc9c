namespace AzNf.Orchestrations.Hub;

/// <summary>How an orchestration ended: its final status, its output when it completed, else why it did not.</summary>
public sealed record OrchestrationOutcome<T>(string Status, T? Output, string? Failure)
{
    public const string CompletedStatus = "Completed";

    public bool Completed => Status == CompletedStatus;
}
