using Azure;
using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Blobs;

namespace AzNf.Functions.Settings;

/// <summary>One request that shows a storage service answers, and where it goes.</summary>
/// <param name="Service">What the worker uses it for, as the line names it (e.g. <c>blob</c>).</param>
/// <param name="Endpoint">The service endpoint, as the line names it.</param>
/// <param name="Send">The request; any reply from the service, even 404, means it answers.</param>
public sealed record StorageProbe(string Service, Uri Endpoint, Func<CancellationToken, Task> Send);

/// <summary>Why the worker cannot start: one line, and the exit code that says what kind.</summary>
public sealed record StorageStartupFailure(string Message, int ExitCode)
{
    /// <summary>The service did not answer within the budget (EX_UNAVAILABLE).</summary>
    public const int Unavailable = 69;

    /// <summary>The service answered, but refused this identity or key (EX_NOPERM).</summary>
    public const int Refused = 77;
}

/// <summary>
/// Before the worker takes work, each storage service it needs must answer once. A service that
/// is down is retried, with backoff, for a stated budget (<c>AZNF_STORAGE_STARTUP_SECONDS</c>);
/// past it the worker stops with one line naming the endpoint, so the host restarts it and the
/// log says why, instead of a stack trace on the first batch.
/// </summary>
public static class StorageStartupCheck
{
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan LongestBackoff = TimeSpan.FromSeconds(5);

    /// <summary>The probes for what <paramref name="settings"/> uses: the packet container's blob service, and the checkpoint table's service when ingestion is on.</summary>
    public static IReadOnlyList<StorageProbe> Probes(FunctionsSettings settings, TokenCredential credential)
    {
        ArgumentNullException.ThrowIfNull(settings);
        // One try per request (this check does the retrying, within its budget) and a short wait for a reply.
        var blobOptions = new BlobClientOptions();
        Once(blobOptions);
        var container = settings.StorageConnectionString is { } connection
            ? new BlobContainerClient(connection, AzNf.Orchestrations.Batches.BlobPacketBatchStore.ContainerName(settings.TaskHubName), blobOptions)
            : new BlobContainerClient(new Uri($"https://{settings.StorageAccount}.blob.core.windows.net/{AzNf.Orchestrations.Batches.BlobPacketBatchStore.ContainerName(settings.TaskHubName)}"), credential, blobOptions);
        var probes = new List<StorageProbe>
        {
            new("blob", new Uri(container.Uri.GetLeftPart(UriPartial.Authority) + "/" + container.AccountName), async cancellation => await container.ExistsAsync(cancellation)),
        };
        if (settings.IngestionEnabled)
        {
            var tableOptions = new TableClientOptions();
            Once(tableOptions);
            var tables = settings.StorageConnectionString is { } tableConnection
                ? new TableServiceClient(tableConnection, tableOptions)
                : new TableServiceClient(settings.TableServiceUri, credential, tableOptions);
            var checkpoints = tables.GetTableClient(settings.CheckpointTable);
            probes.Add(new("table", tables.Uri, async cancellation =>
            {
                try
                {
                    await checkpoints.GetEntityIfExistsAsync<TableEntity>("probe", "probe", cancellationToken: cancellation);
                }
                catch (RequestFailedException e) when (e.Status == 404)
                {
                    // No checkpoint table yet: the service answered, the processor creates it.
                }
            }));
        }
        return probes;
    }

    /// <summary>Sends each probe until it is answered or <paramref name="budget"/> (for them all) is spent.</summary>
    /// <returns>Null when every service answered; otherwise the first that did not, or refused.</returns>
    public static async Task<StorageStartupFailure?> RunAsync(IReadOnlyList<StorageProbe> probes, TimeSpan budget, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(probes);
        var started = System.Diagnostics.Stopwatch.StartNew();
        foreach (var probe in probes)
        {
            var backoff = FirstBackoff;
            int tries = 0;
            while (true)
            {
                tries++;
                var left = budget - started.Elapsed;
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
                timeout.CancelAfter(left > TimeSpan.Zero ? left : TimeSpan.Zero);
                string reason;
                try
                {
                    await probe.Send(timeout.Token);
                    break;
                }
                catch (RequestFailedException e) when (e.Status is 401 or 403)
                {
                    return new StorageStartupFailure($"storage {probe.Service} service at {probe.Endpoint} refused the worker's credentials: {e.Status} {e.ErrorCode}", StorageStartupFailure.Refused);
                }
                catch (AuthenticationFailedException e)
                {
                    return new StorageStartupFailure($"storage {probe.Service} service at {probe.Endpoint}: no token for the worker's identity: {FirstLine(e.Message)}", StorageStartupFailure.Refused);
                }
                catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
                {
                    throw;
                }
                catch (OperationCanceledException)
                {
                    reason = "no reply";
                }
                catch (RequestFailedException e)
                {
                    reason = e.Status == 0 ? FirstLine(e.InnerException?.Message ?? e.Message) : $"{e.Status} {e.ErrorCode}";
                }
                catch (Exception e) when (e is HttpRequestException or IOException or TimeoutException or AggregateException)
                {
                    reason = FirstLine(e.Message);
                }
                var wait = budget - started.Elapsed;
                if (wait <= TimeSpan.Zero)
                {
                    return new StorageStartupFailure(
                        $"storage {probe.Service} service at {probe.Endpoint} did not answer within {budget.TotalSeconds:0.#} s ({tries} tries; last: {reason})",
                        StorageStartupFailure.Unavailable);
                }
                await Task.Delay(wait < backoff ? wait : backoff, cancellation);
                backoff = backoff * 2 < LongestBackoff ? backoff * 2 : LongestBackoff;
            }
        }
        return null;
    }

    private static void Once(ClientOptions options)
    {
        options.Retry.MaxRetries = 0;
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(10);
    }

    private static string FirstLine(string text) => text.Split('\n')[0].Trim();
}
