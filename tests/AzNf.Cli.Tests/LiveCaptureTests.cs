using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using AzNf.NetworkFunctions.Chain;
using AzNf.TestOracles;

namespace AzNf.Cli.Tests;

/// <summary>
/// `aznf run --interface`: real loopback traffic the test makes itself (a local server answering
/// N requests), captured through libpcap while it happens. The live report shows the test's
/// flows with the bytes the client and the server sent (read back from the --write file by
/// tshark) and the requests the IDS's HTTP layer counted, and equals the report of the same
/// run's --write file read back through `aznf run --capture`.
/// </summary>
public class LiveCaptureTests
{
    private const int Requests = 5;
    private const int ResponseBody = 3_000;

    [Fact]
    public async Task Run_LiveLoopbackTraffic_ReportShowsTheTestsFlowsAndEqualsTheWrittenCapture()
    {
        string folder = OracleProcess.TempDirectory("live");
        string written = Path.Combine(folder, "live.pcap"), reportPath = Path.Combine(folder, "live.json");
        // The IDS's HTTP layer parses every request (on any port) and a rule alerts on each.
        File.WriteAllText(Path.Combine(folder, "live.rules"), "alert http any any -> any any (msg:\"live test request\"; http.user_agent; content:\"aznf-live-test\"; sid:1;)\n");
        string chain = Path.Combine(folder, "chain.json");
        File.WriteAllText(chain, """{ "name": "live", "stages": [ { "name": "counter", "type": "counter" }, { "name": "ids", "type": "ids", "rules": "live.rules" } ] }""");
        using var server = new TcpListener(IPAddress.Loopback, 0);
        server.Start();
        int port = ((IPEndPoint)server.LocalEndpoint).Port;
        var serving = Serve(server);

        var run = Task.Run(() => CliRunner.Aznf(
            "run", "--interface", "lo", "--bpf", $"tcp port {port}", "--duration", "5", "--write", written,
            "--chain", chain, "--partitions", "1", "--report", reportPath, "--quiet"));
        // The capture is open once the written file has its header.
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!(File.Exists(written) && new FileInfo(written).Length >= 24) && waited.Elapsed < TimeSpan.FromSeconds(15) && !run.IsCompleted)
        {
            await Task.Delay(50);
        }
        if (run.IsCompleted)
        {
            var (earlyCode, earlyErrors) = await run;
            Assert.Fail($"the live run ended before capturing (exit {earlyCode}): {earlyErrors}");
        }
        var sent = new List<(int Request, int Response)>();
        for (int i = 0; i < Requests; i++)
        {
            sent.Add(await Fetch(port, i));
        }
        await serving;
        var (code, errors) = await run;

        Assert.True(code == 0, errors);
        Assert.Contains($"live:lo: ", errors, StringComparison.Ordinal);
        var live = RunReport.ReadJson(File.ReadAllText(reportPath));
        var flows = live.Flows.Where(f => f.B.EndsWith($":{port}", StringComparison.Ordinal)).OrderBy(f => f.FirstPacketIndex).ToList();
        Assert.Equal(Requests, flows.Count);
        // What each connection carried, by tshark from the written capture: payload bytes each way
        // equal what the client and the server wrote; frames and wire bytes equal the report's.
        var streams = Streams(written, port);
        Assert.Equal(Requests, streams.Count);
        for (int i = 0; i < Requests; i++)
        {
            var (toServer, toClient) = streams[i];
            Assert.Equal(sent[i], (toServer.Payload, toClient.Payload));
            Assert.Equal((toServer.Frames, toServer.Bytes, toClient.Frames, toClient.Bytes), (flows[i].PacketsAtoB, flows[i].BytesAtoB, flows[i].PacketsBtoA, flows[i].BytesBtoA));
        }
        Assert.Equal(Requests, live.Nfs.Single(n => n.Name == "ids").Counters["http:requests"]);
        Assert.Equal(flows.Select(f => f.FlowId).Order(), live.Alerts.Select(a => a.FlowId).Order());

