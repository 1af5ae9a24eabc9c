using AzNf.NetworkFunctions.Ids;

namespace AzNf.NetworkFunctions.Tests.Ids;

/// <summary>
/// The HTTP app layer under the IDS: requests and responses parsed from the reassembled streams,
/// HTTP rules matched once per transaction on Suricata's buffers (semantics pinned against
/// Suricata 7 by <c>EtOpenOracleTests</c>; these tests pin each piece on its own).
/// </summary>
public class IdsHttpTests
{
    private const string Response = "HTTP/1.1 200 OK\r\nServer: test\r\nContent-Type: text/html\r\nSet-Cookie: s=1\r\nContent-Length: 11\r\n\r\nhello world";

    private static TcpConversation Connection(ushort port = 80) => new TcpConversation("192.0.2.1", 40000, "10.0.0.2", port).Handshake();

    private static List<int> Run(string rules, TcpConversation conversation, IdsOptions? options = null, Action<IdsTestHarness>? check = null)
    {
        var harness = new IdsTestHarness(rules, options);
        Assert.Empty(harness.Diagnostics.Warnings);
        harness.SendAll(conversation.Close().Frames);
        check?.Invoke(harness);
        harness.EndAllFlows();
        return harness.AlertedSids;
    }

    private static long Counter(IdsTestHarness harness, string name)
    {
        var counters = new Dictionary<string, long>();
        harness.Detector.ReportCounters(counters);
        return counters[name];
    }

    [Fact]
    public void Uri_StickyAndLegacyForms_MatchNormalisedUriNotRaw()
    {
        const string rules = """
            alert http any any -> any any (msg:"sticky"; flow:established,to_server; http.uri; content:"/etc/passwd"; startswith; sid:1;)
            alert tcp any any -> any any (msg:"legacy"; flow:established,to_server; content:"/etc/passwd"; http_uri; sid:2;)
            alert http any any -> any any (msg:"uricontent"; uricontent:"union select"; nocase; sid:3;)
            alert http any any -> any any (msg:"raw keeps escapes"; http.uri.raw; content:"%20UNION"; sid:4;)
            alert http any any -> any any (msg:"raw is not decoded"; http.uri.raw; content:"/etc/passwd"; startswith; sid:5;)
            alert http any any -> any any (msg:"pcre U"; pcre:"/^\/etc\/passwd\?q=1 UNION/U"; sid:6;)
            """;
        var conversation = Connection().Client("GET /a/../%65tc/./passwd?q=1%20UNION%20select HTTP/1.1\r\nHost: x\r\n\r\n").Server(Response);

        Assert.Equal([1, 2, 3, 4, 6], Run(rules, conversation).Order());
    }

    [Fact]
    public void Request_SplitAcrossSegments_MatchedOnceWhenHeadCompletes()
    {
        const string rules = """alert http any any -> any any (msg:"ua"; flow:to_server; http.user_agent; content:"sqlmap/"; startswith; sid:1;)""";
        var conversation = Connection().Client("GET / HTTP/1.1\r\nUser-Ag").Client("ent: sqlm").Client("ap/1.7\r\nHost: x\r\n").Client("\r\n").Server(Response);

        Assert.Equal([1], Run(rules, conversation));
    }

    // A rule matched by both transactions of one segment alerts once for that packet (docs/ids.md).
    [Fact]
    public void Pipelined_TwoRequestsInOneSegment_EachTransactionMatched()
    {
        const string rules = """
            alert http any any -> any any (msg:"get"; http.method; content:"GET"; bsize:3; sid:1;)
            alert http any any -> any any (msg:"second"; http.uri; content:"/two"; sid:2;)
            alert http any any -> any any (msg:"response to two"; flow:to_client; http.stat_code; content:"404"; sid:3;)
            """;
        var conversation = Connection()
            .Client("GET /one HTTP/1.1\r\nHost: x\r\n\r\nGET /two HTTP/1.1\r\nHost: x\r\n\r\n")
            .Server(Response + "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");

        Assert.Equal([1, 2, 3], Run(rules, conversation, check: h => Assert.Equal(2, Counter(h, "http:responses"))).Order());
    }

    [Fact]
    public void ChunkedRequestBody_DechunkedAcrossChunks_SizeLinesNotInBody()
    {
        const string rules = """
            alert http any any -> any any (msg:"across chunks"; http.request_body; content:"cmd=wget"; startswith; sid:1;)
            alert http any any -> any any (msg:"size line"; http.client_body; content:"|0d 0a|"; sid:2;)
            alert http any any -> any any (msg:"legacy body"; content:"wget"; http_client_body; sid:3;)
            """;
        var conversation = Connection()
            .Client("POST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\ncmd=w\r\n")
            .Client("3;ext=1\r\nget\r\n0\r\n\r\n")
            .Server(Response);

        Assert.Equal([1, 3], Run(rules.Replace("http.client_body", "http.request_body", StringComparison.Ordinal), conversation).Order());
    }

