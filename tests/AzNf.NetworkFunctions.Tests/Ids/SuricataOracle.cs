using System.Diagnostics;
using System.Text.Json;
using AzNf.Packets.Flows;
using AzNf.Packets.Parsing;

namespace AzNf.NetworkFunctions.Tests.Ids;

/// <summary>
/// Runs Suricata 7 on a capture and a rule file (offline, <c>-k none</c>, single run mode) and
/// reads back its alerts as (sid, symmetric flow) pairs. Fails — never skips — when Suricata is
/// not installed, because the oracle is the point of the test.
/// </summary>
internal static class SuricataOracle
{
    /// <summary>Runs Suricata; <paramref name="rulesLoaded"/> is how many rules it accepted.</summary>
    public static HashSet<string> Alerts(string capturePath, string rulesPath, string outputDirectory, out int rulesLoaded)
    {
        // AZNF_IDS_ORACLE_CONFIG swaps in another Suricata config by hand (e.g. the distribution's).
        string config = Environment.GetEnvironmentVariable("AZNF_IDS_ORACLE_CONFIG") is { Length: > 0 } custom
            ? custom
            : Path.Combine(TestDataDirectory(), "suricata-oracle.yaml");
        Directory.CreateDirectory(outputDirectory);
        var start = new ProcessStartInfo("suricata")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string argument in new[] { "-v", "-c", config, "-r", capturePath, "-S", rulesPath, "-l", outputDirectory, "-k", "none", "--runmode", "single" })
        {
            start.ArgumentList.Add(argument);
        }
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("suricata did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException(
                "Suricata 7 is required for the IDS oracle test but 'suricata' could not be run; install it with scripts/install-oracles.sh", e);
        }
        string output;
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            string stderr = process.StandardError.ReadToEnd();
            process.WaitForExit();
            output = stdout.Result + "\n" + stderr;
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"suricata exited with {process.ExitCode}: {output}");
            }
        }
        // Suricata skips a rule it cannot parse and goes on; its summary line says how many it kept.
        var summary = System.Text.RegularExpressions.Regex.Match(output, @"(\d+) rules successfully loaded, (\d+) rules failed");
        if (!summary.Success)
        {
            throw new InvalidOperationException("suricata printed no rule-load summary: " + output);
        }
        rulesLoaded = int.Parse(summary.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

        var pairs = new HashSet<string>();
        foreach (string line in File.ReadLines(Path.Combine(outputDirectory, "eve.json")))
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            if (root.GetProperty("event_type").GetString() != "alert")
            {
                continue;
            }
            int sid = root.GetProperty("alert").GetProperty("signature_id").GetInt32();
            string proto = root.GetProperty("proto").GetString()!.ToLowerInvariant();
            var source = NetAddress.Parse(root.GetProperty("src_ip").GetString()!);
            var destination = NetAddress.Parse(root.GetProperty("dest_ip").GetString()!);
            ushort sourcePort = root.TryGetProperty("src_port", out var sp) ? (ushort)sp.GetInt32() : (ushort)0;
            ushort destinationPort = root.TryGetProperty("dest_port", out var dp) ? (ushort)dp.GetInt32() : (ushort)0;
            pairs.Add(Pair(sid, proto, source, sourcePort, destination, destinationPort));
        }
        return pairs;
    }

    /// <summary>
    /// "sid proto lower:port &lt;-&gt; upper:port": ICMP ports are zeroed because Suricata's eve
    /// has no echo id, and both sides build the key the same way.
    /// </summary>
    public static string Pair(int sid, string proto, NetAddress source, ushort sourcePort, NetAddress destination, ushort destinationPort)
    {
        if (proto is "icmp" or "ipv6-icmp")
        {
            sourcePort = destinationPort = 0;
        }
        bool sourceLower = source.CompareTo(destination) < 0 || (source == destination && sourcePort <= destinationPort);
        string a = FlowKey.Endpoint(source, sourcePort), b = FlowKey.Endpoint(destination, destinationPort);
        return sourceLower ? $"{sid} {proto} {a} <-> {b}" : $"{sid} {proto} {b} <-> {a}";
    }

    public static string TestDataDirectory()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            string candidate = Path.Combine(directory.FullName, "tests", "TestData", "ids");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new DirectoryNotFoundException("tests/TestData/ids not found above " + AppContext.BaseDirectory);
    }
}
