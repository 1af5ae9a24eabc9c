using AzNf.Ingest.Producer;

namespace AzNf.Ingest.Tests.Producer;

public sealed class SendScheduleTests
{
    [Theory]
    [InlineData("max", SendRateKind.Unlimited, 0)]
    [InlineData("2000pps", SendRateKind.PacketsPerSecond, 2000)]
    [InlineData("50kpps", SendRateKind.PacketsPerSecond, 50_000)]
    [InlineData("1.5Mpps", SendRateKind.PacketsPerSecond, 1_500_000)]
    [InlineData("100Mbps", SendRateKind.BitsPerSecond, 100e6)]
    [InlineData("2Gbps", SendRateKind.BitsPerSecond, 2e9)]
    [InlineData("2x", SendRateKind.CaptureSpeed, 2)]
    [InlineData("0.5x", SendRateKind.CaptureSpeed, 0.5)]
    public void Parse_Forms_GiveKindAndValue(string text, SendRateKind kind, double value)
    {
        var rate = SendRate.Parse(text);

        Assert.Equal(kind, rate.Kind);
        Assert.Equal(value, rate.Value, 6);
    }

    [Theory]
    [InlineData("fast")]
    [InlineData("0pps")]
    [InlineData("-1x")]
    [InlineData("10 furlongs")]
    public void Parse_Nonsense_SaysWhatIsAccepted(string text)
    {
        var error = Assert.Throws<FormatException>(() => SendRate.Parse(text));

        Assert.Contains(text, error.Message);
    }

    [Fact]
    public void Next_Mbps_SpacesPacketsByTheirBits()
    {
        var schedule = new SendSchedule(SendRate.Parse("1Mbps"));

        var first = schedule.Next(1250, 0);
        var second = schedule.Next(125, 0);
        var third = schedule.Next(1000, 0);

        Assert.Equal(TimeSpan.Zero, first);
        Assert.Equal(TimeSpan.FromMilliseconds(10), second);
        Assert.Equal(TimeSpan.FromMilliseconds(11), third);
    }

    [Fact]
    public void Next_TwiceCaptureSpeed_HalvesCaptureGaps()
    {
        var schedule = new SendSchedule(SendRate.Parse("2x"));

        schedule.Next(100, 5_000_000_000);
        var later = schedule.Next(100, 5_000_000_000 + 300_000_000);
        var clockStepBack = schedule.Next(100, 4_000_000_000);

        Assert.Equal(TimeSpan.FromMilliseconds(150), later);
        Assert.Equal(TimeSpan.Zero, clockStepBack);
    }
}
