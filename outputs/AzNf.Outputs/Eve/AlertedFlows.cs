namespace AzNf.Outputs.Eve;

/// <summary>
/// Flows that raised an alert and have not ended yet, for a flow event's <c>alerted</c>. An alert
/// on a packet whose flow never ends here (an unparsed frame) would stay; the bound keeps that
/// small at the price of an <c>alerted</c> lost now and then after the bound is hit.
/// </summary>
internal sealed class AlertedFlows
{
    public const int MaxFlows = 100_000;

    private readonly HashSet<long> _flows = [];

    public void Alerted(long flowId)
    {
        if (_flows.Count >= MaxFlows)
        {
            _flows.Clear();
        }
        _flows.Add(flowId);
    }

    /// <summary>The flow ended: whether it had raised an alert (and it is forgotten).</summary>
    public bool Ended(long flowId) => _flows.Remove(flowId);
}
