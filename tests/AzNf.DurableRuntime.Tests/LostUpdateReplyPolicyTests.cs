using AzNf.TestOracles;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Storage.Queues;

namespace AzNf.DurableRuntime.Tests;

/// <summary>
/// A message update whose reply is lost, retried against Azurite: the service answers the retry
/// 400 PopReceiptMismatch (its first try did change the receipt), and the policy turns that into
/// the 404 the durable backend reads as "message gone" — the case that leaked orchestration
/// sessions (a unit that never completed) under injected lost replies.
/// </summary>
[Collection(AzuriteFixture.Collection)]
public sealed class LostUpdateReplyPolicyTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Update_FirstReplyLost_RetryAnsweredMessageNotFound()
    {
        var repair = new LostUpdateReplyPolicy();
        var (queue, message) = await QueueWithOneReceivedMessage(repair);

        var e = await Assert.ThrowsAsync<RequestFailedException>(() => queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, "abandoned", TimeSpan.Zero));

        // The backend reads the status alone (404: the message went away).
        Assert.Equal(404, e.Status);
        Assert.Equal(1, repair.Answered);
        // The lost try did its work: the message is back, with the text it set.
        var again = (await queue.ReceiveMessagesAsync(1)).Value;
        Assert.Equal("abandoned", Assert.Single(again).Body.ToString());
    }

    [Fact]
    public async Task Update_FirstReplyLostWithoutThePolicy_ServiceAnswersPopReceiptMismatch()
    {
        var (queue, message) = await QueueWithOneReceivedMessage(repair: null);

        var e = await Assert.ThrowsAsync<RequestFailedException>(() => queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, "abandoned", TimeSpan.Zero));

        Assert.Equal(400, e.Status);
        Assert.Equal("PopReceiptMismatch", e.ErrorCode);
    }

    [Fact]
    public async Task Update_ReplyNotLost_PassesUntouched()
    {
        var repair = new LostUpdateReplyPolicy();
        var (queue, message) = await QueueWithOneReceivedMessage(repair, loseFirstReply: false);

        var receipt = (await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, "renewed", TimeSpan.FromSeconds(30))).Value;
        // A stale receipt on a first try is a real mismatch, not a lost reply: it stays 400.
        var e = await Assert.ThrowsAsync<RequestFailedException>(() => queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, "stale", TimeSpan.Zero));

        Assert.NotEqual(message.PopReceipt, receipt.PopReceipt);
        Assert.Equal(400, e.Status);
        Assert.Equal(0, repair.Answered);
    }

    private async Task<(QueueClient Queue, Azure.Storage.Queues.Models.QueueMessage Message)> QueueWithOneReceivedMessage(LostUpdateReplyPolicy? repair, bool loseFirstReply = true)
    {
        var options = new QueueClientOptions();
        options.Retry.MaxRetries = 3;
        options.Retry.Delay = TimeSpan.FromMilliseconds(20);
        if (repair is not null)
        {
            options.AddPolicy(repair, HttpPipelinePosition.PerRetry);
        }
        if (loseFirstReply)
        {
            options.AddPolicy(new FirstTryOnly(new StorageFaultPolicy(new StorageFaults(Unavailable: 0, Dropped: 0, LostReply: 1, Delayed: 0), seed: 1)), HttpPipelinePosition.PerRetry);
        }
        var queue = new QueueClient(azurite.ConnectionString, AzuriteFixture.UniqueName("lostreply"), options);
        await queue.CreateAsync();
        await queue.SendMessageAsync("work");
        var message = Assert.Single((await queue.ReceiveMessagesAsync(1, TimeSpan.FromSeconds(30))).Value);
        return (queue, message);
    }

    /// <summary>Faults only a message update's first try (the setup's requests pass).</summary>
    private sealed class FirstTryOnly(HttpPipelinePolicy faults) : HttpPipelinePolicy
    {
        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
            ProcessAsync(message, pipeline).AsTask().GetAwaiter().GetResult();

        public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
            message.ProcessingContext.RetryNumber == 0 && message.Request.Method == RequestMethod.Put && message.Request.Uri.Query.Contains("popreceipt=", StringComparison.Ordinal)
                ? faults.ProcessAsync(message, pipeline)
                : ProcessNextAsync(message, pipeline);
    }
}
