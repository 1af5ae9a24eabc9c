namespace AzNf.NetworkFunctions.Ids;

/// <summary>What a <c>threshold</c> or <c>detection_filter</c> does with the matches it counts.</summary>
public enum IdsThresholdType : byte
{
    /// <summary>Alert on the first <c>count</c> matches of each window.</summary>
    Limit,
    /// <summary>Alert on every <c>count</c>-th match within a window.</summary>
    Threshold,
    /// <summary>Alert once per window, when the window reaches <c>count</c> matches.</summary>
    Both,
    /// <summary><c>detection_filter</c>: alert on every match after the first <c>count</c> of a window.</summary>
    DetectionFilter,
}

/// <summary>Whose matches one counter counts.</summary>
public enum IdsThresholdTrack : byte
{
    BySource,
    ByDestination,
    /// <summary>One counter for the rule.</summary>
    ByRule,
    /// <summary>One counter per source and destination pair.</summary>
    ByBoth,
}

/// <summary>A rule's <c>threshold</c> or <c>detection_filter</c>: windows of <see cref="Seconds"/> in packet time.</summary>
public sealed record IdsThreshold(IdsThresholdType Type, IdsThresholdTrack Track, int Count, int Seconds);
