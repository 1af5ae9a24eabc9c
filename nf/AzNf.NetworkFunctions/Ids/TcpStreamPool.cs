namespace AzNf.NetworkFunctions.Ids;

/// <summary>
/// A partition's stream buffers: slot <c>n</c> is a pair of <see cref="TcpStreamDirection"/>s
/// (to_server, to_client). Slots are taken when a flow first carries established data and
/// given back by <c>OnFlowEnd</c>, so in steady state no buffer is allocated.
/// </summary>
internal sealed class TcpStreamPool(int windowBytes, int maxBufferedSegments)
{
    private readonly List<TcpStreamDirection> _directions = [];
    private readonly Stack<int> _free = new();

    /// <summary>Slots in use.</summary>
    public int InUse { get; private set; }

    /// <summary>Takes a slot; the returned handle is 1-based (0 means none, as in <see cref="IdsFlowState"/>).</summary>
    public int Rent()
    {
        InUse++;
        if (_free.TryPop(out int slot))
        {
            return slot + 1;
        }
        slot = _directions.Count / 2;
        _directions.Add(new TcpStreamDirection(windowBytes, maxBufferedSegments));
        _directions.Add(new TcpStreamDirection(windowBytes, maxBufferedSegments));
        return slot + 1;
    }

    public TcpStreamDirection Direction(int handle, FlowDirection direction) =>
        _directions[((handle - 1) * 2) + (int)direction];

    public void Return(int handle)
    {
        Direction(handle, FlowDirection.AToB).Reset();
        Direction(handle, FlowDirection.BToA).Reset();
        _free.Push(handle - 1);
        InUse--;
    }
}