        var again = CliRunner.Run(written, chain, partitions: 1);
        Assert.Equal(Json(again.Flows), Json(live.Flows));
        Assert.Equal(Json(again.Totals), Json(live.Totals));
        Assert.Equal(Json(again.Nfs), Json(live.Nfs));
        Assert.Equal(again.Alerts, live.Alerts);
    }

    [Fact]
    public async Task Send_DryRunOnALiveInterface_ReadsThePacketsItCaptured()
    {
        using var server = new TcpListener(IPAddress.Loopback, 0);
        server.Start();
        int port = ((IPEndPoint)server.LocalEndpoint).Port;
        var serving = Serve(server);
        string written = Path.Combine(OracleProcess.TempDirectory("live-send"), "sent.pcap");
        var send = Task.Run(() => CliRunner.Aznf("send", "--interface", "lo", "--bpf", $"tcp port {port}", "--duration", "4", "--write", written, "--dry-run", "-p", "2"));
        while (!(File.Exists(written) && new FileInfo(written).Length >= 24) && !send.IsCompleted)
        {
            await Task.Delay(50);
        }
        for (int i = 0; i < Requests; i++)
        {
            await Fetch(port, i);
        }
        await serving;

        var (code, errors) = await send;

        Assert.True(code == 0, errors);
        long frames = OracleProcess.Run("tshark", "-r", written).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
        Assert.True(frames >= Requests * 6, $"only {frames} frames captured");
        Assert.Contains($"live:lo: {frames} packets captured", errors, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_NoSuchInterface_ExitsBadInputListingTheInterfaces()
    {
        var (code, errors) = CliRunner.Aznf("run", "--interface", "nosuch0", "--duration", "1", "--quiet");

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("--interface: nosuch0: no such interface (available:", errors, StringComparison.Ordinal);
        Assert.Contains("lo", errors, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_BadFilter_ExitsBadCommandLineNamingIt()
    {
        var (code, errors) = CliRunner.Aznf("run", "--interface", "lo", "--bpf", "tcp prot 80", "--duration", "1", "--quiet");

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--interface: lo: bad filter 'tcp prot 80'", errors, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_WithoutCaptureCapabilities_ExitsNoPermissionWithOneLine()
    {
        // The same tool, as the same user but with CAP_NET_RAW and CAP_NET_ADMIN out of its bounding set.
        string aznf = Path.Combine(AppContext.BaseDirectory, "aznf.dll");
        var (output, errors, code) = OracleProcess.RunWithExitCode(
            "setpriv", "--bounding-set", "-net_raw,-net_admin", "--inh-caps", "-all", "--", Environment.ProcessPath!, aznf, "run", "--interface", "lo", "--duration", "1", "--quiet");

        Assert.True(code == ExitCodes.NoPermission, $"exit {code}: {output}{errors}");
        var line = Assert.Single(errors.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: --interface: lo: no permission to capture", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "--capture", "x.pcap", "--interface", "lo" }, "--capture and --interface exclude each other")]
    [InlineData(new[] { "--capture", "x.pcap", "--bpf", "tcp" }, "--bpf, --duration and --write need --interface")]
    [InlineData(new[] { "--interface", "lo", "--write-dropped", "d.pcap" }, "--write-forwarded and --write-dropped with --interface need --write FILE")]
    public void Run_InputOptionsThatDoNotGo_ExitBadCommandLine(string[] options, string expected)
    {
        var (code, errors) = CliRunner.Aznf(["run", .. options]);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains(expected, errors, StringComparison.Ordinal);
    }

    private static string Json<T>(T value) => JsonSerializer.Serialize(value);

    private static async Task Serve(TcpListener server)
    {
        var body = new string('x', ResponseBody);
        for (int i = 0; i < Requests; i++)
        {
            using var client = await server.AcceptTcpClientAsync();
            var stream = client.GetStream();
            var request = new StringBuilder();
            var buffer = new byte[1024];
            while (!request.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
            {
                int read = await stream.ReadAsync(buffer);
                if (read == 0)
                {
                    break;
                }
                request.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }
            byte[] response = Encoding.ASCII.GetBytes($"HTTP/1.0 200 OK\r\nContent-Length: {ResponseBody}\r\n\r\n{body}");
            await stream.WriteAsync(response);
            client.Client.Shutdown(SocketShutdown.Send);
            while (await stream.ReadAsync(buffer) > 0)
            {
            }
        }
    }

    /// <summary>One request: connects, sends, reads the answer to the end; returns the bytes each side sent.</summary>
    private static async Task<(int Request, int Response)> Fetch(int port, int i)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        var stream = client.GetStream();
        byte[] request = Encoding.ASCII.GetBytes($"GET /item/{i} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\nUser-Agent: aznf-live-test\r\n\r\n");
        await stream.WriteAsync(request);
        int received = 0;
        var buffer = new byte[8192];
        for (int read; (read = await stream.ReadAsync(buffer)) > 0;)
        {
            received += read;
        }
        return (request.Length, received);
    }

    private sealed record Direction(long Frames, long Bytes, int Payload);

    /// <summary>Per TCP connection to <paramref name="port"/>, in order: frames, wire bytes and payload bytes each way.</summary>
    private static List<(Direction ToServer, Direction ToClient)> Streams(string capture, int port)
    {
        var lines = OracleProcess.Run("tshark", "-r", capture, "-T", "fields", "-e", "tcp.stream", "-e", "tcp.dstport", "-e", "frame.len", "-e", "tcp.len")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split('\t'))
            .Select(f => (Stream: int.Parse(f[0]), ToServer: int.Parse(f[1]) == port, Frame: long.Parse(f[2]), Payload: int.Parse(f[3])));
        return lines.GroupBy(l => l.Stream).OrderBy(g => g.Key).Select(g =>
        {
            Direction Of(bool toServer) => new(g.Count(l => l.ToServer == toServer), g.Where(l => l.ToServer == toServer).Sum(l => l.Frame), g.Where(l => l.ToServer == toServer).Sum(l => l.Payload));
            return (Of(true), Of(false));
        }).ToList();
    }
}
