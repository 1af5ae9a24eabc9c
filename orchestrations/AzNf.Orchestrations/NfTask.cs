namespace AzNf.Orchestrations;

/// <summary>A durable task type and the name it is registered under.</summary>
public sealed record NfTask(string Name, Type Type);