    [Fact]
    public void ContentLengthBody_PastBodyLimit_NotInspectedAndCounted()
    {
        const string rules = """
            alert http any any -> any any (msg:"early"; http.request_body; content:"early"; sid:1;)
            alert http any any -> any any (msg:"late"; http.request_body; content:"late"; sid:2;)
            """;
        string body = "early" + new string('.', 100) + "late";
        var conversation = Connection()
            .Client($"POST /x HTTP/1.1\r\nContent-Length: {body.Length}\r\n\r\n" + body[..50])
            .Client(body[50..])
            .Server(Response);

        var alerts = Run(rules, conversation, new IdsOptions { HttpRequestBodyBytes = 64 },
            h => Assert.Equal(1, Counter(h, "http:bodies-truncated")));

        Assert.Equal([1], alerts);
    }

    [Fact]
    public void Response_BuffersOfTheResponseSide()
    {
        const string rules = """
            alert http any any -> any any (msg:"stat"; http.stat_code; content:"200"; bsize:3; http.stat_msg; content:"OK"; sid:1;)
            alert http any any -> any any (msg:"body"; flow:to_client; file.data; content:"world"; endswith; sid:2;)
            alert http any any -> any any (msg:"set-cookie"; flow:to_client; http.cookie; content:"s=1"; bsize:3; sid:3;)
            alert http any any -> any any (msg:"no cookie in header"; flow:to_client; http.header; content:"Set-Cookie"; sid:4;)
            alert http any any -> any any (msg:"server"; http.server; content:"test"; sid:5;)
            alert http any any -> any any (msg:"response content type"; flow:to_client; http.content_type; content:"text/html"; bsize:9; sid:6;)
            alert http any any -> any any (msg:"request content type absent"; flow:to_server; http.content_type; content:"text"; sid:7;)
            alert http any any -> any any (msg:"raw response"; flow:to_client; content:"Server|3a| test"; content:"hello"; distance:0; sid:8;)
            """;
        var conversation = Connection().Client("GET / HTTP/1.1\r\nHost: x\r\n\r\n").Server(Response);

        Assert.Equal([1, 2, 3, 5, 6, 8], Run(rules, conversation).Order());
    }

    [Fact]
    public void HeadResponse_HasNoBody_NextResponseStillPaired()
    {
        const string rules = """
            alert http any any -> any any (msg:"second response body"; flow:to_client; file.data; content:"hello"; sid:1;)
            alert http any any -> any any (msg:"head stat"; flow:to_client; http.stat_code; content:"201"; sid:2;)
            """;
        var conversation = Connection()
            .Client("HEAD / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n")
            .Server("HTTP/1.1 201 Created\r\nContent-Length: 11\r\n\r\n" + Response);

        Assert.Equal([1, 2], Run(rules, conversation).Order());
    }

    [Fact]
    public void ResponseUntilClose_CompletedByServerFin()
    {
        const string rules = """alert http any any -> any any (msg:"body"; flow:to_client; http.response_body; content:"tail"; sid:1;)""";
        var conversation = Connection().Client("GET / HTTP/1.0\r\n\r\n").Server("HTTP/1.0 200 OK\r\n\r\nbody with a tail");

        Assert.Equal([1], Run(rules, conversation));
    }

    [Fact]
    public void Headers_FoldedLinesJoined_HeaderBufferFormat()
    {
        const string rules = """
            alert http any any -> any any (msg:"folded"; http.user_agent; content:"Mozilla/4.0 (compatible)"; bsize:24; sid:1;)
            alert http any any -> any any (msg:"header buffer"; flow:to_server; http.header; content:"Host|3a 20|x|0d 0a|User-Agent|3a 20|Mozilla"; startswith; content:"|0d 0a|"; endswith; sid:2;)
            alert http any any -> any any (msg:"names"; flow:to_server; http.header_names; content:"|0d 0a|Host|0d 0a|User-Agent|0d 0a|Cookie|0d 0a 0d 0a|"; bsize:30; sid:3;)
            alert http any any -> any any (msg:"cookie"; http.cookie; content:"a=b"; sid:4;)
            alert http any any -> any any (msg:"no cookie in header"; flow:to_server; http.header; content:"Cookie"; sid:5;)
            alert http any any -> any any (msg:"raw header ends with blank line"; flow:to_server; http.header.raw; content:"|0d 0a 0d 0a|"; endswith; sid:6;)
            alert http any any -> any any (msg:"start"; flow:to_server; http.start; content:"GET / HTTP/1.1|0d 0a|Host"; startswith; sid:7;)
            alert http any any -> any any (msg:"host lowered, no port"; http.host; content:"x"; bsize:1; sid:8;)
            """;
        var conversation = Connection().Client("GET / HTTP/1.1\r\nHost: X:8080\r\nUser-Agent: Mozilla/4.0\r\n  (compatible)\r\nCookie: a=b\r\n\r\n").Server(Response);

        Assert.Equal([1, 2, 3, 4, 6, 7, 8], Run(rules.Replace("content:\"Host|3a 20|x|0d 0a|", "content:\"Host|3a 20|X:8080|0d 0a|", StringComparison.Ordinal), conversation).Order());
    }

