namespace AzNf.NetworkFunctions.Chain;

/// <summary>
/// Limits of one partition's flow table. Idle timeouts follow Suricata 7's defaults so that
/// flow records line up with Suricata's on the same capture.
/// </summary>
public sealed record FlowTableOptions
{
    /// <summary>
    /// Most live flows per partition; past it the least recently seen flow is evicted (counted).
    /// The default bounds a flood as Suricata's flow memcap does: about 430 B a flow across the
    /// sample chain's NFs, so a 1 M-flow SYN flood peaks at ~190 MB with two partitions (it was
    /// 1,048,576 and ~450 MB before 2026-12-07; docs/PERFORMANCE.md, "A SYN flood").
    /// </summary>
    public int Capacity { get; init; } = 1 << 17;

    public TimeSpan TcpNewTimeout { get; init; } = TimeSpan.FromSeconds(60);
    public TimeSpan TcpEstablishedTimeout { get; init; } = TimeSpan.FromSeconds(600);
    public TimeSpan TcpClosedTimeout { get; init; } = TimeSpan.FromSeconds(60);
    public TimeSpan UdpTimeout { get; init; } = TimeSpan.FromSeconds(300);
    public TimeSpan IcmpTimeout { get; init; } = TimeSpan.FromSeconds(300);
    public TimeSpan OtherTimeout { get; init; } = TimeSpan.FromSeconds(300);

    /// <summary>The timeout, in nanoseconds, of each <see cref="FlowTimeoutClass"/>.</summary>
    internal long[] TimeoutNanosByClass() =>
    [
        TcpNewTimeout.Ticks * 100,
        TcpEstablishedTimeout.Ticks * 100,
        TcpClosedTimeout.Ticks * 100,
        UdpTimeout.Ticks * 100,
        IcmpTimeout.Ticks * 100,
        OtherTimeout.Ticks * 100,
    ];
}

/// <summary>Which idle timeout applies to a flow; each class keeps its own LRU list.</summary>
public enum FlowTimeoutClass : byte
{
    TcpNew = 0,
    TcpEstablished = 1,
    TcpClosed = 2,
    Udp = 3,
    Icmp = 4,
    Other = 5,
}
