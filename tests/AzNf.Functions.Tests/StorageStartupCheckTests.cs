using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using AzNf.Functions.Settings;
using AzNf.TestOracles;
using Azure;
using Azure.Identity;

namespace AzNf.Functions.Tests;

/// <summary>The worker's start-up check of its storage: answered, retried within the budget, refused, down.</summary>
[Collection(AzuriteFixture.Collection)]
public sealed class StorageStartupCheckTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Run_AzuriteAnswers_BlobAndTableProbesPass()
    {
        var values = TestSettings.Local(azurite.ConnectionString);
        values["AZNF_EVENTHUBS_NAMESPACE"] = "example.servicebus.windows.net";
        values["AZNF_EVENTHUB_NAME"] = "packets";
        var settings = TestSettings.Load(values);

        var probes = StorageStartupCheck.Probes(settings, new DefaultAzureCredential());
        var failure = await StorageStartupCheck.RunAsync(probes, TimeSpan.FromSeconds(30));

        Assert.Equal(["blob", "table"], probes.Select(p => p.Service));
        Assert.Null(failure);
    }

    [Fact]
    public async Task Run_ServiceDownThenUp_RetriedUntilItAnswers()
    {
        int sent = 0;
        var probe = new StorageProbe("blob", new Uri("http://127.0.0.1:1/account"), _ =>
            ++sent < 3 ? throw new RequestFailedException(503, "down", "ServerBusy", null) : Task.CompletedTask);

        var failure = await StorageStartupCheck.RunAsync([probe], TimeSpan.FromSeconds(30));

        Assert.Null(failure);
        Assert.Equal(3, sent);
    }

    [Fact]
    public async Task Run_CredentialsRefused_StopsAtOnceWithNoPermission()
    {
        int sent = 0;
        var probe = new StorageProbe("table", new Uri("https://account.table.core.windows.net/"), _ =>
        {
            sent++;
            throw new RequestFailedException(403, "refused", "AuthorizationPermissionMismatch", null);
        });

        var failure = await StorageStartupCheck.RunAsync([probe], TimeSpan.FromSeconds(30));

        Assert.NotNull(failure);
        Assert.Equal(StorageStartupFailure.Refused, failure.ExitCode);
        Assert.Equal(1, sent);
        Assert.Contains("https://account.table.core.windows.net/", failure.Message, StringComparison.Ordinal);
        Assert.Contains("403 AuthorizationPermissionMismatch", failure.Message, StringComparison.Ordinal);
    }

    /// <summary>The built worker, its storage a port nobody listens on: one line naming the endpoint, exit 69, within the budget.</summary>
    [Fact]
    public async Task Start_StorageDoesNotAnswer_ExitsUnavailableNamingTheEndpoint()
    {
        int port = ClosedPort();
        string endpoint = $"http://127.0.0.1:{port}/devstoreaccount1";
        var start = new ProcessStartInfo("dotnet", [FunctionsOutput.File("AzNf.Functions.dll")])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            WorkingDirectory = FunctionsOutput.Directory,
        };
        // Azurite's connection string, every endpoint moved to the closed port.
        start.Environment["AzureWebJobsStorage"] = Regex.Replace(azurite.ConnectionString, @"127\.0\.0\.1:\d+", $"127.0.0.1:{port}");
        start.Environment["TASKHUB_NAME"] = "aznfstart";
        start.Environment["AZNF_CHAIN_FILE"] = "chains/full.json";
        start.Environment["AZNF_PARTITIONS"] = "4";
        start.Environment["AZNF_STORAGE_STARTUP_SECONDS"] = "3";

        using var process = Process.Start(start)!;
        string stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));

        Assert.Equal(StorageStartupFailure.Unavailable, process.ExitCode);
        Assert.StartsWith($"aznf functions: storage blob service at {endpoint} did not answer within 3 s", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
