namespace AzNf.Orchestrations.Tests.Fakes;

/// <summary>A clock that moves only when a test moves it.</summary>
internal sealed class ManualClock(DateTime startUtc) : TimeProvider
{
    public DateTime UtcNow { get; private set; } = startUtc;

    public override DateTimeOffset GetUtcNow() => new(UtcNow, TimeSpan.Zero);

    public void Advance(TimeSpan by) => UtcNow += by;
}
