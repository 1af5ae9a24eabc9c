namespace AzNf.Orchestrations.Entities;

/// <summary>
/// When a source address is reported to the blocklist: within <see cref="Window"/>, at
/// <see cref="Alerts"/> IDS alerts, or <see cref="NewFlows"/> new connections, or
/// <see cref="DistinctPorts"/> distinct destination ports (a port scan). It is then blocked for
/// <see cref="BlockFor"/>. Drops are counted but do not block: a firewall dropping is normal.
/// </summary>
public sealed record SourceLimits
{
    public static SourceLimits Default { get; } = new();

    public TimeSpan Window { get; init; } = TimeSpan.FromMinutes(1);

    public long Alerts { get; init; } = 20;

    public long NewFlows { get; init; } = 1000;

    public int DistinctPorts { get; init; } = 100;

    public TimeSpan BlockFor { get; init; } = TimeSpan.FromMinutes(10);
}