    [Fact]
    public void NotHttp_OnPort80_CountedAndPayloadRulesStillMatch()
    {
        const string rules = """
            alert http any any -> any any (msg:"http"; http.uri; content:"/"; sid:1;)
            alert tcp any any -> any any (msg:"stream"; flow:to_server; content:"SSH-2.0"; sid:2;)
            """;
        var conversation = Connection().Client("SSH-2.0-OpenSSH_9.2\r\n").Server("SSH-2.0-OpenSSH_9.2\r\n");

        Assert.Equal([2], Run(rules, conversation, check: h =>
        {
            Assert.Equal(1, Counter(h, "http:not-http"));
            Assert.Equal(0, Counter(h, "http:sessions-in-use"));
        }));
    }

    [Theory]
    [InlineData("POST /x HTTP/1.1\r\nContent-Length: 12x\r\n\r\nbody", "http:bad-length")]
    [InlineData("POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nbody\r\n0\r\n\r\n", "http:bad-chunk")]
    public void MalformedBodyFraming_ParsingStopsCountedAndLaterPacketsStillInspected(string request, string counter)
    {
        const string rules = """
            alert http any any -> any any (msg:"head matched"; http.method; content:"POST"; sid:1;)
            alert tcp any any -> any any (msg:"stream still inspected"; flow:to_server; content:"LATER"; sid:2;)
            """;
        var conversation = Connection().Client(request).Client("LATER");

        Assert.Equal([1, 2], Run(rules, conversation, check: h => Assert.Equal(1, Counter(h, counter))).Order());
    }

    [Fact]
    public void Head_LongerThanLimit_ParsingStopsAndCounted()
    {
        const string rules = """alert http any any -> any any (msg:"ua"; http.user_agent; content:"x"; sid:1;)""";
        var conversation = Connection().Client("GET / HTTP/1.1\r\nUser-Agent: x\r\nX-Pad: " + new string('a', 400) + "\r\n\r\n");

        Assert.Empty(Run(rules, conversation, new IdsOptions { HttpHeadBytes = 256 }, h => Assert.Equal(1, Counter(h, "http:head-too-long"))));
    }

    [Fact]
    public void Snapshot_MidRequestBody_ContinuesInAnotherInstance()
    {
        const string rules = """
            alert http any any -> any any (msg:"body across the move"; http.request_body; content:"before-after"; sid:1;)
            alert http any any -> any any (msg:"response after the move"; flow:to_client; http.stat_code; content:"200"; sid:2;)
            """;
        var conversation = Connection().Client("POST /x HTTP/1.1\r\nContent-Length: 12\r\n\r\nbefore");
        int split = conversation.Frames.Count;
        conversation.Client("-after").Server(Response).Close();
        var first = new IdsTestHarness(rules);
        first.SendAll(conversation.Frames.Take(split));
        var second = new IdsTestHarness(rules);

        second.ImportFlows(first);
        second.SendAll(conversation.Frames.Skip(split));

        Assert.Empty(first.AlertedSids);
        Assert.Equal([1, 2], second.AlertedSids.Order());
        first.EndAllFlows();
        second.EndAllFlows();
        Assert.Equal(0, Counter(first, "http:sessions-in-use"));
        Assert.Equal(0, Counter(second, "http:sessions-in-use"));
    }

    [Fact]
    public void Flowbits_SetByRequestRule_ReadByResponseRule_SurviveSnapshot()
    {
        const string rules = """
            alert http any any -> any any (msg:"mark"; flow:to_server; http.uri; content:"/login"; flowbits:set,login; flowbits:noalert; sid:1;)
            alert http any any -> any any (msg:"after login"; flow:to_client; http.stat_code; content:"200"; flowbits:isset,login; sid:2;)
            """;
        var conversation = Connection().Client("GET /login HTTP/1.1\r\nHost: x\r\n\r\n");
        int split = conversation.Frames.Count;
        conversation.Server(Response).Close();
        var first = new IdsTestHarness(rules);
        first.SendAll(conversation.Frames.Take(split));
        var second = new IdsTestHarness(rules);

        second.ImportFlows(first);
        second.SendAll(conversation.Frames.Skip(split));

        Assert.Empty(first.AlertedSids);
        Assert.Equal([2], second.AlertedSids);
    }

