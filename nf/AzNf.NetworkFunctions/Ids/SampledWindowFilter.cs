using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace AzNf.NetworkFunctions.Ids;

/// <summary>
/// Finds, case-insensitively, which of a set of patterns (each at least <c>Stride + 3</c> bytes
/// long) occur in a buffer, in the spirit of Hyperscan's FDR: the 4-byte window at every
/// <see cref="Stride"/>-th position is hashed into a bitmap that fits L1, and only on a set bit
/// are the patterns whose windows share that hash compared in full.
/// </summary>
/// <remarks>
/// <para>
/// Sampling is what makes it fast: every occurrence of a pattern of length L ≥ s + 3 covers
/// s consecutive window starts that lie wholly inside it, so exactly one of them is a multiple
/// of the stride s. Indexing each pattern's windows at offsets 0..s−1 therefore finds every
/// occurrence while looking at one position in s. The bits set per byte scanned stay about
/// patterns / bitmap bits whatever the stride, so a longer stride is nearly free.
/// </para>
/// <para>
/// Windows are hashed after OR-ing 0x20 into each byte: that maps both cases of a letter to one
/// value and equal folded bytes always to equal values, so it can only add false hits, never
/// lose a match; the full compare then folds exactly (A–Z only).
/// </para>
/// </remarks>
internal sealed class SampledWindowFilter
{
    /// <summary>Bytes hashed per sampled position.</summary>
    public const int WindowLength = 4;

    private const uint CaseBits = 0x20202020;
    private const uint HashMultiplier = 0x9E3779B1;
    private const int MinBitmapBitsLog2 = 12;

    // 2^18 bits = 32 KiB. Measured on ids-1000 (5,000 windows): 16 KiB 0.39, 32 KiB 0.28,
    // 64 KiB 0.25 ns/byte; the four loads per round are independent, so an L2 hit costs little.
    private const int MaxBitmapBitsLog2 = 18;

    private readonly ulong[] _bitmap;
    private readonly int _hashShift;
    private readonly int _bucketShift;
    private readonly int[] _bucketStart;
    private readonly IndexedWindow[] _windows;
    private readonly byte[] _patternBytes;
    private readonly int[] _patternStart;
    private readonly int[] _ruleStart;
    private readonly int[] _rules;

    /// <param name="patterns">Distinct patterns, already folded to lower case, each with the rules it nominates.</param>
    /// <param name="stride">Positions between two sampled windows; no pattern may be shorter than <c>stride + 3</c>.</param>
    public SampledWindowFilter(IReadOnlyList<(byte[] Folded, int[] Rules)> patterns, int stride)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(stride, 1);
        Stride = stride;
        var windows = new List<(uint Hash, IndexedWindow Window)>();
        var patternBytes = new List<byte>();
        _patternStart = new int[patterns.Count + 1];
        _ruleStart = new int[patterns.Count + 1];
        var rules = new List<int>();
        for (int k = 0; k < patterns.Count; k++)
        {
            var (folded, patternRules) = patterns[k];
            if (folded.Length < stride + WindowLength - 1)
            {
                throw new ArgumentException($"pattern {k} is shorter than stride + {WindowLength - 1}", nameof(patterns));
            }
            _patternStart[k] = patternBytes.Count;
            patternBytes.AddRange(folded);
            _ruleStart[k] = rules.Count;
            rules.AddRange(patternRules);
            for (int offset = 0; offset < stride; offset++)
            {
                uint word = BinaryPrimitives.ReadUInt32LittleEndian(folded.AsSpan(offset)) | CaseBits;
                windows.Add((word * HashMultiplier, new IndexedWindow(word, offset, k)));
            }
        }
        _patternStart[patterns.Count] = patternBytes.Count;
        _ruleStart[patterns.Count] = rules.Count;
        _patternBytes = [.. patternBytes];
        _rules = [.. rules];

