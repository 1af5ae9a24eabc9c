using AzNf.NetworkFunctions.Rules;
using AzNf.Packets.Parsing;

namespace AzNf.NetworkFunctions.Tests.Rules;

public sealed class AddressSetTests
{
    [Fact]
    public void Union_OverlappingAndAdjacentIntervals_MergeIntoOne()
    {
        var set = AddressSet.Range(10, 20).Union(AddressSet.Range(21, 30)).Union(AddressSet.Range(15, 25));

        Assert.Equal([((UInt128)10, (UInt128)30)], set.Intervals());
    }

    [Fact]
    public void Complement_IntervalsAtBothEnds_LeavesTheMiddle()
    {
        var set = AddressSet.Range(0, 9).Union(AddressSet.Range(90, UInt128.MaxValue));

        var complement = set.Complement();

        Assert.Equal([((UInt128)10, (UInt128)89)], complement.Intervals());
        Assert.Equal(set.Intervals(), complement.Complement().Intervals());
    }

    [Fact]
    public void Complement_AnyAndEmpty_SwapPlaces()
    {
        Assert.True(AddressSet.Any.Complement().IsEmpty);
        Assert.True(AddressSet.Empty.Complement().IsAny);
    }

    [Fact]
    public void Except_HoleInTheMiddle_SplitsTheInterval()
    {
        var set = AddressSet.Range(10, 30).Except(AddressSet.Range(15, 20));

        Assert.Equal([((UInt128)10, (UInt128)14), ((UInt128)21, (UInt128)30)], set.Intervals());
    }

    [Fact]
    public void Intersect_OverlappingIntervals_KeepsTheOverlap()
    {
        var set = AddressSet.Range(10, 30).Intersect(AddressSet.Range(25, 40).Union(AddressSet.Range(0, 12)));

        Assert.Equal([((UInt128)10, (UInt128)12), ((UInt128)25, (UInt128)30)], set.Intervals());
    }

    [Fact]
    public void Contains_EveryValue_AgreesWithBruteForce()
    {
        var random = new Random(7);
        for (int round = 0; round < 50; round++)
        {
            var set = AddressSet.Empty;
            var expected = new bool[100];
            for (int i = 0; i < 5; i++)
            {
                int low = random.Next(100), high = random.Next(low, 100);
                bool add = random.Next(4) != 0;
                var range = AddressSet.Range((UInt128)low, (UInt128)high);
                set = add ? set.Union(range) : set.Except(range);
                for (int v = low; v <= high; v++)
                {
                    expected[v] = add;
                }
            }

            var actual = Enumerable.Range(0, 100).Select(v => set.Contains((UInt128)v)).ToArray();

            Assert.Equal(expected, actual);
        }
    }

    [Fact]
    public void Contains_LargestValue_HandledWithoutOverflow()
    {
        var set = AddressSet.Range(UInt128.MaxValue - 1, UInt128.MaxValue);

        Assert.True(set.Contains(UInt128.MaxValue));
        Assert.False(set.Complement().Contains(UInt128.MaxValue));
        Assert.True(set.Complement().Contains(UInt128.Zero));
    }

    [Theory]
    [InlineData("10.0.0.1", true, false)]
    [InlineData("255.255.255.255", true, false)]
    [InlineData("::ffff:0.0.0.0", true, false)]
    [InlineData("2001:db8::1", false, true)]
    [InlineData("::", false, true)]
    [InlineData("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", false, true)]
    public void AllIPv4AndAllIPv6_Address_InExactlyItsFamily(string text, bool inIPv4, bool inIPv6)
    {
        var address = NetAddress.Parse(text);

        Assert.Equal(inIPv4, AddressSet.AllIPv4.Contains(address));
        Assert.Equal(inIPv6, AddressSet.AllIPv6.Contains(address));
        Assert.True(AddressSet.AllIPv4.Union(AddressSet.AllIPv6).IsAny);
    }
}
