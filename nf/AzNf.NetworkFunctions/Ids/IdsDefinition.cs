using AzNf.NetworkFunctions.Chain;

namespace AzNf.NetworkFunctions.Ids;

/// <summary>
/// The IDS stage, configured once: rules parsed and compiled (address/port sets, regexes), sorted
/// into evaluation order and indexed by a multi-pattern prefilter. Immutable and shared
/// read-only by every partition's <see cref="IntrusionDetector"/>.
/// </summary>
/// <remarks>
/// Config (<c>config</c> in the chain stage): see <see cref="IdsOptions"/>. Rejected rules are
/// reported as <c>ids-rule-rejected</c> warnings with <c>file:line</c>.
/// </remarks>
public sealed class IdsDefinition : INetworkFunctionDefinition
{
    private IdsDefinition(string name, IReadOnlyList<IdsRule> rules, RuleRejections rejections, IdsOptions options, int flowbitNames)
    {
        Name = name;
        // Suricata's default action-order: pass, then drop, then alert; within each, rules that
        // set flowbits before rules that read them (so a bit set by one packet's match is seen by
        // the rules after it), then file order.
        RuleArray = [.. rules.OrderBy(r => r.Action).ThenBy(r => r.FlowbitsRank)];
        FlowbitNames = flowbitNames;
        SegmentPayloadRulesExist = Array.Exists(RuleArray, r => !r.IsAppLayer && r.Checks.Length > 0 && (!r.InspectsStream || r.AlsoInspectsSegments));
        Rejections = rejections;
        Options = options;
        var patterns = new List<(byte[] Pattern, int Rule)>();
        var always = new List<int>();
        var streamAlways = new List<int>();
        for (int i = 0; i < RuleArray.Length; i++)
        {
            if (RuleArray[i].IsAppLayer)
            {
                continue;
            }
            var fast = RuleArray[i].FastPatternCheck;
            if (fast is null)
            {
                always.Add(i);
                if (RuleArray[i].InspectsStream)
                {
                    streamAlways.Add(i);
                }
            }
            else
            {
                patterns.Add((fast.Pattern!, i));
            }
        }
        Prefilter = new PortGroupedPrefilter(RuleArray, patterns);
        // A segment that joins the stream is inspected alone only by rules that look at segments
        // (IntrusionDetector.Process): their patterns only, rather than every byte scanned twice.
        SegmentPrefilter = Prefilter.Subset(InspectsSegments);
        LongestFastPattern = patterns.Count == 0 ? 1 : patterns.Max(p => p.Pattern.Length);
        HeaderOnlyCandidates = [.. always];
        StreamCandidatesWithoutPattern = [.. streamAlways];
        // Each moment is matched with its own message only (IntrusionDetector.AppLayerTransactions),
        // so file.data there is that message's body.
        RequestHeadRules = new AppLayerRuleSet(RuleArray, r => r.IsHttp && !r.InspectsResponse && !r.NeedsCompleteMessage, IdsBuffer.HttpRequestBody);
        RequestCompleteRules = new AppLayerRuleSet(RuleArray, r => r.IsHttp && !r.InspectsResponse && r.NeedsCompleteMessage, IdsBuffer.HttpRequestBody);
        ResponseHeadRules = new AppLayerRuleSet(RuleArray, r => r.IsHttp && r.InspectsResponse && !r.NeedsCompleteMessage, IdsBuffer.HttpResponseBody);
        ResponseCompleteRules = new AppLayerRuleSet(RuleArray, r => r.IsHttp && r.InspectsResponse && r.NeedsCompleteMessage, IdsBuffer.HttpResponseBody);
        HasHttpRules = Array.Exists(RuleArray, r => r.IsHttp);
        HasRejectRules = Array.Exists(RuleArray, r => r.Action == IdsRuleAction.Reject);
        DnsRules = new AppLayerRuleSet(RuleArray, r => r.IsDns);
        TlsRules = new AppLayerRuleSet(RuleArray, r => r.IsTls);
        Xbits = new XbitsTable(options.XbitsEntries);
        Thresholds = new ThresholdTable(options.ThresholdEntries)
        {
            MaxWindowNanos = 1_000_000_000L * RuleArray.Select(r => r.Threshold?.Seconds ?? 1).DefaultIfEmpty(1).Max(),
        };
    }

    /// <summary>
    /// The one mutable part of a definition: the threshold counters, shared by all partitions of
    /// the stage so a tracked address is counted across them (see <see cref="ThresholdTable"/>).
    /// </summary>
    internal ThresholdTable Thresholds { get; }

    /// <summary>The xbits of hosts and host pairs, shared by all partitions like <see cref="Thresholds"/>.</summary>
    internal XbitsTable Xbits { get; }

    /// <summary>Distinct flowbit names: the bits each flow may carry.</summary>
    internal int FlowbitNames { get; }

    /// <summary>True when some rule inspects HTTP, so TCP flows get the HTTP app layer.</summary>
    internal bool HasHttpRules { get; }

    internal bool HasRejectRules { get; }

    /// <summary>HTTP rules matched once a request's head is complete.</summary>
    internal AppLayerRuleSet RequestHeadRules { get; }

    /// <summary>HTTP rules matched once a request is complete (body, raw message).</summary>
    internal AppLayerRuleSet RequestCompleteRules { get; }

    internal AppLayerRuleSet ResponseHeadRules { get; }

    internal AppLayerRuleSet ResponseCompleteRules { get; }

    /// <summary>DNS rules, matched on each question of each DNS request.</summary>
    internal AppLayerRuleSet DnsRules { get; }

    /// <summary>TLS rules, matched on each ClientHello.</summary>
    internal AppLayerRuleSet TlsRules { get; }

    public string Name { get; }

    public string Kind => "ids";

