namespace AzNf.Orchestrations.Models;

/// <summary>
/// The keys work is filed under: a flow's key as <see cref="AzNf.Packets.Flows.FlowKey.ToString"/>
/// writes it, or, for frames that have no flow key (unparsed), one key per partition. The one
/// place that spells the unparsed key, so no caller tests a string prefix of its own.
/// </summary>
public static class UnitKeys
{
    private const string UnparsedPrefix = "unparsed p";
    private const string SlicePrefix = "slice p";

    /// <summary>The key of partition <paramref name="partition"/>'s unparsed frames.</summary>
    public static string Unparsed(int partition) => UnparsedPrefix + partition.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// The key a flow shard files partition <paramref name="partition"/>'s slice state under, beside
    /// its flows (<see cref="AzNf.NetworkFunctions.Chain.SliceState"/>): not a flow.
    /// </summary>
    public static string Slice(int partition) => SlicePrefix + partition.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>True for a key made by <see cref="Slice"/>.</summary>
    public static bool IsSlice(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.StartsWith(SlicePrefix, StringComparison.Ordinal);
    }

    /// <summary>True for a key made by <see cref="Unparsed"/> (a flow key starts with its protocol name).</summary>
    public static bool IsUnparsed(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.StartsWith(UnparsedPrefix, StringComparison.Ordinal);
    }
}
