namespace AzNf.Functions.Durable;

/// <summary>The task hub was used before any bound function handed this instance a durable client.</summary>
public sealed class DurableClientUnavailableException(string message) : Exception(message);
