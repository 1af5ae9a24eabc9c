using AzNf.Orchestrations.Models;
using AzNf.Packets.Parsing;
using Microsoft.DurableTask.Entities;

namespace AzNf.Orchestrations.Entities;

/// <summary>
/// The <c>blocklist</c> entity (one, key <c>global</c>): blocked addresses with when each block
/// ends, versioned so that chains are rebuilt with the firewall denying them. Expired entries are
/// removed by a <c>Prune</c> self-signal scheduled at the earliest end. Operations: <c>Block</c>,
/// <c>Unblock</c>, <c>Prune</c>, <c>Get</c>.
/// </summary>
public sealed class BlocklistEntity : TaskEntity<BlocklistState>
{
    public const string Name = "blocklist";
    public const string Key = "global";

    private readonly TimeProvider _clock;

    public BlocklistEntity()
        : this(TimeProvider.System)
    {
    }

    internal BlocklistEntity(TimeProvider clock) => _clock = clock;

    public BlocklistState Get() => State;

    /// <summary>Blocks an address until a time (extends a shorter block); true when the list changed.</summary>
    public bool Block(BlockRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!NetAddress.TryParse(request.Address, out var address))
        {
            throw new ArgumentException($"blocklist: '{request.Address}' is not an IP address", nameof(request));
        }
        string text = address.ToString();
        if (State.Entries.TryGetValue(text, out var until) && until >= request.UntilUtc)
        {
            return false;
        }
        State.Entries[text] = request.UntilUtc;
        State.Version++;
        if (State.PruneDueUtc is null || request.UntilUtc < State.PruneDueUtc)
        {
            SchedulePrune(request.UntilUtc);
        }
        return true;
    }

    public bool Unblock(string address)
    {
        string text = NetAddress.TryParse(address, out var parsed) ? parsed.ToString() : address;
        if (!State.Entries.Remove(text))
        {
            return false;
        }
        State.Version++;
        return true;
    }

    /// <summary>Removes ended blocks and schedules the next prune.</summary>
    public void Prune()
    {
        var now = _clock.GetUtcNow().UtcDateTime;
        State.PruneDueUtc = null;
        var ended = State.Entries.Where(e => e.Value <= now).Select(e => e.Key).ToList();
        foreach (string address in ended)
        {
            State.Entries.Remove(address);
        }
        if (ended.Count > 0)
        {
            State.Version++;
        }
        if (State.Entries.Count > 0)
        {
            SchedulePrune(State.Entries.Values.Min());
        }
    }

    private void SchedulePrune(DateTime dueUtc)
    {
        State.PruneDueUtc = dueUtc;
        Context.SignalEntity(Context.Id, nameof(Prune), new SignalEntityOptions { SignalTime = new DateTimeOffset(DateTime.SpecifyKind(dueUtc, DateTimeKind.Utc)) });
    }
}
