using System.Diagnostics.CodeAnalysis;
using System.Text;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace AzNf.DurableRuntime;

/// <summary>
/// A queue message update (abandon, renew) whose reply was lost has already changed the
/// message's pop receipt, so the client's retry of it is answered 400 <c>PopReceiptMismatch</c>.
/// This policy answers such a retry as 404 <c>MessageNotFound</c> instead: the worker's handle on
/// the message is gone either way, and 404 is what the Azure Storage backend treats as "the
/// message went away".
/// </summary>
/// <remarks>
/// Why it matters: DurableTask.AzureStorage 2.11 abandons out-of-order messages (an entity's
/// reply that arrives before the orchestration's history is written, or after it was purged)
/// while locking a work item, and an exception there (anything but a 404) leaves the
/// orchestration's session registered and never released: every later message of that instance
/// then waits in memory, re-received as a "duplicate" every visibility timeout, and the instance
/// never runs again in that process. Seen under injected lost replies (StorageFaultTests) as a
/// unit that never completes. The same leak is open wherever the backend runs (the Functions host
/// included); this runtime closes it for the way it was seen.
/// </remarks>
public sealed class LostUpdateReplyPolicy : HttpPipelinePolicy
{
    private long _answered;

    /// <summary>Retried updates answered 404 instead of 400 so far.</summary>
    public long Answered => Interlocked.Read(ref _answered);

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        ProcessNext(message, pipeline);
        Repair(message);
    }

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        await ProcessNextAsync(message, pipeline).ConfigureAwait(false);
        Repair(message);
    }

    private void Repair(HttpMessage message)
    {
        if (message.ProcessingContext.RetryNumber == 0
            || !message.HasResponse
            || message.Response.Status != 400
            || message.Request.Method != RequestMethod.Put
            || !message.Request.Uri.Query.Contains("popreceipt=", StringComparison.OrdinalIgnoreCase)
            || !message.Response.Headers.TryGetValue("x-ms-error-code", out string? code)
            || code != "PopReceiptMismatch")
        {
            return;
        }
        Interlocked.Increment(ref _answered);
        string requestId = message.Response.ClientRequestId;
        message.Response.Dispose();
        message.Response = new MessageNotFoundResponse(requestId);
    }

    /// <summary>The reply the queue service gives for a message that is not there.</summary>
    private sealed class MessageNotFoundResponse(string clientRequestId) : Response
    {
        private const string ErrorCode = "MessageNotFound";

        private static readonly byte[] Body = Encoding.UTF8.GetBytes(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>MessageNotFound</Code><Message>The specified message does not exist (its update was retried after a lost reply; AzNf answered 404 for the service's PopReceiptMismatch).</Message></Error>");

        public override int Status => 404;

        public override string ReasonPhrase => "The specified message does not exist.";

        public override bool IsError => true;

        public override Stream? ContentStream { get; set; } = BodyStream();

        public override string ClientRequestId { get; set; } = clientRequestId;

        public override void Dispose()
        {
        }

        // A stream whose buffer the exception's parser may read.
        private static MemoryStream BodyStream()
        {
            var stream = new MemoryStream(Body.Length);
            stream.Write(Body);
            stream.Position = 0;
            return stream;
        }

        protected override bool ContainsHeader(string name) => TryGetHeader(name, out _);

        protected override IEnumerable<HttpHeader> EnumerateHeaders() =>
        [
            new HttpHeader("x-ms-error-code", ErrorCode),
            new HttpHeader("Content-Type", "application/xml"),
            new HttpHeader("Content-Length", Body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        ];

        protected override bool TryGetHeader(string name, [NotNullWhen(true)] out string? value)
        {
            value = EnumerateHeaders().FirstOrDefault(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase)).Value;
            return value is not null;
        }

        protected override bool TryGetHeaderValues(string name, [NotNullWhen(true)] out IEnumerable<string>? values)
        {
            values = TryGetHeader(name, out string? value) ? [value] : null;
            return values is not null;
        }
    }
}
