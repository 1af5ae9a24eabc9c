namespace AzNf.NetworkFunctions.Ids;

/// <summary>The buffers of one app-layer unit (an HTTP transaction at one moment, a DNS question) that rules inspect.</summary>
internal interface IInspectionBuffers
{
    /// <summary>The bytes of <paramref name="buffer"/>; false when the unit has no such buffer.</summary>
    bool TryGet(IdsBuffer buffer, out ReadOnlySpan<byte> span);
}
