namespace AzNf.NetworkFunctions.Nat;

/// <summary>What the NAT decided for a flow.</summary>
public enum NatMapping : byte
{
    /// <summary>No packet of the flow has reached the NAT yet.</summary>
    Unseen = 0,
    /// <summary>The flow has an outside address and port; its packets are translated.</summary>
    Translated = 1,
    /// <summary>The flow is not one the NAT translates (inside to inside, transit, IPv6): its packets pass unchanged.</summary>
    Untranslated = 2,
    /// <summary>No outside port was free for the flow; its packets are dropped and each outbound one tries again.</summary>
    Exhausted = 3,
    /// <summary>The flow's mapping was taken for a newer flow (<c>reuse-oldest</c>); its packets are dropped.</summary>
    Reclaimed = 4,
}

/// <summary>
/// The NAT's per-flow state: the translation (IPv4 only, so addresses are 32 bits) and the links
/// of the partition's mappings in least-recently-used order.
/// </summary>
public struct NatFlowState
{
    public NatMapping Mapping;
    public byte Protocol;
    public ushort InsidePort;
    public ushort OutsidePort;
    public ushort RemotePort;
    public uint InsideAddress;
    public uint OutsideAddress;
    public uint RemoteAddress;
    /// <summary>The slot of the next older mapping, or <see cref="SourceNat.NoSlot"/>.</summary>
    public int Older;
    /// <summary>The slot of the next newer mapping, or <see cref="SourceNat.NoSlot"/>.</summary>
    public int Newer;
}
