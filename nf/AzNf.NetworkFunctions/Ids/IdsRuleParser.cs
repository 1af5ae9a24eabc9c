using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using AzNf.NetworkFunctions.Chain;
using AzNf.NetworkFunctions.Rules;
using AzNf.Packets.Parsing;

namespace AzNf.NetworkFunctions.Ids;

/// <summary>
/// Reads Suricata/Snort rule text (the subset in docs/ids.md). A rule that cannot be honoured
/// exactly — bad syntax, an unknown keyword, an undefined variable — is rejected with a
/// <c>file:line</c> warning and the rest of the file still loads; nothing is silently ignored.
/// </summary>
public sealed class IdsRuleParser(
    IReadOnlyDictionary<string, string> variables,
    ConfigDiagnostics diagnostics,
    TimeSpan pcreTimeout,
    bool linearRegex = false,
    IReadOnlyDictionary<string, Classification>? classifications = null,
    int maxRuleBytes = 8192,
    IReadOnlyDictionary<string, string>? referenceSystems = null)
{
    private const string TooLong = "too-long";
    private readonly AddressPortParser _expressions = new(variables, AddressPortSyntax.Suricata);
    private const string DuplicateSid = "duplicate-sid";
    private readonly Dictionary<int, int> _ruleIndexBySid = [];
    private readonly Dictionary<string, int> _flowbitNames = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _xbitNames = new(StringComparer.Ordinal);

    /// <summary>The flowbit names of the rules parsed so far, each with its bit index.</summary>
    public IReadOnlyDictionary<string, int> FlowbitNames => _flowbitNames;

    public int Rejected => Rejections.Total;

    /// <summary>The rejected rules by reason, with the first <c>file:line</c> of each.</summary>
    public RuleRejections Rejections { get; } = new();

    /// <summary>Parses every rule in <paramref name="text"/>; rejected ones are reported, not returned.</summary>
    public List<IdsRule> ParseFile(string text, string fileName)
    {
        var rules = new List<IdsRule>();
        ParseFile(text, fileName, rules);
        return rules;
    }

    /// <summary>
    /// Parses every rule in <paramref name="text"/> into <paramref name="rules"/>, which holds the
    /// rules of files parsed before by this parser (a sid duplicated across files is found too).
    /// </summary>
    public void ParseFile(string text, string fileName, List<IdsRule> rules)
    {
        var lines = text.Split('\n');
        var pending = new StringBuilder();
        int firstLine = 0;
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].TrimEnd('\r');
            if (pending.Length == 0)
            {
                string trimmed = line.Trim();
                if (trimmed.Length == 0 || trimmed[0] == '#')
                {
                    continue;
                }
                firstLine = i + 1;
            }
            // A trailing backslash continues the rule on the next line, as in Suricata.
            if (line.EndsWith('\\'))
            {
                pending.Append(line, 0, line.Length - 1);
                continue;
            }
            pending.Append(line);
            string ruleText = pending.ToString().Trim();
            pending.Clear();
            string where = $"{fileName}:{firstLine.ToString(CultureInfo.InvariantCulture)}";
            int bytes = Encoding.UTF8.GetByteCount(ruleText);
            if (bytes > maxRuleBytes)
            {
                // Suricata reads at most 8 KiB per rule; a longer one is not a rule it would load.
                Rejections.Add(TooLong, where);
                diagnostics.Warn("ids-rule-rejected", where, $"rule of {bytes.ToString("N0", CultureInfo.InvariantCulture)} bytes is longer than maxRuleBytes ({maxRuleBytes.ToString("N0", CultureInfo.InvariantCulture)})");
                continue;
            }
            try
            {
                var rule = ParseRule(ruleText, where);
                if (_ruleIndexBySid.TryGetValue(rule.Sid, out int existing))
                {
                    // Suricata keeps the higher rev of two rules with one sid (the first on a tie).
                    var old = rules[existing];
                    if (rule.Rev > old.Rev)
                    {
                        Rejections.Add(DuplicateSid, old.Location);
                        rules[existing] = rule;
                        diagnostics.Warn("ids-rule-rejected", old.Location, $"duplicate sid {rule.Sid}: replaced by rev {rule.Rev} at {where}");
                    }
                    else
                    {
                        Rejections.Add(DuplicateSid, where);
                        diagnostics.Warn("ids-rule-rejected", where, $"duplicate sid {rule.Sid}: rev {old.Rev} at {old.Location} is kept");
                    }
                    continue;
                }
                _ruleIndexBySid[rule.Sid] = rules.Count;
                rules.Add(rule);
            }
            catch (RuleSyntaxException e)
            {
                Rejections.Add(e.Reason, where);
                diagnostics.Warn("ids-rule-rejected", where, e.Message);
            }
        }
        if (pending.Length > 0)
        {
            string where = $"{fileName}:{firstLine.ToString(CultureInfo.InvariantCulture)}";
            Rejections.Add(RuleSyntaxException.Invalid, where);
            diagnostics.Warn("ids-rule-rejected", where, "rule continues past the end of the file");
        }
    }

    /// <summary>Parses one rule; throws <see cref="RuleSyntaxException"/> with the reason to report.</summary>
    internal IdsRule ParseRule(string text, string where)
    {
        int open = text.IndexOf('(', StringComparison.Ordinal);
        if (open < 0 || !text.EndsWith(')'))
        {
            throw new RuleSyntaxException("expected '(options)' after the rule header");
        }
        var header = SplitHeader(text[..open]);
        if (header.Count != 7)
        {
            throw new RuleSyntaxException($"expected 7 header fields (action proto src sport dir dst dport), found {header.Count}");
        }
        var action = header[0] switch
        {
            "alert" => IdsRuleAction.Alert,
            "drop" => IdsRuleAction.Drop,
            "pass" => IdsRuleAction.Pass,
            "reject" or "rejectsrc" or "rejectdst" or "rejectboth" => IdsRuleAction.Reject,
            _ => throw new RuleSyntaxException($"unsupported action '{header[0]}'", $"action:{header[0]}"),
        };
        bool http = header[1] is "http" or "http1";
        bool dns = header[1] == "dns";
        bool tls = header[1] == "tls";
        byte protocol = header[1] switch
        {
            "dns" => (byte)0,
            "tls" => IpProtocol.Tcp,
            "tcp" or "http" or "http1" or "tcp-pkt" or "tcp-stream" => IpProtocol.Tcp,
            "udp" => IpProtocol.Udp,
            "icmp" => IpProtocol.Icmp,
            "ip" => (byte)0,
            _ => throw new RuleSyntaxException($"unsupported protocol '{header[1]}'", $"protocol:{header[1]}"),
        };
        bool bidirectional = header[4] switch
        {
            "->" => false,
            "<>" => true,
            _ => throw new RuleSyntaxException($"unsupported direction '{header[4]}' (expected -> or <>)"),
        };
        var source = Addresses(header[2]);
        var sourcePorts = Ports(header[3]);
        var destination = Addresses(header[5]);
        var destinationPorts = Ports(header[6]);
        if (protocol is 0 or IpProtocol.Icmp && (!sourcePorts.IsAny || !destinationPorts.IsAny))
        {
            throw new RuleSyntaxException($"ports must be 'any' for protocol '{header[1]}'");
        }

        var options = SplitOptions(text[(open + 1)..^1]);
        int? sid = options.Where(o => o.Name == "sid").Select(o => (int?)ParseInt(o, 1, int.MaxValue)).LastOrDefault();
        if (sid is null)
        {
            throw new RuleSyntaxException("missing sid");
        }
        var rule = new IdsRule
        {
            Action = action,
            RejectTo = header[0] switch
            {
                "reject" or "rejectsrc" => IdsRejectTarget.Source,
                "rejectdst" => IdsRejectTarget.Destination,
                "rejectboth" => IdsRejectTarget.Both,
                _ => IdsRejectTarget.None,
            },
            Protocol = protocol,
            Source = source,
            SourcePorts = sourcePorts,
            Destination = destination,
            DestinationPorts = destinationPorts,
            Bidirectional = bidirectional,
            Sid = sid.Value,
            Location = where,
            Text = text,
        };
        var draft = new RuleDraft();
        foreach (var option in options)
        {
            ApplyOption(rule, draft, option);
        }
        // tcp-pkt and tcp-stream: TCP rules matched on packets only, or on the stream only.
        rule.Flow |= header[1] switch
        {
            "tcp-pkt" => IdsFlowMatch.NoStream,
            "tcp-stream" => IdsFlowMatch.OnlyStream,
            _ => IdsFlowMatch.None,
        };
        if ((rule.Flow & (IdsFlowMatch.OnlyStream | IdsFlowMatch.NoStream)) == (IdsFlowMatch.OnlyStream | IdsFlowMatch.NoStream))
        {
            throw new RuleSyntaxException($"flow stream option contradicts protocol '{header[1]}'");
        }
        rule.HeaderChecks = [.. draft.HeaderConditions];
        rule.FlowbitsArray = [.. draft.Flowbits];
        rule.XbitsArray = [.. draft.Xbits];
        var checks = draft.Checks;
        rule.Checks = [.. checks.Where(c => c.Buffer == IdsBuffer.Payload)];
        rule.HasRegex = checks.Exists(c => c.Regex is not null);
        var positives = checks.Where(c => c.IsContent && !c.Negated).ToList();
        rule.FastPatternCheck = positives.Find(c => c.FastPattern)
            ?? positives.OrderByDescending(c => c.Pattern!.Length).FirstOrDefault();
        if (tls || checks.Exists(c => IdsBuffers.IsTls(c.Buffer)) || draft.Lengths.Keys.Any(IdsBuffers.IsTls))
        {
            CompleteSingleBufferRule(rule, draft, header[1], "tls.sni", IdsBuffers.IsTls, ["tls", "tcp", "ip"]);
            rule.IsTls = true;
            rule.DropReason = "ids:sid:" + rule.Sid.ToString(CultureInfo.InvariantCulture);
            return rule;
        }
        if (dns || checks.Exists(c => IdsBuffers.IsDns(c.Buffer)) || draft.Lengths.Keys.Any(IdsBuffers.IsDns))
        {
            CompleteSingleBufferRule(rule, draft, header[1], "dns.query", IdsBuffers.IsDns, ["dns", "udp", "tcp", "ip"]);
            rule.IsDns = true;
            rule.DropReason = "ids:sid:" + rule.Sid.ToString(CultureInfo.InvariantCulture);
            return rule;
        }
        if (http || checks.Exists(c => c.Buffer != IdsBuffer.Payload) || draft.Lengths.Count > 0)
        {
            CompleteHttpRule(rule, draft, header[1]);
            rule.DropReason = "ids:sid:" + rule.Sid.ToString(CultureInfo.InvariantCulture);
            return rule;
        }
        // only_stream: the reassembled stream only; no_stream: packets only (Suricata's flow options).
        rule.InspectsStream = checks.Exists(c => !c.Negated) && rule.Dsize is null && protocol is IpProtocol.Tcp or 0
            && (rule.Flow & IdsFlowMatch.NoStream) == 0;
        rule.AlsoInspectsSegments = rule.InspectsStream && (rule.Flow & IdsFlowMatch.OnlyStream) == 0
            && checks.Exists(c => (c.IsContent && (c.Offset.HasValue || c.Depth.HasValue)) || c.Bytes is { Relative: false });
        rule.NeedsCarry = rule.InspectsStream && rule.FastPatternCheck is not null && rule.Checks.Length > 1;
        rule.DropReason = "ids:sid:" + rule.Sid.ToString(CultureInfo.InvariantCulture);
        return rule;
    }

    /// <summary>
    /// Makes <paramref name="rule"/> an HTTP rule: its checks grouped per buffer, its side (request
    /// or response) from <c>flow</c> or, without one, from the buffers it uses.
    /// </summary>
    private static void CompleteHttpRule(IdsRule rule, RuleDraft draft, string protocol)
    {
        if (rule.Protocol != IpProtocol.Tcp)
        {
            throw new RuleSyntaxException($"HTTP buffers need protocol http or tcp, not '{protocol}'");
        }
        if (rule.Dsize is not null || rule.TcpFlags is not null || rule.StreamSize is not null || draft.HeaderConditions.Count > 0)
        {
            throw new RuleSyntaxException("an HTTP rule cannot use the packet keywords dsize, flags or header keywords (ttl, itype, ...)", "http-with-packet-keyword");
        }
        var buffers = draft.Checks.Select(c => c.Buffer).Concat(draft.Lengths.Keys).Where(b => b != IdsBuffer.Payload).Distinct().ToList();
        // As in Suricata, a rule inspects one direction: request buffers and response buffers
        // do not mix, and a buffer of either side (headers, raw headers) follows flow.
        bool toClient = (rule.Flow & IdsFlowMatch.ToClient) != 0;
        bool toServer = (rule.Flow & IdsFlowMatch.ToServer) != 0;
        bool usesResponse = buffers.Exists(b => IdsBuffers.Side(b) == HttpBufferSide.Response);
        bool usesRequest = buffers.Exists(b => IdsBuffers.Side(b) == HttpBufferSide.Request);
        if (usesResponse && (toServer || usesRequest))
        {
            throw new RuleSyntaxException("a to_server rule cannot inspect a response buffer (request and response buffers do not mix)");
        }
        if (usesRequest && toClient)
        {
            throw new RuleSyntaxException("a to_client rule cannot inspect a request buffer");
        }
        if (buffers.Contains(IdsBuffer.HttpHeaderRaw) && !toClient && !toServer)
        {
            throw new RuleSyntaxException("http.header.raw needs a flow direction (to_server or to_client)");
        }
        bool response = toClient || usesResponse;
        rule.IsHttp = true;
        rule.InspectsResponse = response;
        rule.BufferGroups = GroupChecks(draft, buffers);
        rule.NeedsCompleteMessage = rule.Checks.Length > 0 || buffers.Exists(IdsBuffers.IsBody);
    }

    /// <summary>
    /// Makes <paramref name="rule"/> a DNS or TLS rule: checks on the protocol's one client-side
    /// buffer (<c>dns.query</c> of each question of a DNS request, <c>tls.sni</c> of a
    /// ClientHello); no raw-payload or other buffers, no packet keywords.
    /// </summary>
    private static void CompleteSingleBufferRule(IdsRule rule, RuleDraft draft, string protocol, string bufferName, Func<IdsBuffer, bool> belongs, string[] protocols)
    {
        if (!protocols.Contains(protocol))
        {
            throw new RuleSyntaxException($"{bufferName} needs protocol {string.Join(", ", protocols)}, not '{protocol}'");
        }
        if (draft.Checks.Exists(c => !belongs(c.Buffer)) || draft.Lengths.Keys.Any(b => !belongs(b)))
        {
            throw new RuleSyntaxException($"a {protocols[0]} rule inspects {bufferName} only (no payload or other buffers)", $"{protocols[0]}-with-other-buffers");
        }
        if (rule.Dsize is not null || rule.TcpFlags is not null || draft.HeaderConditions.Count > 0)
        {
            throw new RuleSyntaxException($"a {protocols[0]} rule cannot use the packet keywords dsize, flags or header keywords (ttl, itype, ...)", $"{protocols[0]}-with-packet-keyword");
        }
        if ((rule.Flow & IdsFlowMatch.ToClient) != 0)
        {
            throw new RuleSyntaxException($"{bufferName} is sent by the client: a to_client rule never matches");
        }
        var buffers = draft.Checks.Select(c => c.Buffer).Concat(draft.Lengths.Keys).Distinct().ToList();
        rule.BufferGroups = GroupChecks(draft, buffers);
    }

    /// <summary>
    /// One group per buffer, in rule order within each. Groups without a pcre come first: every
    /// group must match, so the cheap ones decide most candidates before a regex runs.
    /// </summary>
    private static IdsBufferChecks[] GroupChecks(RuleDraft draft, List<IdsBuffer> buffers) =>
        [.. buffers.Select(buffer => new IdsBufferChecks
        {
            Buffer = buffer,
            Checks = [.. draft.Checks.Where(c => c.Buffer == buffer)],
            Length = draft.Lengths.TryGetValue(buffer, out var length) ? length : null,
            TransformArray = draft.Transforms.TryGetValue(buffer, out var transforms) ? [.. transforms] : [],
        }).OrderBy(g => g.Checks.Any(c => c.Regex is not null) ? 1 : 0)];

    /// <summary>
    /// <c>reference:system,id</c>, checked as Suricata checks it. With a reference file the rule
    /// keeps the reference as a link (the system's prefix and the id); a system the file does not
    /// name is a warning, as in Suricata, and the reference is kept as written.
    /// </summary>
    private void ApplyReference(IdsRule rule, string value)
    {
        int comma = value.IndexOf(',', StringComparison.Ordinal);
        string system = comma < 0 ? "" : value[..comma].Trim();
        string id = comma < 0 ? "" : value[(comma + 1)..].Trim().Trim('"');
        if (system.Length == 0 || id.Length == 0)
        {
            throw new RuleSyntaxException($"reference must be 'system,id', not '{value}'", "keyword:reference");
        }
        if (referenceSystems is null)
        {
            return;
        }
        string link;
        if (referenceSystems.TryGetValue(system, out var prefix))
        {
            link = prefix + id;
        }
        else
        {
            diagnostics.Warn("ids-reference-unknown", rule.Location, $"unknown reference system '{system}' (not in the reference file)");
            link = system + "," + id;
        }
        rule.References = rule.References is null ? [link] : [.. rule.References, link];
    }

    private void ApplyOption(IdsRule rule, RuleDraft draft, RuleOption option)
    {
        var checks = draft.Checks;
        if (IdsBuffers.Sticky.TryGetValue(option.Name, out var sticky))
        {
            NoValue(option);
            draft.Sticky = sticky;
            return;
        }
        if (IdsBuffers.Modifiers.TryGetValue(option.Name, out var modified))
        {
            NoValue(option);
            var content = LastContent(checks, option);
            if (draft.Sticky != IdsBuffer.Payload)
            {
                throw new RuleSyntaxException($"'{option.Name}' cannot modify a content of a sticky buffer");
            }
            content.Buffer = modified;
            return;
        }
        switch (option.Name)
        {
            case "dotprefix" or "to_lowercase" or "strip_whitespace" or "compress_whitespace":
                NoValue(option);
                if (draft.Sticky == IdsBuffer.Payload || checks.Exists(c => c.Buffer == draft.Sticky))
                {
                    throw new RuleSyntaxException($"transform '{option.Name}' must follow a sticky buffer, before its checks");
                }
                if (!draft.Transforms.TryGetValue(draft.Sticky, out var transforms))
                {
                    draft.Transforms[draft.Sticky] = transforms = [];
                }
                transforms.Add(option.Name switch
                {
                    "dotprefix" => IdsTransform.DotPrefix,
                    "to_lowercase" => IdsTransform.ToLowercase,
                    "strip_whitespace" => IdsTransform.StripWhitespace,
                    _ => IdsTransform.CompressWhitespace,
                });
                break;
            case "rawbytes":
                // Contents always see the raw payload here (no telnet or other decoding), which is what rawbytes asks for.
                NoValue(option);
                LastContent(checks, option);
                break;
            case "msg":
                rule.Msg = Unquote(option).Replace("\\\"", "\"", StringComparison.Ordinal)
                    .Replace("\\;", ";", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal);
                break;
            case "sid":
                break;
            case "rev":
                rule.Rev = ParseInt(option, 0, int.MaxValue);
                break;
            case "classtype":
                rule.Classtype = RequireValue(option);
                if (classifications is not null)
                {
                    // With a classification file, as in Suricata, a classtype must be one of its.
                    var known = classifications.TryGetValue(rule.Classtype, out var classification)
                        ? classification
                        : throw new RuleSyntaxException($"classtype '{rule.Classtype}' is not in the classification file");
                    rule.Category = known.Description;
                    rule.Priority ??= known.Priority;
                }
                break;
            case "priority":
                rule.Priority = ParseInt(option, 1, 255);
                break;
            case "metadata":
                // Informational: never changes what matches; alerts carry it.
                var metadata = rule.Metadata is null ? new Dictionary<string, string[]>(StringComparer.Ordinal) : new Dictionary<string, string[]>(rule.Metadata);
                foreach (string entry in RequireValue(option).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                {
                    int space = entry.IndexOf(' ', StringComparison.Ordinal);
                    string key = space < 0 ? entry : entry[..space];
                    string item = space < 0 ? "" : entry[(space + 1)..].Trim();
                    metadata[key] = metadata.TryGetValue(key, out var values) ? [.. values, item] : [item];
                }
                rule.Metadata = metadata;
                break;
            case "reference":
                // Informational in Suricata too: it never changes what matches (docs/ids.md).
                ApplyReference(rule, RequireValue(option));
                break;
            case "target":
                // Which side is the target, for the alert record only (Suricata's eve "target").
                if (RequireValue(option) is not ("src_ip" or "dest_ip"))
                {
                    throw new RuleSyntaxException("target must be src_ip or dest_ip");
                }
                break;
            case "content":
                checks.Add(ParseContent(option, draft.Sticky));
                break;
            case "uricontent":
                checks.Add(ParseContent(option, IdsBuffer.HttpUri));
                break;
            case "startswith":
                NoValue(option);
                var starts = LastContent(checks, option);
                if (starts.IsRelative || starts.Offset.HasValue || starts.Depth.HasValue)
                {
                    throw new RuleSyntaxException("startswith cannot be mixed with offset, depth, distance or within");
                }
                starts.Offset = 0;
                starts.Depth = starts.Pattern!.Length;
                break;
            case "endswith":
                NoValue(option);
                LastContent(checks, option).EndsWith = true;
                break;
            case "bsize":
                if (draft.Sticky == IdsBuffer.Payload)
                {
                    throw new RuleSyntaxException("bsize needs a sticky buffer before it");
                }
                draft.Lengths[draft.Sticky] = ParseRange(option);
                break;
            case "urilen":
                string value = RequireValue(option);
                int comma = value.IndexOf(',', StringComparison.Ordinal);
                var uri = comma < 0 || value[(comma + 1)..].Trim() == "norm" ? IdsBuffer.HttpUri
                    : value[(comma + 1)..].Trim() == "raw" ? IdsBuffer.HttpUriRaw
                    : throw new RuleSyntaxException("urilen takes N[,norm|raw]");
                draft.Lengths[uri] = ParseRange(option with { Value = comma < 0 ? value : value[..comma] });
                break;
            case "nocase":
                NoValue(option);
                var last = LastContent(checks, option);
                last.NoCase = true;
                last.Pattern = last.Pattern!.Select(b => b is >= (byte)'A' and <= (byte)'Z' ? (byte)(b | 0x20) : b).ToArray();
                break;
            case "fast_pattern":
                // ":only" and ":offset,length" (a part of the content) both mean this content drives
                // the prefilter; the whole content is as correct a key as any part of it.
                if (option.Value is not null && option.Value != "only"
                    && !System.Text.RegularExpressions.Regex.IsMatch(option.Value, @"^\d+\s*,\s*\d+$"))
                {
                    throw new RuleSyntaxException("fast_pattern takes no value, 'only', or OFFSET,LENGTH");
                }
                LastContent(checks, option).FastPattern = true;
                break;
            case "offset" or "depth":
                SetAbsolute(LastContent(checks, option), option);
                break;
            case "distance" or "within":
                SetRelative(LastContent(checks, option), option);
                break;
            case "pcre":
                checks.Add(ParsePcre(option, rule.Location, draft.Sticky));
                break;
            case "isdataat" or "byte_test" or "byte_jump":
                var byteCheck = ParseByteCheck(option, out bool negatedCheck);
                checks.Add(new IdsPayloadCheck { Bytes = byteCheck, Negated = negatedCheck, Buffer = draft.Sticky });
                break;
            case "flow":
                rule.Flow = ParseFlow(option);
                break;
            case "flowbits":
                if (RequireValue(option) == "noalert")
                {
                    rule.NoAlert = true;
                    break;
                }
                draft.Flowbits.Add(ParseFlowbits(option));
                break;
            case "xbits":
                draft.Xbits.Add(ParseXbits(option));
                break;
            case "noalert":
                NoValue(option);
                rule.NoAlert = true;
                break;
            case "threshold" or "detection_filter":
                if (rule.Threshold is not null)
                {
                    throw new RuleSyntaxException("a rule takes one threshold or detection_filter");
                }
                rule.Threshold = ParseThreshold(option);
                break;
            case "itype" or "icode" or "icmp_id" or "icmp_seq":
                if (rule.Protocol is not (IpProtocol.Icmp or 0))
                {
                    throw new RuleSyntaxException($"{option.Name} needs protocol icmp or ip");
                }
                draft.HeaderConditions.Add(ParseHeaderCondition(option));
                break;
            case "ttl" or "id" or "ip_proto":
                draft.HeaderConditions.Add(ParseHeaderCondition(option));
                break;
            case "stream_size":
                if (rule.Protocol is not (IpProtocol.Tcp or 0))
                {
                    throw new RuleSyntaxException("stream_size needs protocol tcp");
                }
                string[] sizeParts = RequireValue(option).Split(',', StringSplitOptions.TrimEntries);
                if (sizeParts.Length != 3)
                {
                    throw new RuleSyntaxException("stream_size takes SIDE,OP,BYTES");
                }
                rule.StreamSize = new IdsStreamSize(
                    sizeParts[0] switch
                    {
                        "client" => IdsStreamSizeSide.Client,
                        "server" => IdsStreamSizeSide.Server,
                        "both" => IdsStreamSizeSide.Both,
                        "either" => IdsStreamSizeSide.Either,
                        _ => throw new RuleSyntaxException($"stream_size side '{sizeParts[0]}' (client, server, both, either)"),
                    },
                    sizeParts[1] is "<" or ">" or "=" or "!=" or "<=" or ">=" ? sizeParts[1] : throw new RuleSyntaxException($"stream_size operator '{sizeParts[1]}'"),
                    uint.TryParse(sizeParts[2], NumberStyles.None, CultureInfo.InvariantCulture, out uint bytes) ? bytes : throw new RuleSyntaxException($"stream_size bytes '{sizeParts[2]}'"));
                break;
            case "seq" or "ack" or "window":
                if (rule.Protocol is not (IpProtocol.Tcp or 0))
                {
                    throw new RuleSyntaxException($"{option.Name} needs protocol tcp or ip");
                }
                draft.HeaderConditions.Add(ParseHeaderCondition(option));
                break;
            case "dsize":
                rule.Dsize = ParseRange(option);
                break;
            case "flags":
                if (rule.Protocol is not (IpProtocol.Tcp or 0))
                {
                    throw new RuleSyntaxException("flags needs protocol tcp");
                }
                rule.TcpFlags = ParseFlags(option);
                break;
            default:
                throw new RuleSyntaxException($"unsupported keyword '{option.Name}'", $"keyword:{option.Name}");
        }
    }

    // As in Suricata, a content modifier applies to the latest content even past a pcre or byte
    // keyword (DetectGetLastSMFromLists by type).
    private static IdsPayloadCheck LastContent(List<IdsPayloadCheck> checks, RuleOption option) =>
        checks.FindLast(c => c.IsContent) ?? throw new RuleSyntaxException($"'{option.Name}' needs a preceding content");

    private static void SetAbsolute(IdsPayloadCheck content, RuleOption option)
    {
        if (content.Distance.HasValue || content.Within.HasValue)
        {
            throw new RuleSyntaxException($"'{option.Name}' cannot be mixed with distance/within on one content");
        }
        int value = ParseInt(option, option.Name == "depth" ? 1 : 0, 65535);
        if (option.Name == "depth")
        {
            if (value < content.Pattern!.Length)
            {
                throw new RuleSyntaxException($"depth {value} is shorter than the content ({content.Pattern.Length} bytes)");
            }
            content.Depth = value;
        }
        else
        {
            content.Offset = value;
        }
    }

    private static void SetRelative(IdsPayloadCheck content, RuleOption option)
    {
        if (content.Offset.HasValue || content.Depth.HasValue)
        {
            throw new RuleSyntaxException($"'{option.Name}' cannot be mixed with offset/depth on one content");
        }
        if (option.Name == "within")
        {
            int value = ParseInt(option, 1, 65535);
            if (value < content.Pattern!.Length)
            {
                throw new RuleSyntaxException($"within {value} is shorter than the content ({content.Pattern.Length} bytes)");
            }
            content.Within = value;
        }
        else
        {
            content.Distance = ParseInt(option, -65535, 65535);
        }
    }

    private static IdsPayloadCheck ParseContent(RuleOption option, IdsBuffer buffer)
    {
        string value = RequireValue(option);
        bool negated = value.StartsWith('!');
        if (negated)
        {
            value = value[1..].TrimStart();
        }
        if (value.Length < 2 || value[0] != '"' || value[^1] != '"')
        {
            throw new RuleSyntaxException("content must be a quoted string");
        }
        var bytes = new List<byte>();
        bool hex = false;
        int hexDigit = -1;
        for (int i = 1; i < value.Length - 1; i++)
        {
            char c = value[i];
            if (c == '|')
            {
                if (hex && hexDigit >= 0)
                {
                    throw new RuleSyntaxException("odd number of hex digits in content");
                }
                hex = !hex;
                continue;
            }
            if (hex)
            {
                if (c == ' ')
                {
                    continue;
                }
                int digit = HexValue(c);
                if (digit < 0)
                {
                    throw new RuleSyntaxException($"bad hex character '{c}' in content");
                }
                if (hexDigit < 0)
                {
                    hexDigit = digit;
                }
                else
                {
                    bytes.Add((byte)((hexDigit << 4) | digit));
                    hexDigit = -1;
                }
                continue;
            }
            if (c == '\\')
            {
                if (i + 1 >= value.Length - 1 || value[i + 1] is not ('"' or ';' or '\\' or ':'))
                {
                    throw new RuleSyntaxException("content allows only the escapes \\\" \\; \\: \\\\");
                }
                c = value[++i];
            }
            else if (c == '"' || c == ';')
            {
                throw new RuleSyntaxException($"unescaped '{c}' in content");
            }
            if (c > 0xFF)
            {
                throw new RuleSyntaxException("content has a non-Latin-1 character; use |hex|");
            }
            bytes.Add((byte)c);
        }
        if (hex)
        {
            throw new RuleSyntaxException("unterminated |hex| in content");
        }
        if (bytes.Count == 0)
        {
            throw new RuleSyntaxException("empty content");
        }
        return new IdsPayloadCheck { Pattern = [.. bytes], Negated = negated, Buffer = buffer };
    }

    private IdsPayloadCheck ParsePcre(RuleOption option, string where, IdsBuffer buffer)
    {
        string value = RequireValue(option);
        bool negated = value.StartsWith('!');
        if (negated)
        {
            value = value[1..].TrimStart();
        }
        if (value.Length < 2 || value[0] != '"' || value[^1] != '"')
        {
            throw new RuleSyntaxException("pcre must be a quoted string");
        }
        value = value[1..^1].Replace("\\\"", "\"", StringComparison.Ordinal).Replace("\\;", ";", StringComparison.Ordinal);
        int last = value.LastIndexOf('/');
        if (value.Length < 2 || value[0] != '/' || last == 0)
        {
            throw new RuleSyntaxException("pcre must look like \"/pattern/flags\"");
        }
        string pattern = PcreSyntax.ToDotNet(value[1..last]);
        var regexOptions = RegexOptions.CultureInvariant | RegexOptions.Compiled;
        bool relative = false;
        foreach (char flag in value[(last + 1)..])
        {
            switch (flag)
            {
                case 'i': regexOptions |= RegexOptions.IgnoreCase; break;
                case 's': regexOptions |= RegexOptions.Singleline; break;
                case 'm': regexOptions |= RegexOptions.Multiline; break;
                case 'x': regexOptions |= RegexOptions.IgnorePatternWhitespace; break;
                case 'R': relative = true; break;
                // B (raw bytes: the payload is never decoded here) and O (PCRE match-limit override) change nothing.
                case 'B' or 'O': break;
                default:
                    if (IdsBuffers.FromPcreFlag(flag) is not { } flagged)
                    {
                        throw new RuleSyntaxException($"unsupported pcre modifier '{flag}'", $"pcre-modifier:{flag}");
                    }
                    if (buffer != IdsBuffer.Payload && buffer != flagged)
                    {
                        throw new RuleSyntaxException($"pcre modifier '{flag}' contradicts the sticky buffer before it");
                    }
                    buffer = flagged;
                    break;
            }
        }
        // PCRE's '$' matches only at the very end unless /m; .NET's also before a final \n, as PCRE does without D.
        try
        {
            var regex = new Regex(pattern, regexOptions, pcreTimeout);
            if (linearRegex)
            {
                try
                {
                    regex = new Regex(pattern, regexOptions | RegexOptions.NonBacktracking, pcreTimeout);
                }
                catch (NotSupportedException e)
                {
                    diagnostics.Warn("ids-pcre-backtracking", where, $"pcre runs with backtracking: {e.Message}");
                }
            }
            return new IdsPayloadCheck { Regex = regex, RegexRelative = relative, Negated = negated, Buffer = buffer };
        }
        catch (ArgumentException e)
        {
            throw new RuleSyntaxException($"bad pcre: {e.Message}");
        }
    }

    private static IdsFlowMatch ParseFlow(RuleOption option)
    {
        var flow = IdsFlowMatch.None;
        foreach (string part in RequireValue(option).Split(','))
        {
            flow |= part.Trim() switch
            {
                "to_server" or "from_client" => IdsFlowMatch.ToServer,
                "to_client" or "from_server" => IdsFlowMatch.ToClient,
                "established" => IdsFlowMatch.Established,
                "not_established" => IdsFlowMatch.NotEstablished,
                "stateless" => IdsFlowMatch.None,
                "only_stream" => IdsFlowMatch.OnlyStream,
                "no_stream" => IdsFlowMatch.NoStream,
                var other => throw new RuleSyntaxException($"unsupported flow option '{other}'", $"flow:{other}"),
            };
        }
        if ((flow & (IdsFlowMatch.ToServer | IdsFlowMatch.ToClient)) == (IdsFlowMatch.ToServer | IdsFlowMatch.ToClient)
            || (flow & (IdsFlowMatch.Established | IdsFlowMatch.NotEstablished)) == (IdsFlowMatch.Established | IdsFlowMatch.NotEstablished)
            || (flow & (IdsFlowMatch.OnlyStream | IdsFlowMatch.NoStream)) == (IdsFlowMatch.OnlyStream | IdsFlowMatch.NoStream))
        {
            throw new RuleSyntaxException("contradictory flow options");
        }
        return flow;
    }

    /// <summary>
    /// <c>flowbits:set|unset|toggle,NAME</c>, <c>flowbits:isset|isnotset,NAME[|NAME…]</c> (any) or
    /// <c>NAME[&amp;NAME…]</c> (all). Names get bit indices shared by the whole rule set.
    /// </summary>
    private IdsFlowbits ParseFlowbits(RuleOption option)
    {
        string value = RequireValue(option);
        int comma = value.IndexOf(',', StringComparison.Ordinal);
        if (comma < 0)
        {
            throw new RuleSyntaxException($"flowbits '{value}' needs COMMAND,NAME (or noalert)");
        }
        var command = value[..comma].Trim() switch
        {
            "set" => IdsFlowbitsCommand.Set,
            "unset" => IdsFlowbitsCommand.Unset,
            "toggle" => IdsFlowbitsCommand.Toggle,
            "isset" => IdsFlowbitsCommand.IsSet,
            "isnotset" => IdsFlowbitsCommand.IsNotSet,
            var other => throw new RuleSyntaxException($"unknown flowbits command '{other}'"),
        };
        string names = value[(comma + 1)..].Trim();
        bool any = names.Contains('|', StringComparison.Ordinal);
        if (any && names.Contains('&', StringComparison.Ordinal))
        {
            throw new RuleSyntaxException("flowbits cannot mix '|' and '&'");
        }
        string[] parts = names.Split(any ? '|' : '&', StringSplitOptions.TrimEntries);
        if (parts.Length > 1 && command is not (IdsFlowbitsCommand.IsSet or IdsFlowbitsCommand.IsNotSet))
        {
            throw new RuleSyntaxException($"flowbits {value[..comma].Trim()} takes one name");
        }
        var bits = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (parts[i].Length == 0 || parts[i].Any(c => char.IsWhiteSpace(c) || c == ','))
            {
                throw new RuleSyntaxException($"bad flowbit name '{parts[i]}'");
            }
            if (!_flowbitNames.TryGetValue(parts[i], out bits[i]))
            {
                bits[i] = _flowbitNames.Count;
                _flowbitNames[parts[i]] = bits[i];
            }
        }
        return new IdsFlowbits(command, bits, any, value);
    }

    /// <summary>
    /// <c>xbits:set|unset|toggle|isset|isnotset,NAME,track ip_src|ip_dst|ip_pair[,expire SECONDS]</c>
    /// (expire defaults to 30 s, as in Suricata).
    /// </summary>
    private IdsXbits ParseXbits(RuleOption option)
    {
        string[] parts = RequireValue(option).Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length is < 3 or > 4)
        {
            throw new RuleSyntaxException("xbits takes COMMAND,NAME,track TRACK[,expire SECONDS]");
        }
        var command = parts[0] switch
        {
            "set" => IdsFlowbitsCommand.Set,
            "unset" => IdsFlowbitsCommand.Unset,
            "toggle" => IdsFlowbitsCommand.Toggle,
            "isset" => IdsFlowbitsCommand.IsSet,
            "isnotset" => IdsFlowbitsCommand.IsNotSet,
            var other => throw new RuleSyntaxException($"unknown xbits command '{other}'"),
        };
        if (parts[1].Length == 0 || parts[1].Any(char.IsWhiteSpace))
        {
            throw new RuleSyntaxException($"bad xbits name '{parts[1]}'");
        }
        string[] track = parts[2].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var tracked = track.Length == 2 && track[0] == "track"
            ? track[1] switch
            {
                "ip_src" => IdsXbitsTrack.Source,
                "ip_dst" => IdsXbitsTrack.Destination,
                "ip_pair" => IdsXbitsTrack.Pair,
                _ => throw new RuleSyntaxException($"unsupported xbits track '{track[1]}'", $"xbits:track-{track[1]}"),
            }
            : throw new RuleSyntaxException($"xbits '{parts[2]}' is not 'track ip_src|ip_dst|ip_pair'");
        int expire = 30;
        if (parts.Length == 4)
        {
            string[] words = parts[3].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            expire = words.Length == 2 && words[0] == "expire" && int.TryParse(words[1], NumberStyles.None, CultureInfo.InvariantCulture, out int e) && e >= 1
                ? e
                : throw new RuleSyntaxException($"xbits '{parts[3]}' is not 'expire SECONDS'");
        }
        // Names are per track, as Suricata keeps host and ippair bits apart.
        string key = $"{tracked}:{parts[1]}";
        if (!_xbitNames.TryGetValue(key, out int bit))
        {
            bit = _xbitNames.Count;
            _xbitNames[key] = bit;
        }
        return new IdsXbits(command, bit, tracked, expire, RequireValue(option));
    }

    /// <summary>
    /// <c>threshold: type limit|threshold|both, track by_src|by_dst|by_rule|by_both, count N, seconds T</c>;
    /// <c>detection_filter: track …, count N, seconds T</c>. Parts in any order.
    /// </summary>
    private static IdsThreshold ParseThreshold(RuleOption option)
    {
        bool filter = option.Name == "detection_filter";
        IdsThresholdType? type = filter ? IdsThresholdType.DetectionFilter : null;
        IdsThresholdTrack? track = null;
        int? count = null, seconds = null;
        foreach (string part in RequireValue(option).Split(','))
        {
            string[] words = part.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Length != 2)
            {
                throw new RuleSyntaxException($"{option.Name} part '{part.Trim()}' is not 'name value'");
            }
            switch (words[0])
            {
                case "type" when !filter:
                    type = words[1] switch
                    {
                        "limit" => IdsThresholdType.Limit,
                        "threshold" => IdsThresholdType.Threshold,
                        "both" => IdsThresholdType.Both,
                        _ => throw new RuleSyntaxException($"threshold type '{words[1]}' (limit, threshold or both)"),
                    };
                    break;
                case "track":
                    track = words[1] switch
                    {
                        "by_src" => IdsThresholdTrack.BySource,
                        "by_dst" => IdsThresholdTrack.ByDestination,
                        "by_rule" => IdsThresholdTrack.ByRule,
                        "by_both" => IdsThresholdTrack.ByBoth,
                        _ => throw new RuleSyntaxException($"unsupported {option.Name} track '{words[1]}'", $"{option.Name}:track-{words[1]}"),
                    };
                    break;
                case "count":
                    count = int.TryParse(words[1], NumberStyles.None, CultureInfo.InvariantCulture, out int c) && c >= (filter ? 0 : 1) ? c
                        : throw new RuleSyntaxException($"{option.Name} count '{words[1]}' is not a positive integer");
                    break;
                case "seconds":
                    seconds = int.TryParse(words[1], NumberStyles.None, CultureInfo.InvariantCulture, out int t) && t >= 1 && t <= 31_536_000 ? t
                        : throw new RuleSyntaxException($"{option.Name} seconds '{words[1]}' must be 1 to 31536000");
                    break;
                default:
                    throw new RuleSyntaxException($"unknown {option.Name} part '{words[0]}'");
            }
        }
        return type is { } y && track is { } k && count is { } n && seconds is { } s
            ? new IdsThreshold(y, k, n, s)
            : throw new RuleSyntaxException($"{option.Name} needs {(filter ? "" : "type, ")}track, count and seconds");
    }

    /// <summary>
    /// <c>isdataat:[!]N[,relative][,rawbytes]</c>;
    /// <c>byte_test:COUNT,[!]OP,VALUE,OFFSET[,relative][,big|little][,string,dec|hex|oct][,bitmask M]</c>;
    /// <c>byte_jump:COUNT,OFFSET[,relative][,multiplier N][,big|little][,string,BASE][,align][,from_beginning|from_end][,post_offset N][,bitmask M]</c>.
    /// </summary>
    private static IdsByteCheck ParseByteCheck(RuleOption option, out bool negated)
    {
        negated = false;
        string[] parts = RequireValue(option).Split(',').Select(p => p.Trim()).ToArray();
        int index;
        var kind = option.Name switch
        {
            "isdataat" => IdsByteCheckKind.IsDataAt,
            "byte_test" => IdsByteCheckKind.ByteTest,
            _ => IdsByteCheckKind.ByteJump,
        };
        int count = 0, offset;
        string op = "=";
        bool negateOp = false;
        ulong value = 0;
        if (kind == IdsByteCheckKind.IsDataAt)
        {
            string at = parts[0];
            negated = at.StartsWith('!');
            offset = Int(negated ? at[1..] : at, 0, 65535, "position");
            index = 1;
        }
        else
        {
            int fixedParts = kind == IdsByteCheckKind.ByteTest ? 4 : 2;
            if (parts.Length < fixedParts)
            {
                throw new RuleSyntaxException($"{option.Name} needs {(kind == IdsByteCheckKind.ByteTest ? "COUNT,OP,VALUE,OFFSET" : "COUNT,OFFSET")}");
            }
            count = parts[0] == "0"
                ? throw new RuleSyntaxException($"{option.Name} with 0 bytes (read to the end of the buffer) is not supported", $"{option.Name}:zero-bytes")
                : Int(parts[0], 1, 20, "byte count");
            if (kind == IdsByteCheckKind.ByteTest)
            {
                op = parts[1].Replace(" ", "", StringComparison.Ordinal);
                if (op == "!=")
                {
                    op = "=";
                    negateOp = true;
                }
                else if (op.StartsWith('!'))
                {
                    op = op[1..];
                    negateOp = true;
                }
                if (op is not ("<" or ">" or "=" or "<=" or ">=" or "&" or "^"))
                {
                    throw new RuleSyntaxException($"byte_test operator '{parts[1]}' (< > = <= >= & ^, optionally negated with !)");
                }
                value = parts[2].StartsWith("0x", StringComparison.OrdinalIgnoreCase)
                    ? (ulong.TryParse(parts[2][2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong hex) ? hex : throw new RuleSyntaxException($"byte_test value '{parts[2]}'"))
                    : ulong.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out ulong dec) ? dec
                    : throw new RuleSyntaxException($"byte_test value '{parts[2]}' is not a number (byte_extract variables are not supported)", "byte_test:variable");
                offset = Int(parts[3], -65535, 65535, "offset");
                index = 4;
            }
            else
            {
                offset = Int(parts[1], -65535, 65535, "offset");
                index = 2;
            }
        }
        bool relative = false, little = false, align = false, fromBeginning = false, fromEnd = false, isString = false;
        int stringBase = 0, multiplier = 1, postOffset = 0;
        ulong? bitmask = null;
        for (; index < parts.Length; index++)
        {
            string[] words = parts[index].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            switch (words.Length == 0 ? "" : words[0])
            {
                case "relative": relative = true; break;
                case "rawbytes": break;
                case "big": little = false; break;
                case "little": little = true; break;
                case "string" when kind != IdsByteCheckKind.IsDataAt: isString = true; stringBase = 10; break;
                case "dec" when isString: stringBase = 10; break;
                case "hex" when isString: stringBase = 16; break;
                case "oct" when isString: stringBase = 8; break;
                case "align" when kind == IdsByteCheckKind.ByteJump: align = true; break;
                case "from_beginning" when kind == IdsByteCheckKind.ByteJump: fromBeginning = true; break;
                case "from_end" when kind == IdsByteCheckKind.ByteJump: fromEnd = true; break;
                case "multiplier" when kind == IdsByteCheckKind.ByteJump && words.Length == 2:
                    multiplier = Int(words[1], 1, 65535, "multiplier");
                    break;
                case "post_offset" when kind == IdsByteCheckKind.ByteJump && words.Length == 2:
                    postOffset = Int(words[1], -65535, 65535, "post_offset");
                    break;
                case "bitmask" when kind != IdsByteCheckKind.IsDataAt && words.Length == 2:
                    bitmask = words[1].StartsWith("0x", StringComparison.OrdinalIgnoreCase)
                        && ulong.TryParse(words[1][2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong mask)
                        ? mask : throw new RuleSyntaxException($"{option.Name} bitmask '{words[1]}' must be hex (0x..)");
                    break;
                case "dce":
                    throw new RuleSyntaxException($"{option.Name} dce needs DCE/RPC parsing", $"{option.Name}:dce");
                default:
                    throw new RuleSyntaxException($"unknown {option.Name} option '{parts[index]}'");
            }
        }
        if (kind != IdsByteCheckKind.IsDataAt && !isString && count is not (1 or 2 or 3 or 4 or 5 or 6 or 7 or 8))
        {
            throw new RuleSyntaxException($"{option.Name} reads 1 to 8 bytes unless 'string'");
        }
        if (!relative && offset < 0)
        {
            throw new RuleSyntaxException($"{option.Name} offset is negative without relative");
        }
        return new IdsByteCheck
        {
            Kind = kind,
            Offset = offset,
            Relative = relative,
            Count = count,
            LittleEndian = little,
            StringBase = stringBase,
            Bitmask = bitmask,
            Operator = op,
            NegateOperator = negateOp,
            Value = value,
            Multiplier = multiplier,
            PostOffset = postOffset,
            Align = align,
            FromBeginning = fromBeginning,
            FromEnd = fromEnd,
        };

        int Int(string text, int min, int max, string what) =>
            int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int n) && n >= min && n <= max
                ? n
                : throw new RuleSyntaxException($"{option.Name} {what} '{text}' must be {min} to {max}");
    }

    private static readonly Dictionary<string, int> ProtocolNumbers = new(StringComparer.OrdinalIgnoreCase)
    {
        ["icmp"] = 1, ["igmp"] = 2, ["tcp"] = 6, ["udp"] = 17, ["ipv6"] = 41, ["gre"] = 47, ["esp"] = 50, ["ah"] = 51,
        ["ipv6-icmp"] = 58, ["icmpv6"] = 58, ["sctp"] = 132,
    };

    /// <summary>
    /// A header keyword's value, Suricata's integer syntax: <c>N</c>, <c>=N</c>, <c>!N</c>,
    /// <c>&lt;N</c>, <c>&gt;N</c>, <c>&lt;=N</c>, <c>&gt;=N</c>, <c>A-B</c> or <c>A&lt;&gt;B</c>
    /// (exclusive); <c>ip_proto</c> also takes a protocol name.
    /// </summary>
    private static IdsHeaderCondition ParseHeaderCondition(RuleOption option)
    {
        var (field, max) = option.Name switch
        {
            "itype" => (IdsHeaderField.IcmpType, 255L),
            "icode" => (IdsHeaderField.IcmpCode, 255L),
            "icmp_id" => (IdsHeaderField.IcmpId, 65535L),
            "icmp_seq" => (IdsHeaderField.IcmpSeq, 65535L),
            "ip_proto" => (IdsHeaderField.IpProto, 255L),
            "ttl" => (IdsHeaderField.Ttl, 255L),
            "id" => (IdsHeaderField.IpId, 65535L),
            "seq" => (IdsHeaderField.TcpSeq, uint.MaxValue),
            "ack" => (IdsHeaderField.TcpAck, uint.MaxValue),
            _ => (IdsHeaderField.TcpWindow, 65535L),
        };
        string value = RequireValue(option).Replace(" ", "", StringComparison.Ordinal);
        long Number(string text) =>
            long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long n) && n <= max ? n
            : field == IdsHeaderField.IpProto && ProtocolNumbers.TryGetValue(text, out int p) ? p
            : throw new RuleSyntaxException($"bad {option.Name} value '{text}' (0 to {max})");
        IdsHeaderCondition Range(long low, long high) =>
            low <= high ? new IdsHeaderCondition(field, low, high, false) : throw new RuleSyntaxException($"{option.Name} '{value}' matches nothing");
        if (value.StartsWith("<=", StringComparison.Ordinal))
        {
            return Range(0, Number(value[2..]));
        }
        if (value.StartsWith(">=", StringComparison.Ordinal))
        {
            return Range(Number(value[2..]), max);
        }
        if (value.StartsWith('<') && !value.StartsWith("<>", StringComparison.Ordinal))
        {
            return Range(0, Number(value[1..]) - 1);
        }
        if (value.StartsWith('>'))
        {
            return Range(Number(value[1..]) + 1, max);
        }
        if (value.StartsWith('!'))
        {
            long n = Number(value[1..]);
            return new IdsHeaderCondition(field, n, n, true);
        }
        int between = value.IndexOf("<>", StringComparison.Ordinal);
        int dash = value.IndexOf('-', 1);
        if (between > 0 || dash > 0)
        {
            int split = between > 0 ? between : dash;
            return Range(Number(value[..split]) + 1, Number(value[(split + (between > 0 ? 2 : 1))..]) - 1);
        }
        long exact = Number(value.StartsWith('=') ? value[1..] : value);
        return Range(exact, exact);
    }

    /// <summary>dsize, bsize and urilen values: <c>N</c>, <c>=N</c>, <c>&lt;N</c>, <c>&gt;N</c>, <c>N&lt;&gt;M</c> (exclusive).</summary>
    private static (int Min, int Max) ParseRange(RuleOption option)
    {
        string value = RequireValue(option).Replace(" ", "", StringComparison.Ordinal);
        int between = value.IndexOf("<>", StringComparison.Ordinal);
        if (between > 0)
        {
            int low = Number(value[..between]), high = Number(value[(between + 2)..]);
            if (high <= low + 1)
            {
                throw new RuleSyntaxException($"{option.Name} range is empty (bounds are exclusive)");
            }
            return (low + 1, high - 1);
        }
        if (value.StartsWith('<'))
        {
            int bound = Number(value[1..]);
            return bound == 0 ? throw new RuleSyntaxException($"{option.Name} <0 never matches") : (0, bound - 1);
        }
        if (value.StartsWith('>'))
        {
            return (Number(value[1..]) + 1, int.MaxValue);
        }
        int exact = Number(value.StartsWith('=') ? value[1..] : value);
        return (exact, exact);

        int Number(string text) =>
            int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n <= (option.Name == "dsize" ? 65535 : int.MaxValue - 1)
                ? n
                : throw new RuleSyntaxException($"bad {option.Name} number '{text}'");
    }

    private static IdsTcpFlagsCondition ParseFlags(RuleOption option)
    {
        string value = RequireValue(option);
        string[] parts = value.Split(',');
        if (parts.Length > 2)
        {
            throw new RuleSyntaxException("flags takes FLAGS[,IGNORED]");
        }
        char modifier = '\0';
        var flags = TcpFlags.None;
        bool sawZero = false, sawFlag = false;
        foreach (char c in parts[0].Trim())
        {
            if (c is '+' or '*' or '!')
            {
                if (modifier != '\0')
                {
                    throw new RuleSyntaxException("flags takes one modifier");
                }
                modifier = c;
                continue;
            }
            if (c == '0')
            {
                sawZero = true;
                continue;
            }
            flags |= Flag(c);
            sawFlag = true;
        }
        if (sawZero && sawFlag)
        {
            throw new RuleSyntaxException("flags '0' cannot be combined with other flags");
        }
        if (!sawZero && !sawFlag)
        {
            throw new RuleSyntaxException("flags needs at least one flag");
        }
        var ignored = TcpFlags.None;
        if (parts.Length == 2)
        {
            foreach (char c in parts[1].Trim())
            {
                ignored |= Flag(c);
            }
        }
        return new IdsTcpFlagsCondition(flags, modifier, ignored);

        static TcpFlags Flag(char c) => c switch
        {
            'F' => TcpFlags.Fin,
            'S' => TcpFlags.Syn,
            'R' => TcpFlags.Rst,
            'P' => TcpFlags.Psh,
            'A' => TcpFlags.Ack,
            'U' => TcpFlags.Urg,
            'C' or '1' => TcpFlags.Cwr,
            'E' or '2' => TcpFlags.Ece,
            _ => throw new RuleSyntaxException($"unknown TCP flag '{c}'"),
        };
    }

    private AddressSet Addresses(string text)
    {
        AddressSet result;
        try
        {
            result = _expressions.ParseAddresses(text);
        }
        catch (FormatException e)
        {
            throw new RuleSyntaxException($"bad address '{text}': {e.Message}");
        }
        return result.IsEmpty ? throw new RuleSyntaxException($"address '{text}' matches nothing") : result;
    }

    private PortSet Ports(string text)
    {
        PortSet result;
        try
        {
            result = _expressions.ParsePorts(text);
        }
        catch (FormatException e)
        {
            throw new RuleSyntaxException($"bad port '{text}': {e.Message}");
        }
        return result.IsEmpty ? throw new RuleSyntaxException($"port '{text}' matches nothing") : result;
    }

    /// <summary>Splits the header at whitespace outside brackets (lists may contain spaces).</summary>
    private static List<string> SplitHeader(string header)
    {
        var fields = new List<string>();
        var current = new StringBuilder();
        int level = 0;
        foreach (char c in header)
        {
            if (c == '[')
            {
                level++;
            }
            else if (c == ']')
            {
                level--;
            }
            if (char.IsWhiteSpace(c) && level == 0)
            {
                if (current.Length > 0)
                {
                    fields.Add(current.ToString());
                    current.Clear();
                }
                continue;
            }
            current.Append(c);
        }
        if (current.Length > 0)
        {
            fields.Add(current.ToString());
        }
        return fields;
    }

    /// <summary>Splits <c>name:value; name;</c> at every semicolon not escaped as <c>\;</c>.</summary>
    private static List<RuleOption> SplitOptions(string body)
    {
        // As in Suricata, quotes do not protect ';': inside a value it must be written '\;'.
        var options = new List<RuleOption>();
        var current = new StringBuilder();
        for (int i = 0; i < body.Length; i++)
        {
            char c = body[i];
            if (c == '\\' && i + 1 < body.Length)
            {
                current.Append(c).Append(body[++i]);
                continue;
            }
            if (c == ';')
            {
                options.Add(Option(current.ToString()));
                current.Clear();
                continue;
            }
            current.Append(c);
        }
        if (current.ToString().Trim().Length > 0)
        {
            throw new RuleSyntaxException($"option '{current.ToString().Trim()}' is not terminated by ';'");
        }
        return options;

        static RuleOption Option(string text)
        {
            text = text.Trim();
            int colon = text.IndexOf(':', StringComparison.Ordinal);
            string name = (colon < 0 ? text : text[..colon]).Trim();
            if (name.Length == 0)
            {
                throw new RuleSyntaxException("empty option");
            }
            return new RuleOption(name, colon < 0 ? null : text[(colon + 1)..].Trim());
        }
    }

    private static string Unquote(RuleOption option)
    {
        string value = RequireValue(option);
        return value.Length >= 2 && value[0] == '"' && value[^1] == '"' ? value[1..^1] : value;
    }

    private static string RequireValue(RuleOption option) =>
        string.IsNullOrEmpty(option.Value) ? throw new RuleSyntaxException($"'{option.Name}' needs a value") : option.Value;

    private static void NoValue(RuleOption option)
    {
        if (option.Value is not null)
        {
            throw new RuleSyntaxException($"'{option.Name}' takes no value");
        }
    }

    private static int ParseInt(RuleOption option, int min, int max) =>
        int.TryParse(RequireValue(option), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value) && value >= min && value <= max
            ? value
            : throw new RuleSyntaxException($"'{option.Name}' must be an integer from {min} to {max}");

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };

    private sealed record RuleOption(string Name, string? Value);

    /// <summary>What the options of one rule have built so far.</summary>
    private sealed class RuleDraft
    {
        public List<IdsPayloadCheck> Checks { get; } = [];

        /// <summary>The sticky buffer later contents and pcres inspect; Payload before any.</summary>
        public IdsBuffer Sticky { get; set; }

        /// <summary>bsize / urilen conditions by buffer.</summary>
        public Dictionary<IdsBuffer, (int Min, int Max)> Lengths { get; } = [];

        public List<IdsHeaderCondition> HeaderConditions { get; } = [];

        public List<IdsFlowbits> Flowbits { get; } = [];

        public List<IdsXbits> Xbits { get; } = [];

        /// <summary>Transforms by sticky buffer.</summary>
        public Dictionary<IdsBuffer, List<IdsTransform>> Transforms { get; } = [];
    }
}
