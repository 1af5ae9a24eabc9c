namespace AzNf.Study.Tests;

/// <summary>Mean, sample σ and percentiles as the study reports them.</summary>
public class SummaryTests
{
    [Fact]
    public void Of_SeveralValues_SampleStandardDeviation()
    {
        var summary = Summary.Of([2.0, 4, 4, 4, 5, 5, 7, 9]);

        Assert.Equal(8, summary.N);
        Assert.Equal(5.0, summary.Mean);
        // Σ(x − 5)² = 32; sample variance 32 / 7.
        Assert.Equal(Math.Sqrt(32.0 / 7), summary.Sigma!.Value, 12);
    }

    [Fact]
    public void Of_OneValue_SigmaNotAvailableRatherThanZero()
    {
        var summary = Summary.Of([42.0]);

        Assert.Equal((1, 42.0), (summary.N, summary.Mean));
        Assert.Null(summary.Sigma);
    }

    [Theory]
    [InlineData(50, 5)]
    [InlineData(99, 10)]
    [InlineData(10, 1)]
    [InlineData(0, 1)]
    [InlineData(100, 10)]
    public void Percentile_NearestRank(double p, double expected)
    {
        double[] sorted = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

        Assert.Equal(expected, Summary.Percentile(sorted, p));
    }
}
