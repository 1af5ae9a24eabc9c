using System.Diagnostics;
using System.Net.Http;
using AzNf.Azurite;

namespace AzNf.Azurite.Tests;

public sealed class AzuriteServerTests
{
    [Fact]
    public async Task StartAsync_TwoServers_EachAnswersOnItsOwnPorts()
    {
        await using var first = await AzuriteServer.StartAsync();
        await using var second = await AzuriteServer.StartAsync();

        int[] ports = [first.BlobPort, first.QueuePort, first.TablePort, second.BlobPort, second.QueuePort, second.TablePort];

        Assert.Equal(6, ports.Distinct().Count());
        foreach (var server in new[] { first, second })
        {
            Assert.Contains($"TableEndpoint=http://127.0.0.1:{server.TablePort}/devstoreaccount1", server.ConnectionString, StringComparison.Ordinal);
            Assert.Equal("Azurite-Blob", await ServerHeaderAsync(server.BlobPort));
            Assert.Equal("Azurite-Queue", await ServerHeaderAsync(server.QueuePort));
            Assert.Equal("Azurite-Table", await ServerHeaderAsync(server.TablePort));
        }
    }

    [Fact]
    public async Task DisposeAsync_Running_KillsNode()
    {
        var server = await AzuriteServer.StartAsync();
        int pid = server.ProcessId;

        await server.DisposeAsync();

        Assert.False(IsRunning(pid));
        await Assert.ThrowsAsync<HttpRequestException>(() => ServerHeaderAsync(server.TablePort));
    }

    /// <summary>
    /// A terminal's Ctrl-C goes to its foreground process group: Azurite must not be in aznf's, or
    /// it dies while the interrupted run still stores its batches. (Linux: /proc says the groups.)
    /// </summary>
    [Fact]
    public async Task StartAsync_OnLinux_NodeRunsInASessionAndGroupOfItsOwn()
    {
        Assert.True(OperatingSystem.IsLinux(), "this test reads /proc");
        await using var server = await AzuriteServer.StartAsync();

        var (group, session) = GroupAndSession(server.ProcessId);
        var (ownGroup, ownSession) = GroupAndSession(Environment.ProcessId);

        Assert.Contains("node", File.ReadAllText($"/proc/{server.ProcessId}/cmdline"), StringComparison.Ordinal);
        Assert.NotEqual(ownGroup, group);
        Assert.NotEqual(ownSession, session);
        Assert.Equal(server.ProcessId, session); // it leads its own session
    }

    // /proc/PID/stat: "pid (comm) state ppid pgrp session …"; comm may hold spaces, so count after the last ')'.
    private static (int Group, int Session) GroupAndSession(int pid)
    {
        string stat = File.ReadAllText($"/proc/{pid}/stat");
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (int.Parse(fields[2], System.Globalization.CultureInfo.InvariantCulture), int.Parse(fields[3], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task EnsureInstalledAsync_EmptyFolder_InstallsThePinnedVersion()
    {
        string folder = Path.Combine(Path.GetTempPath(), "aznf-tests", "azurite-install", Guid.NewGuid().ToString("N"));
        var options = new AzuriteOptions { InstallDirectory = folder };

        try
        {
            string entry = await AzuriteInstaller.EnsureInstalledAsync(options);

            Assert.True(File.Exists(entry));
            string manifest = await File.ReadAllTextAsync(Path.Combine(folder, "node_modules", "azurite", "package.json"));
            Assert.Contains($"\"version\": \"{AzuriteOptions.PinnedVersion}\"", manifest, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<string?> ServerHeaderAsync(int port)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/devstoreaccount1?comp=list"));
        return response.Headers.Server.FirstOrDefault()?.Product?.Name;
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
