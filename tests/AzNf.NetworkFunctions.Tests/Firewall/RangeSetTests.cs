using AzNf.NetworkFunctions.Firewall;

namespace AzNf.NetworkFunctions.Tests.Firewall;

public sealed class RangeSetTests
{
    private static readonly UInt128 Max = 99;

    [Fact]
    public void Union_OverlappingAndAdjacentRanges_MergeIntoOne()
    {
        var set = RangeSet.Range(Max, 10, 20).Union(RangeSet.Range(Max, 21, 30)).Union(RangeSet.Range(Max, 15, 25));

        Assert.Equal([((UInt128)10, (UInt128)30)], set.Ranges());
    }

    [Fact]
    public void Complement_RangesAtBothEnds_LeavesTheMiddle()
    {
        var set = RangeSet.Range(Max, 0, 9).Union(RangeSet.Range(Max, 90, 99));

        var complement = set.Complement();

        Assert.Equal([((UInt128)10, (UInt128)89)], complement.Ranges());
        Assert.True(complement.Complement().Ranges().SequenceEqual(set.Ranges()));
    }

    [Fact]
    public void Complement_AllAndEmpty_SwapPlaces()
    {
        Assert.True(RangeSet.All(Max).Complement().IsEmpty);
        Assert.True(RangeSet.Empty(Max).Complement().IsAll);
    }

    [Fact]
    public void Except_HoleInTheMiddle_SplitsTheRange()
    {
        var set = RangeSet.Range(Max, 10, 30).Except(RangeSet.Range(Max, 15, 20));

        Assert.Equal([((UInt128)10, (UInt128)14), ((UInt128)21, (UInt128)30)], set.Ranges());
    }

    [Fact]
    public void Contains_EveryValue_AgreesWithBruteForce()
    {
        var random = new Random(7);
        for (int round = 0; round < 50; round++)
        {
            var set = RangeSet.Empty(Max);
            var expected = new bool[100];
            for (int i = 0; i < 5; i++)
            {
                int low = random.Next(100), high = random.Next(low, 100);
                set = set.Union(RangeSet.Range(Max, (UInt128)low, (UInt128)high));
                for (int v = low; v <= high; v++)
                {
                    expected[v] = true;
                }
            }

            var actual = Enumerable.Range(0, 100).Select(v => set.Contains((UInt128)v)).ToArray();

            Assert.Equal(expected, actual);
        }
    }

    [Fact]
    public void Contains_FullWidthUniverse_HandlesTheLargestValue()
    {
        var set = RangeSet.Range(UInt128.MaxValue, UInt128.MaxValue - 1, UInt128.MaxValue);

        Assert.True(set.Contains(UInt128.MaxValue));
        Assert.False(set.Complement().Contains(UInt128.MaxValue));
        Assert.True(set.Complement().Contains(UInt128.Zero));
    }
}