        // ~128 bits per window keeps a sampled position's false-hit rate under 1% until the cap
        // (measured on ids-100: 32 bits per window 0.34, 128 bits 0.19 ns/byte).
        int bitsLog2 = Math.Clamp(BitOperations.Log2((uint)Math.Max(1, windows.Count * 128) - 1) + 1, MinBitmapBitsLog2, MaxBitmapBitsLog2);
        int bucketsLog2 = Math.Clamp(BitOperations.Log2((uint)Math.Max(1, windows.Count) - 1) + 1, 4, bitsLog2);
        _hashShift = 32 - bitsLog2;
        _bucketShift = bitsLog2 - bucketsLog2;
        _bitmap = new ulong[(1 << bitsLog2) / 64];
        _bucketStart = new int[(1 << bucketsLog2) + 1];
        foreach (var (hash, _) in windows)
        {
            uint bit = hash >> _hashShift;
            _bitmap[bit >> 6] |= 1UL << (int)(bit & 63);
            _bucketStart[(bit >> _bucketShift) + 1]++;
        }
        for (int b = 1; b < _bucketStart.Length; b++)
        {
            _bucketStart[b] += _bucketStart[b - 1];
        }
        _windows = new IndexedWindow[windows.Count];
        var fill = _bucketStart[..^1];
        foreach (var (hash, window) in windows)
        {
            _windows[fill[(hash >> _hashShift) >> _bucketShift]++] = window;
        }
    }

    /// <summary>Positions between two sampled windows.</summary>
    public int Stride { get; }

    /// <summary>Adds every rule whose pattern occurs (case-folded) in <paramref name="data"/> to <paramref name="into"/>.</summary>
    public void Scan(ReadOnlySpan<byte> data, CandidateRuleSet into)
    {
        int last = data.Length - WindowLength;
        ref byte start = ref MemoryMarshal.GetReference(data);
        ref ulong bitmap = ref MemoryMarshal.GetArrayDataReference(_bitmap);
        int stride = Stride;
        int shift = _hashShift;
        int q = 0;

        // Four samples per round and one branch on their OR: hits are rare, so the branch is
        // predicted and the four hashes and loads overlap.
        for (; q <= last - (3 * stride); q += 4 * stride)
        {
            uint h0 = BitOf(ref start, q, shift);
            uint h1 = BitOf(ref start, q + stride, shift);
            uint h2 = BitOf(ref start, q + (2 * stride), shift);
            uint h3 = BitOf(ref start, q + (3 * stride), shift);
            ulong b0 = Unsafe.Add(ref bitmap, h0 >> 6) >> (int)h0;
            ulong b1 = Unsafe.Add(ref bitmap, h1 >> 6) >> (int)h1;
            ulong b2 = Unsafe.Add(ref bitmap, h2 >> 6) >> (int)h2;
            ulong b3 = Unsafe.Add(ref bitmap, h3 >> 6) >> (int)h3;
            if (((b0 | b1 | b2 | b3) & 1) != 0)
            {
                VerifyRound(data, q, (uint)(b0 & 1) | (uint)((b1 & 1) << 1) | (uint)((b2 & 1) << 2) | (uint)((b3 & 1) << 3), into);
            }
        }
        for (; q <= last; q += stride)
        {
            uint h = BitOf(ref start, q, shift);
            if (((Unsafe.Add(ref bitmap, h >> 6) >> (int)h) & 1) != 0)
            {
                Verify(data, q, into);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint BitOf(ref byte start, int position, int shift) =>
        ((Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref start, position)) | CaseBits) * HashMultiplier) >> shift;

    private void VerifyRound(ReadOnlySpan<byte> data, int q, uint hitMask, CandidateRuleSet into)
    {
        for (int i = 0; i < 4; i++)
        {
            if ((hitMask & (1u << i)) != 0)
            {
                Verify(data, q + (i * Stride), into);
            }
        }
    }

    /// <summary>Compares the patterns indexed under the window at <paramref name="q"/> in full.</summary>
    private void Verify(ReadOnlySpan<byte> data, int q, CandidateRuleSet into)
    {
        uint word = BinaryPrimitives.ReadUInt32LittleEndian(data[q..]) | CaseBits;
        int bucket = (int)(((word * HashMultiplier) >> _hashShift) >> _bucketShift);
        for (int i = _bucketStart[bucket], end = _bucketStart[bucket + 1]; i < end; i++)
        {
            var window = _windows[i];
            if (window.Word != word)
            {
                continue;
            }
            int from = q - window.Offset;
            int pattern = window.Pattern;
            var folded = _patternBytes.AsSpan(_patternStart[pattern], _patternStart[pattern + 1] - _patternStart[pattern]);
            if (from >= 0 && from <= data.Length - folded.Length && FoldedEquals(data.Slice(from, folded.Length), folded))
            {
                for (int r = _ruleStart[pattern], rulesEnd = _ruleStart[pattern + 1]; r < rulesEnd; r++)
                {
                    into.Add(_rules[r]);
                }
            }
        }
    }

    private static bool FoldedEquals(ReadOnlySpan<byte> data, ReadOnlySpan<byte> folded)
    {
        for (int i = 0; i < folded.Length; i++)
        {
            if (MultiPatternMatcher.Fold(data[i]) != folded[i])
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>One indexed window: its case-merged bytes, where it starts in its pattern, which pattern.</summary>
    private readonly record struct IndexedWindow(uint Word, int Offset, int Pattern);
}
