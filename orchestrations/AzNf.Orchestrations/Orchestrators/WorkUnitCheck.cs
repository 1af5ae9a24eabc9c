using AzNf.Orchestrations.Models;

namespace AzNf.Orchestrations.Orchestrators;

/// <summary>
/// Refuses a malformed unit before anything runs, naming the flow (and the stage): the
/// orchestration fails with that reason and no state changes.
/// </summary>
internal static class WorkUnitCheck
{
    public static void Validate(ChainWorkUnit? unit)
    {
        if (unit is null)
        {
            throw new ArgumentException("NfChain: no work unit (null input)");
        }
        string flow = string.IsNullOrWhiteSpace(unit.FlowKey) ? "(no flow key)" : unit.FlowKey;
        void Fail(string problem) => throw new ArgumentException($"flow {flow}: malformed work unit: {problem}");
        if (string.IsNullOrWhiteSpace(unit.FlowKey))
        {
            Fail("no flow key");
        }
        if (string.IsNullOrWhiteSpace(unit.ChainName))
        {
            Fail("no chain name");
        }
        if (unit.Packets is null || unit.Packets.Count == 0)
        {
            Fail("no packets");
        }
        if (unit.Packets!.Any(p => p is null || p.Frame is null))
        {
            Fail("a packet without a frame");
        }
        if (unit.LastSequenceNumber < unit.FirstSequenceNumber)
        {
            Fail($"last sequence number {unit.LastSequenceNumber} is before the first, {unit.FirstSequenceNumber}");
        }
        if (unit.Plan?.Stages is null || unit.Plan.Stages.Count == 0)
        {
            Fail("a plan without stages");
        }
        if (unit.Plan!.DeadlineMs is { } chainMs && !(chainMs > 0 && double.IsFinite(chainMs)))
        {
            Fail($"chain deadline {chainMs} ms is not positive");
        }
        foreach (var stage in unit.Plan.Stages)
        {
            if (stage.DeadlineMs is { } ms && !(ms > 0 && double.IsFinite(ms)))
            {
                Fail($"stage '{stage.Name}': deadline {ms} ms is not positive");
            }
        }
    }
}