    /// <summary><c>rules:loaded</c>, <c>rules:rejected</c> and <c>rules:rejected:REASON</c> for each reason.</summary>
    public IReadOnlyDictionary<string, long> Counters
    {
        get
        {
            var counters = new Dictionary<string, long>
            {
                ["rules:loaded"] = RulesLoaded,
                ["rules:rejected"] = RulesRejected,
            };
            foreach (var rejection in Rejections.ByReason)
            {
                counters["rules:rejected:" + rejection.Reason] = rejection.Count;
            }
            return counters;
        }
    }

    /// <summary>The loaded rules in evaluation order (pass, drop, alert; then file order).</summary>
    public IReadOnlyList<IdsRule> Rules => RuleArray;

    /// <summary>The rules as an array, for the hot path.</summary>
    internal IdsRule[] RuleArray { get; }

    /// <summary>
    /// False when no rule checks the payload of a segment that joined a TCP stream (no dsize or
    /// offset/depth payload rules), so such segments skip the per-packet prefilter scan.
    /// </summary>
    internal bool SegmentPayloadRulesExist { get; }

    public int RulesLoaded => Rules.Count;

    public int RulesRejected => Rejections.Total;

    /// <summary>Rejected rules by reason, each with the first <c>file:line</c>.</summary>
    public RuleRejections Rejections { get; }

    public IdsOptions Options { get; }

    /// <summary>The packet and stream rules' prefilter, one matcher per set of rules a header admits (<see cref="PortGroupedPrefilter"/>).</summary>
    internal PortGroupedPrefilter Prefilter { get; }

    /// <summary>The prefilter of a segment added to its stream: the rules that inspect such a segment on its own.</summary>
    internal PortGroupedPrefilter SegmentPrefilter { get; }

    /// <summary>Whether <paramref name="rule"/> inspects a TCP segment that joined its stream on its own (as <c>IntrusionDetector.Process</c> decides).</summary>
    internal static bool InspectsSegments(IdsRule rule) =>
        (!rule.InspectsStream || rule.AlsoInspectsSegments) && (rule.Flow & IdsFlowMatch.OnlyStream) == 0;

    /// <summary>The longest fast pattern: how far back a new stream match can start.</summary>
    internal int LongestFastPattern { get; }

    /// <summary>Rules without a positive content: candidates for every packet, checked by header first.</summary>
    internal int[] HeaderOnlyCandidates { get; }

    /// <summary>Stream-inspected rules without a content to prefilter on (pcre only).</summary>
    internal int[] StreamCandidatesWithoutPattern { get; }

    /// <summary>Loads the stage: rules from <see cref="StageSetup.Rules"/>, options from its config.</summary>
    /// <exception cref="ConfigException">The stage names no rules, or an option is bad.</exception>
    public static IdsDefinition Load(StageSetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        var options = IdsOptions.FromJson(setup.Config, setup.Location);
        if (setup.Rules is null)
        {
            throw new ConfigException(setup.Location, "the ids stage needs a rules file");
        }
        var classifications = setup.Classification is { } file
            ? Classification.Parse(file with { Name = Path.GetFileName(file.Name) })
            : null;
        var references = setup.References is { } referenceFile
            ? ReferenceSystems.Parse(referenceFile with { Name = Path.GetFileName(referenceFile.Name) })
            : null;
        return Parse([new RuleText(Path.GetFileName(setup.Rules.Name), setup.Rules.Text)], setup.Variables, options, setup.Diagnostics, setup.Name, classifications, references);
    }

    /// <summary>Builds a definition from rule text (for tests and tools that hold rules in memory).</summary>
    public static IdsDefinition Parse(
        string text,
        string fileName,
        IReadOnlyDictionary<string, string>? variables = null,
        IdsOptions? options = null,
        ConfigDiagnostics? diagnostics = null,
        string name = "ids") =>
        Parse([new RuleText(fileName, text)], variables, options, diagnostics, name);

    /// <summary>Builds a definition from several rule files, loaded as one set in the order given.</summary>
    /// <param name="files">The rule files, in order.</param>
    /// <param name="variables">Rule variables (HOME_NET, …).</param>
    /// <param name="options">The stage's options; defaults when null.</param>
    /// <param name="diagnostics">Where rejected rules are reported.</param>
    /// <param name="name">The stage name.</param>
    /// <param name="classifications">A classification file's classtypes: given, a rule's classtype must be one of them, and alerts carry its priority and description.</param>
    /// <param name="referenceSystems">A reference file's systems (<see cref="ReferenceSystems"/>): given, alerts carry their rule's references as links.</param>
    public static IdsDefinition Parse(
        IEnumerable<RuleText> files,
        IReadOnlyDictionary<string, string>? variables = null,
        IdsOptions? options = null,
        ConfigDiagnostics? diagnostics = null,
        string name = "ids",
        IReadOnlyDictionary<string, Classification>? classifications = null,
        IReadOnlyDictionary<string, string>? referenceSystems = null)
    {
        ArgumentNullException.ThrowIfNull(files);
        options ??= new IdsOptions();
        var parser = new IdsRuleParser(
            variables ?? new Dictionary<string, string>(),
            diagnostics ?? new ConfigDiagnostics(),
            TimeSpan.FromMilliseconds(options.PcreTimeoutMs),
            linearRegex: options.PcreEngine == "linear",
            classifications,
            options.MaxRuleBytes,
            referenceSystems);
        var rules = new List<IdsRule>();
        foreach (var file in files)
        {
            parser.ParseFile(file.Text, file.Name, rules);
        }
        return new IdsDefinition(name, rules, parser.Rejections, options, parser.FlowbitNames.Count);
    }

    public INetworkFunction CreateInstance(PartitionResources resources) => new IntrusionDetector(this, resources);
}
