using AzNf.Orchestrations.Chains;
using AzNf.Orchestrations.Models;
using Microsoft.DurableTask;

namespace AzNf.Orchestrations.Activities;

/// <summary>The <c>RunChain</c> activity (fused mode): every stage of the chain over a unit's packets, in one step.</summary>
public sealed class RunChainActivity(IChainSource chains) : TaskActivity<ChainStepInput, ChainStepOutput>
{
    public const string Name = "RunChain";

    private readonly ChainStepRunner _runner = new(chains);

    public override Task<ChainStepOutput> RunAsync(TaskActivityContext context, ChainStepInput input) => _runner.RunAsync(input);
}
