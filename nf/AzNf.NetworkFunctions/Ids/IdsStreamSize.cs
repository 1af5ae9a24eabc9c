namespace AzNf.NetworkFunctions.Ids;

/// <summary>Which stream(s) <c>stream_size</c> measures.</summary>
public enum IdsStreamSizeSide : byte
{
    Client,
    Server,
    /// <summary>Both streams must compare true.</summary>
    Both,
    /// <summary>Either stream may.</summary>
    Either,
}

/// <summary>
/// <c>stream_size:SIDE,OP,N</c>: bytes a TCP stream has carried, as Suricata counts them (next
/// expected sequence number minus the initial one, so the SYN counts 1), compared with N.
/// </summary>
public sealed record IdsStreamSize(IdsStreamSizeSide Side, string Operator, uint Value)
{
    public bool Matches(uint clientBytes, uint serverBytes) => Side switch
    {
        IdsStreamSizeSide.Client => Compare(clientBytes),
        IdsStreamSizeSide.Server => Compare(serverBytes),
        IdsStreamSizeSide.Both => Compare(clientBytes) && Compare(serverBytes),
        _ => Compare(clientBytes) || Compare(serverBytes),
    };

    private bool Compare(uint bytes) => Operator switch
    {
        "<" => bytes < Value,
        ">" => bytes > Value,
        "<=" => bytes <= Value,
        ">=" => bytes >= Value,
        "!=" => bytes != Value,
        _ => bytes == Value,
    };
}
