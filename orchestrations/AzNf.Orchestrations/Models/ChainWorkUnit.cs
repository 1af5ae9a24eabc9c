using System.Text.Json.Serialization;
using AzNf.NetworkFunctions.Chain;

namespace AzNf.Orchestrations.Models;

/// <summary>
/// The input of the <c>NfChain</c> orchestration: packets of one flow from one partition, at the
/// chain's granularity (one packet, the flow's packets in a batch, or a flowlet), with the plan
/// of stages and deadlines and the policy versions the chain is built from.
/// </summary>
/// <remarks>
/// Idempotency: the flow entity remembers the last event sequence number applied to it; a unit
/// whose <see cref="LastSequenceNumber"/> is not above it is a duplicate (a batch delivered again)
/// and changes nothing. So the units of one flow must be run one after the other, in partition order.
/// </remarks>
public sealed record ChainWorkUnit
{
    /// <summary>The chain's name (the RuleSet entity's key).</summary>
    public required string ChainName { get; init; }

    /// <summary>The Event Hubs (or local log) partition the packets came from.</summary>
    public required int Partition { get; init; }

    /// <summary>The flow's canonical key as <see cref="AzNf.Packets.Flows.FlowKey.ToString"/> writes it; the flow entity's key.</summary>
    public required string FlowKey { get; init; }

    [JsonConverter(typeof(JsonStringEnumConverter<ChainGranularity>))]
    public ChainGranularity Granularity { get; init; } = ChainGranularity.Flowlet;

    [JsonConverter(typeof(JsonStringEnumConverter<ChainMode>))]
    public ChainMode Mode { get; init; }

    /// <summary>Sequence number of the event of the first packet.</summary>
    public required long FirstSequenceNumber { get; init; }

    /// <summary>Sequence number of the event of the last packet: the version the flow entity takes.</summary>
    public required long LastSequenceNumber { get; init; }

    /// <summary>The RuleSet entity version the chain is built from.</summary>
    public required long RuleSetVersion { get; init; }

    /// <summary>The Blocklist entity version the firewall applies.</summary>
    public required long BlocklistVersion { get; init; }

    /// <summary>Stage names, deadlines and policies (from the chain file; see <see cref="ChainPlan.From"/>).</summary>
    public required ChainPlan Plan { get; init; }

    /// <summary>The packets, in partition order.</summary>
    public required IReadOnlyList<WorkPacket> Packets { get; init; }
}
