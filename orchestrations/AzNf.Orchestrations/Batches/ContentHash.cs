using System.Security.Cryptography;

namespace AzNf.Orchestrations.Batches;

/// <summary>
/// SHA-256 as 64 lower-case hex digits: what every reference to bytes the durable path stores
/// (a packet slice, a flow-shard map, a fast-path commit, a step's records) carries, and what
/// the reader checks before it uses them.
/// </summary>
public static class ContentHash
{
    public static string Of(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    public static bool Matches(ReadOnlySpan<byte> bytes, string? expected) => string.Equals(Of(bytes), expected, StringComparison.Ordinal);
}
