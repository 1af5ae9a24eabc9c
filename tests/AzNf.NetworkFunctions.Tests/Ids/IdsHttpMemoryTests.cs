using AzNf.NetworkFunctions.Ids;

namespace AzNf.NetworkFunctions.Tests.Ids;

/// <summary>What the HTTP layer costs per live flow: bounded, and measured against the same flows without HTTP rules.</summary>
/// <remarks>The heap size is process-wide, so this class runs alone: tests running beside it would move the figure.</remarks>
[Collection(nameof(IdsHttpMemoryTests))]
public class IdsHttpMemoryTests
{
    private const int Flows = 2000;

    private const string WithoutHttp = "alert tcp any any -> any any (content:\"never-seen\"; sid:1;)";

    private const string WithHttp = """
        alert tcp any any -> any any (content:"never-seen"; sid:1;)
        alert http any any -> any any (msg:"uri"; http.uri; content:"/never"; sid:2;)
        alert http any any -> any any (msg:"body"; flow:to_client; file.data; content:"never"; sid:3;)
        """;

    // Each flow: a complete request, then a response whose head and the first 1,000 of its 5,000
    // body bytes arrived (in flight), or all of it (idle, between transactions).
    private static long BytesPerFlow(string rules, bool inFlight)
    {
        var harness = new IdsTestHarness(rules);
        var frames = new List<byte[]>();
        for (int i = 0; i < Flows; i++)
        {
            frames.AddRange(new TcpConversation("192.0.2.1", (ushort)(10000 + i), "10.0.0.2", 80).Handshake()
                .Client("GET /index.html HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: test\r\n\r\n")
                .Server("HTTP/1.1 200 OK\r\nContent-Length: 5000\r\nContent-Type: text/html\r\n\r\n" + new string('x', inFlight ? 1000 : 5000)).Frames);
        }
        GC.Collect();
        long before = GC.GetTotalMemory(forceFullCollection: true);
        harness.SendAll(frames);
        long after = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(harness);
        return (after - before) / Flows;
    }

    [Fact]
    public void LiveHttpFlow_HttpLayerCost_Bounded()
    {
        long idle = BytesPerFlow(WithHttp, inFlight: false) - BytesPerFlow(WithoutHttp, inFlight: false);
        long inFlight = BytesPerFlow(WithHttp, inFlight: true) - BytesPerFlow(WithoutHttp, inFlight: true);

        // Idle: the session (two parsers with 256-byte line buffers, the pending queue). In flight:
        // plus one message (head, values, fields) and the body rented for its Content-Length
        // (5,000 bytes: the shared pool's 8 KiB bucket). docs/PERFORMANCE.md has the numbers.
        Assert.InRange(idle, 256, 2 * 1024);
        Assert.InRange(inFlight, 8 * 1024, 12 * 1024);
    }
}

/// <summary>Keeps <see cref="IdsHttpMemoryTests"/> from running in parallel with any other test.</summary>
[CollectionDefinition(nameof(IdsHttpMemoryTests), DisableParallelization = true)]
public class IdsHttpMemoryCollection;