    [Fact]
    public void SteadyState_HttpTransactionsWithoutAlerts_AllocateNothing()
    {
        const string rules = """
            alert http any any -> any any (msg:"uri"; http.uri; content:"/never"; sid:1;)
            alert http any any -> any any (msg:"ua"; http.user_agent; content:"nomatch"; http.header; content:"X"; sid:2;)
            alert http any any -> any any (msg:"body"; flow:to_client; file.data; content:"absent"; sid:3;)
            """;
        var harness = new IdsTestHarness(rules, new IdsOptions { PcreTimeoutMs = 60_000 });
        var conversation = Connection();
        for (int i = 0; i < 40; i++)
        {
            conversation.Client($"GET /page/{i}?a=%41 HTTP/1.1\r\nHost: x\r\nUser-Agent: test\r\n\r\n").Server(Response);
        }
        var frames = conversation.Frames;
        harness.SendAll(frames.Take(40));

        var measured = frames.Skip(40).ToList();

        long allocated = harness.AllocatedWhileSending(measured);

        Assert.Empty(harness.Alerts.Alerts);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void SteadyState_EtOpenRulesOnHttpTransactions_AllocateNothing()
    {
        var variables = new Dictionary<string, string>(SuricataVariables.Defaults) { ["HOME_NET"] = "any", ["EXTERNAL_NET"] = "any" };
        string rules = string.Join('\n', Directory.GetFiles(AzNf.TestOracles.OracleProcess.TestData("et-open"), "*.rules").Order(StringComparer.Ordinal).Select(File.ReadAllText));
        var harness = new IdsTestHarness(rules, new IdsOptions { PcreTimeoutMs = 60_000 }, variables);
        var conversation = Connection();
        for (int i = 0; i < 60; i++)
        {
            string body = $"<html><body>article {i:D4} text</body></html>";
            conversation
                .Client($"GET /articles/{i}/index.html?page={i % 7}&sort=date HTTP/1.1\r\nHost: www.example.org\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0\r\nAccept: text/html\r\nCookie: session=s{i}\r\n\r\n")
                .Server($"HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: text/html\r\nContent-Length: {body.Length}\r\n\r\n{body}");
        }
        var frames = conversation.Frames;
        harness.SendAll(frames.Take(80));
        var measured = frames.Skip(80).ToList();

        long allocated = harness.AllocatedWhileSending(measured);

        Assert.Empty(harness.Alerts.Alerts);
        Assert.True(harness.Definition.RulesLoaded > 3000);
        Assert.Equal(60, Counter(harness, "http:responses"));
        Assert.Equal(0, allocated);
    }

    [Theory]
    [InlineData("http.header.raw; content:\"a\";", "flow direction")]
    [InlineData("flow:to_client; http.uri; content:\"a\";", "request buffer")]
    [InlineData("flow:to_server; http.stat_code; content:\"200\";", "response buffer")]
    [InlineData("bsize:3;", "sticky buffer")]
    [InlineData("http.uri; content:\"a\"; http_uri;", "sticky buffer")]
    [InlineData("content:\"a\"; dsize:3; http_uri;", "dsize, flags")]
    public void Parse_BadHttpRule_Rejected(string options, string reason)
    {
        var harness = new IdsTestHarness($"alert http any any -> any any ({options} sid:1;)");

        Assert.Equal(0, harness.Definition.RulesLoaded);
        Assert.Contains(reason, Assert.Single(harness.Diagnostics.Warnings).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/a/b/c/./../../g", "/a/g")]
    [InlineData("mid/content=5/../6", "mid/6")]
    [InlineData("/a//b/../c", "/a//c")]
    [InlineData("/..", "/")]
    [InlineData("/a/..", "/")]
    [InlineData("/a/.", "/a/")]
    [InlineData("../x", "x")]
    public void RemoveDotSegments_Rfc3986Examples(string path, string expected)
    {
        var bytes = System.Text.Encoding.ASCII.GetBytes(path);

        int length = AzNf.NetworkFunctions.Ids.Http.HttpInspectionBuffers.RemoveDotSegments(bytes);

        Assert.Equal(expected, System.Text.Encoding.ASCII.GetString(bytes, 0, length));
    }
}
