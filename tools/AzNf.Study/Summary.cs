namespace AzNf.Study;

/// <summary>
/// Mean and sample standard deviation (n − 1) of repeated measurements, with their count. With
/// one sample σ is not available (null), never 0: one run says nothing about spread.
/// </summary>
public sealed record Summary(int N, double Mean, double? Sigma)
{
    public static Summary Of(IReadOnlyCollection<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
        {
            return new Summary(0, double.NaN, null);
        }
        double mean = values.Average();
        double? sigma = values.Count < 2 ? null : Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
        return new Summary(values.Count, mean, sigma);
    }

    /// <summary>The nearest-rank percentile <paramref name="p"/> (0..100) of ascending <paramref name="sorted"/>.</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double p)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        if (sorted.Count == 0)
        {
            return double.NaN;
        }
        int rank = (int)Math.Ceiling(p / 100 * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }
}
