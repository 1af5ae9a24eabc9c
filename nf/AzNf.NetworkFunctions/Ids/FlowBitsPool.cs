namespace AzNf.NetworkFunctions.Ids;

/// <summary>
/// A partition's flowbits: slot <c>n</c> (1-based, 0 = none) is one flow's bit set, one bit per
/// flowbit name of the rule set. A flow takes a slot when a rule first sets one of its bits and
/// gives it back when it ends.
/// </summary>
internal sealed class FlowBitsPool(int names)
{
    private readonly int _words = Math.Max(1, (names + 63) / 64);
    private readonly Stack<int> _free = new();
    private ulong[] _bits = [];
    private int _slots;

    public int Words => _words;

    public int InUse { get; private set; }

    public int Rent()
    {
        InUse++;
        if (_free.TryPop(out int slot))
        {
            return slot + 1;
        }
        if ((_slots + 1) * _words > _bits.Length)
        {
            Array.Resize(ref _bits, Math.Max((_slots + 1) * _words, _bits.Length * 2));
        }
        return ++_slots;
    }

    public Span<ulong> Bits(int handle) => _bits.AsSpan((handle - 1) * _words, _words);

    public void Return(int handle)
    {
        Bits(handle).Clear();
        _free.Push(handle - 1);
        InUse--;
    }
}
