using AzNf.Orchestrations.Chains;
using AzNf.Orchestrations.Models;
using Microsoft.DurableTask;

namespace AzNf.Orchestrations.Activities;

/// <summary>The <c>RunStage</c> activity (staged mode): one stage over the packets the earlier stages forwarded.</summary>
public sealed class RunStageActivity(IChainSource chains) : TaskActivity<ChainStepInput, ChainStepOutput>
{
    public const string Name = "RunStage";

    private readonly ChainStepRunner _runner = new(chains);

    public override Task<ChainStepOutput> RunAsync(TaskActivityContext context, ChainStepInput input) => _runner.RunAsync(input);
}
