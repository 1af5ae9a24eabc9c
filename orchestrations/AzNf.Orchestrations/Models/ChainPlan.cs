using System.Text.Json.Serialization;
using AzNf.NetworkFunctions.Chain;

namespace AzNf.Orchestrations.Models;

/// <summary>
/// What the orchestrator needs to know of a chain without loading it (an orchestrator does no
/// I/O): the stages in order with their deadlines and policies, and the chain's own.
/// </summary>
public sealed record ChainPlan(
    IReadOnlyList<StagePlan> Stages,
    double? DeadlineMs,
    [property: JsonConverter(typeof(JsonStringEnumConverter<DeadlinePolicy>))] DeadlinePolicy OnDeadline)
{
    /// <summary>The plan of a loaded chain.</summary>
    public static ChainPlan From(ChainDefinition chain)
    {
        ArgumentNullException.ThrowIfNull(chain);
        var stages = new List<StagePlan>(chain.Stages.Count);
        for (int i = 0; i < chain.Stages.Count; i++)
        {
            var qos = i < chain.StageDeadlines.Count ? chain.StageDeadlines[i] : null;
            stages.Add(new StagePlan(chain.Stages[i].Name, chain.Stages[i].Kind, qos?.Deadline?.TotalMilliseconds, qos?.OnDeadline ?? DeadlinePolicy.FailOpen));
        }
        return new ChainPlan(stages, chain.Deadline?.TotalMilliseconds, chain.OnDeadline);
    }
}
