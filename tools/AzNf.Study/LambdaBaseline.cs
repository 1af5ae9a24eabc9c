namespace AzNf.Study;

/// <summary>One NF's row of the 2017 study's headline table (AWS Lambda, Click NFs, EC2 traffic sources).</summary>
public sealed record BaselineRow(string Nf, double MbpsMean, double MbpsSigma, double LatencyMsMean, double LatencyMsSigma);

/// <summary>
/// The figures AzNf answers: "Granular computing and network intensive applications: friends or
/// foes?" (2017), per NF on AWS Lambda. The study ran no chain, so the chain has no row.
/// </summary>
public static class LambdaBaseline
{
    public const string Source = "Granular computing and network intensive applications: friends or foes? (2017), AWS Lambda, Click NFs";

    public static IReadOnlyList<BaselineRow> Rows { get; } =
    [
        new("counter", 367.14, 18.34, 2.89, 1.14),
        new("firewall", 355.90, 18.72, 3.39, 1.41),
        new("ids", 339.03, 21.85, 3.40, 1.79),
    ];

    public static BaselineRow? For(string nf) => Rows.FirstOrDefault(r => r.Nf == nf);
}
