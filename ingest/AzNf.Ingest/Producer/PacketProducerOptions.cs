using AzNf.Ingest.Events;

namespace AzNf.Ingest.Producer;

/// <summary>Settings of a <see cref="PacketEventProducer"/>.</summary>
public sealed record PacketProducerOptions
{
    /// <summary>Packets of one flow packed into one event at most (1 = an event per packet).</summary>
    public int Flowlet { get; init; } = 1;

    /// <summary>How long (capture time) a flowlet may stay open waiting for more packets of its flow.</summary>
    public TimeSpan FlowletWindow { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>Open flowlets at most; beyond it all are sent (bounds memory with many flows).</summary>
    public int MaxOpenFlowlets { get; init; } = 4096;

    /// <summary>Batches being sent at once.</summary>
    public int MaxConcurrentSends { get; init; } = 8;

    /// <summary>Batches being filled at once (one per partition key); beyond it all are sent.</summary>
    public int MaxOpenBatches { get; init; } = 512;

    /// <summary>Room kept in each event for the AMQP envelope and application properties.</summary>
    public int EnvelopeReserve { get; init; } = 1024;

    public SendRate Rate { get; init; } = SendRate.Unlimited;

    /// <summary>The <see cref="PacketEventProperties.Source"/> of every event (default: the capture's file name).</summary>
    public string? Source { get; init; }

    public void Validate()
    {
        if (Flowlet is < 1 or > PacketEventFormat.MaxPacketsPerEvent)
        {
            throw new ArgumentOutOfRangeException(nameof(Flowlet), Flowlet, $"flowlet must be 1..{PacketEventFormat.MaxPacketsPerEvent} packets");
        }
        if (FlowletWindow < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(FlowletWindow), FlowletWindow, "the flowlet window cannot be negative");
        }
        if (MaxOpenFlowlets < 1 || MaxConcurrentSends < 1 || MaxOpenBatches < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxOpenBatches), "open flowlets, concurrent sends and open batches must be at least 1");
        }
        if (EnvelopeReserve < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(EnvelopeReserve), EnvelopeReserve, "the envelope reserve cannot be negative");
        }
    }
}
