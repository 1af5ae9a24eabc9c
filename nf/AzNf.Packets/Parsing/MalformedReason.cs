namespace AzNf.Packets.Parsing;

/// <summary>
/// Why a frame could not be parsed. A malformed frame still travels the chain as
/// <em>unparsed</em>; the reason is counted under <see cref="MalformedReasons.Name"/>.
/// </summary>
public enum MalformedReason : byte
{
    None = 0,
    LinkTruncated,
    LinkUnsupported,
    VlanTooDeep,
    NotIp,
    IpBadVersion,
    IPv4Truncated,
    IPv4BadIhl,
    IPv4BadTotalLength,
    IPv4BadOption,
    IPv6Truncated,
    IPv6ExtensionTruncated,
    IPv6TooManyExtensions,
    TcpTruncated,
    TcpBadDataOffset,
    UdpTruncated,
    UdpBadLength,
    IcmpTruncated,
    IcmpV6Truncated,
}

/// <summary>Stable kebab-case names for <see cref="MalformedReason"/>, used in reports and logs.</summary>
public static class MalformedReasons
{
    private static readonly string[] Names =
    [
        "none",
        "link-truncated",
        "link-unsupported",
        "vlan-too-deep",
        "not-ip",
        "ip-bad-version",
        "ipv4-truncated",
        "ipv4-bad-ihl",
        "ipv4-bad-total-length",
        "ipv4-bad-option",
        "ipv6-truncated",
        "ipv6-ext-truncated",
        "ipv6-too-many-ext",
        "tcp-truncated",
        "tcp-bad-data-offset",
        "udp-truncated",
        "udp-bad-length",
        "icmp-truncated",
        "icmpv6-truncated",
    ];

    /// <summary>Number of reasons, for counter arrays indexed by reason.</summary>
    public static int Count => Names.Length;

    public static string Name(MalformedReason reason) => Names[(int)reason];
}
