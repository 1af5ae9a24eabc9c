namespace AzNf.Cli;

/// <summary>Process exit codes, documented in README.md.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>A bad command line (unknown option, bad value).</summary>
    public const int Usage = 64;
    /// <summary>An input file (capture, chain, rules) that cannot be used at all.</summary>
    public const int BadInput = 65;
    /// <summary>An output file (the report, a generated capture) that cannot be written.</summary>
    public const int CannotWriteOutput = 73;
    /// <summary>A service (an event hub) that cannot be reached or does not exist.</summary>
    public const int Unavailable = 69;
    /// <summary>A bug: a partition's handler threw (each failure is printed on one line, naming the partition and packets).</summary>
    public const int Software = 70;
    /// <summary>No usable credential, or the identity may not do what was asked.</summary>
    public const int NoPermission = 77;
    /// <summary>Stopped by Ctrl-C (SIGINT), after a clean stop: 128 + 2, as shells report it.</summary>
    public const int Interrupted = 130;
    /// <summary>Stopped by SIGTERM, after a clean stop: 128 + 15.</summary>
    public const int Terminated = 143;
}
