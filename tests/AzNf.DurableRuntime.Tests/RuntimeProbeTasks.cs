using Microsoft.DurableTask;
using Microsoft.DurableTask.Entities;

namespace AzNf.DurableRuntime.Tests;

// Small tasks that exercise what the runtime must carry for the NF chain: an orchestrator that
// calls an activity, races one against a durable timer, calls and signals an entity.

public sealed record ProbeInput(string Counter, int Add, int ActivityDelayMs, int DeadlineMs);

public sealed record ProbeOutput(string Echo, bool DeadlineMissed, int CounterAfter);

[DurableTask("Probe")]
public sealed class ProbeOrchestrator : TaskOrchestrator<ProbeInput, ProbeOutput>
{
    public override async Task<ProbeOutput> RunAsync(TaskOrchestrationContext context, ProbeInput input)
    {
        string echo = await context.CallActivityAsync<string>("Echo", new EchoRequest("hello", 0));

        using var timerCancel = new CancellationTokenSource();
        var slow = context.CallActivityAsync<string>("Echo", new EchoRequest("slow", input.ActivityDelayMs));
        var deadline = context.CreateTimer(TimeSpan.FromMilliseconds(input.DeadlineMs), timerCancel.Token);
        bool missed = await Task.WhenAny(slow, deadline) == deadline;
        if (!missed)
        {
            // Cancel synchronously: CancelAsync may resume on the thread pool, off the
            // orchestration's own scheduler, and replay then sees the entity call out of order.
#pragma warning disable CA1849
            timerCancel.Cancel();
#pragma warning restore CA1849
        }

        var counter = new EntityInstanceId("ProbeCounter", input.Counter);
        await context.Entities.CallEntityAsync(counter, "Add", input.Add);
        int after = await context.Entities.CallEntityAsync<int>(counter, "Get");
        return new ProbeOutput(echo, missed, after);
    }
}

public sealed record EchoRequest(string Text, int DelayMs);

[DurableTask("Echo")]
public sealed class EchoActivity : TaskActivity<EchoRequest, string>
{
    public override async Task<string> RunAsync(TaskActivityContext context, EchoRequest input)
    {
        await Task.Delay(input.DelayMs);
        return input.Text;
    }
}

[DurableTask("ProbeCounter")]
public sealed class ProbeCounterEntity : TaskEntity<int>
{
    public void Add(int amount) => State += amount;

    public int Get() => State;
}
