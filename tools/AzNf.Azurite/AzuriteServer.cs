using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace AzNf.Azurite;

/// <summary>
/// A private Azurite (blob, queue and table services) on free loopback ports, owned by this
/// process: started by <see cref="StartAsync"/>, killed by <see cref="DisposeAsync"/> or when
/// the process exits. The pid held is node's own, not a wrapper shell's, so the kill reaches it.
/// </summary>
public sealed class AzuriteServer : IAsyncDisposable
{
    /// <summary>Azurite's well-known development account; public by design, not a secret.</summary>
    public const string AccountName = "devstoreaccount1";

    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private const int PortAttempts = 3;
    private const string SetsidPath = "/usr/bin/setsid";
    private const int OutputLinesKept = 40;

    private readonly string _entry;
    private readonly AzuriteOptions _options;
    private readonly string _workDirectory;
    private readonly Queue<string> _output = new();
    private Process _process;
    private int _disposed;

    private AzuriteServer(string entry, AzuriteOptions options, string workDirectory, int blobPort, int queuePort, int tablePort)
    {
        _entry = entry;
        _options = options;
        _workDirectory = workDirectory;
        BlobPort = blobPort;
        QueuePort = queuePort;
        TablePort = tablePort;
        ConnectionString =
            $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};" +
            $"BlobEndpoint=http://127.0.0.1:{blobPort}/{AccountName};" +
            $"QueueEndpoint=http://127.0.0.1:{queuePort}/{AccountName};" +
            $"TableEndpoint=http://127.0.0.1:{tablePort}/{AccountName};";
        _process = StartProcess();
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
    }

    /// <summary>A storage connection string for all three services.</summary>
    public string ConnectionString { get; }

    public int BlobPort { get; }

    public int QueuePort { get; }

    public int TablePort { get; }

    /// <summary>node's process id.</summary>
    public int ProcessId => _process.Id;

    /// <summary>Installs Azurite if needed, starts it and waits until every service accepts connections.</summary>
    public static async Task<AzuriteServer> StartAsync(AzuriteOptions? options = null, CancellationToken cancellation = default)
    {
        options ??= new AzuriteOptions();
        string entry = await AzuriteInstaller.EnsureInstalledAsync(options, cancellation);
        for (int attempt = 1; ; attempt++)
        {
            int[] ports = FreeLoopbackPorts(3);
            string work = Path.Combine(Path.GetTempPath(), "aznf-azurite", Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(work);
            var server = new AzuriteServer(entry, options, work, ports[0], ports[1], ports[2]);
            try
            {
                await server.WaitUntilReadyAsync(options.StartTimeout, cancellation);
                return server;
            }
            catch (AzuriteException) when (attempt < PortAttempts && server._process.HasExited && server.Output.Contains("EADDRINUSE", StringComparison.Ordinal))
            {
                // Another process took a port between our probe and Azurite's bind: new ports.
                await server.DisposeAsync();
            }
            catch
            {
                await server.DisposeAsync();
                throw;
            }
        }
    }

    /// <summary>
    /// An outage: Azurite stops and starts again after <paramref name="down"/> on the same ports
    /// and folder, with its data. It is stopped with SIGTERM, on which it saves its data and
    /// closes: killed, it would lose the writes it acknowledged since its last save, which the
    /// real service never does.
    /// </summary>
    /// <exception cref="InvalidOperationException">This Azurite keeps its data in memory, which an outage would lose.</exception>
    public async Task OutageAsync(TimeSpan down, CancellationToken cancellation = default)
    {
        if (_options.InMemory)
        {
            throw new InvalidOperationException("an in-memory Azurite loses its data when it stops: start it with InMemory = false for an outage");
        }
        using (var terminate = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await terminate.WaitForExitAsync(cancellation);
        }
        using var closing = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        closing.CancelAfter(TimeSpan.FromSeconds(20));
        await _process.WaitForExitAsync(closing.Token);
        _process.Dispose();
        await Task.Delay(down, cancellation);
        _process = StartProcess();
        await WaitUntilReadyAsync(_options.StartTimeout, cancellation);
    }

    /// <summary>The last lines Azurite printed, for error messages.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join('\n', _output);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        Kill();
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await _process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            // Killed with SIGKILL; if it is still there after 10 s the OS will reap it.
        }
        _process.Dispose();
        try
        {
            Directory.Delete(_workDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by a dying process: the temp folder is cleaned up later.
        }
    }

    private Process StartProcess()
    {
        // In a session of its own (util-linux setsid execs node in place, same process id), so a
        // terminal's Ctrl-C, sent to the foreground process group, reaches aznf — which stops
        // cleanly and then stops Azurite — and not Azurite while batches are still being stored.
        bool ownSession = OperatingSystem.IsLinux() && File.Exists(SetsidPath);
        var start = new ProcessStartInfo(ownSession ? SetsidPath : "node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _workDirectory,
        };
        var arguments = new List<string>
        {
            _entry,
            "--blobHost", "127.0.0.1", "--blobPort", BlobPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--queueHost", "127.0.0.1", "--queuePort", QueuePort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--tableHost", "127.0.0.1", "--tablePort", TablePort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--skipApiVersionCheck",
            "--disableTelemetry",
            "--silent",
        };
        // Azurite refuses --location together with --inMemoryPersistence; the working
        // directory still catches its debug files.
        arguments.AddRange(_options.InMemory ? ["--inMemoryPersistence"] : ["--location", _workDirectory]);
        if (_options.DebugLog is { } debug)
        {
            arguments.AddRange(["--debug", Path.GetFullPath(debug)]);
        }
        if (ownSession)
        {
            start.ArgumentList.Add("node");
        }
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new AzuriteException("node did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new AzuriteException($"Azurite runs on Node.js, and 'node' could not be run ({e.Message}); install Node.js", e);
        }
        process.OutputDataReceived += (_, e) => Remember(e.Data);
        process.ErrorDataReceived += (_, e) => Remember(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private async Task WaitUntilReadyAsync(TimeSpan timeout, CancellationToken cancellation)
    {
        var elapsed = Stopwatch.StartNew();
        foreach (int port in (int[])[BlobPort, QueuePort, TablePort])
        {
            while (true)
            {
                if (_process.HasExited)
                {
                    // Without a timeout, WaitForExit also waits until the redirected output has been
                    // read to its end: without it the message (and the EADDRINUSE retry) may see none.
                    _process.WaitForExit();
                    throw new AzuriteException($"Azurite exited with {_process.ExitCode} while starting: {Output}");
                }
                if (elapsed.Elapsed > timeout)
                {
                    throw new AzuriteException($"Azurite did not accept connections on 127.0.0.1:{port} within {timeout}: {Output}");
                }
                if (await AcceptsConnectionsAsync(port, cancellation))
                {
                    break;
                }
                await Task.Delay(50, cancellation);
            }
        }
    }

    private static async Task<bool> AcceptsConnectionsAsync(int port, CancellationToken cancellation)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port, cancellation);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int[] FreeLoopbackPorts(int count)
    {
        // Hold every listener until all ports are known, so the three are distinct.
        var listeners = new TcpListener[count];
        try
        {
            for (int i = 0; i < count; i++)
            {
                listeners[i] = new TcpListener(IPAddress.Loopback, 0);
                listeners[i].Start();
            }
            return listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        }
        finally
        {
            foreach (var listener in listeners)
            {
                listener?.Stop();
            }
        }
    }

    private void Remember(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            _output.Enqueue(line);
            if (_output.Count > OutputLinesKept)
            {
                _output.Dequeue();
            }
        }
    }

    private void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                // Azurite may ignore SIGTERM; it holds nothing that needs a clean shutdown.
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    private void OnProcessExit(object? sender, EventArgs e) => Kill();
}
