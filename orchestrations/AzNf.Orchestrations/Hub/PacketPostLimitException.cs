namespace AzNf.Orchestrations.Hub;

/// <summary>A packet post over its configured limit; nothing of it ran.</summary>
public sealed class PacketPostLimitException(string message) : Exception(message);
