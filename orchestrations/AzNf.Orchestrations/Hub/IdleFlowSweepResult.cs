namespace AzNf.Orchestrations.Hub;

/// <summary>What one idle-flow sweep saw and sent.</summary>
/// <param name="Scanned">Flow entities the sweep went through: all of them unless <paramref name="Truncated"/>.</param>
/// <param name="Live">Of those, flows holding a snapshot.</param>
/// <param name="Tombstones">Of those, flows kept only for their version.</param>
/// <param name="ExpireSignals"><c>Expire</c> signals sent to idle flows whose own expiry was lost.</param>
/// <param name="DeleteSignals"><c>Delete</c> signals sent to tombstones past their retention.</param>
/// <param name="Truncated">True when the sweep stopped at the signal limit with a flow still needing one.</param>
public sealed record IdleFlowSweepResult(int Scanned, int Live, int Tombstones, int ExpireSignals, int DeleteSignals, bool Truncated);
