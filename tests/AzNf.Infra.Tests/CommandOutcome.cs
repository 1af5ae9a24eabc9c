namespace AzNf.Infra.Tests;

/// <summary>What a finished command printed and how it exited.</summary>
public sealed record CommandOutcome(int ExitCode, string Output, string Errors)
{
    /// <summary>Standard output and standard error together, trimmed: what a person would see.</summary>
    public string Printed => (Output + Errors).Trim();
}
