using AzNf.NetworkFunctions.Rules;

namespace AzNf.NetworkFunctions.Tests.Rules;

public sealed class PortSetTests
{
    [Fact]
    public void Range_BothEnds_AreIncludedAndNothingElse()
    {
        var set = PortSet.Range(63, 128);

        Assert.Equal(Enumerable.Range(63, 66).Select(p => (ushort)p), set.Ports());
    }

    [Fact]
    public void Complement_AnyAndEmpty_SwapPlaces()
    {
        Assert.True(PortSet.Any.IsAny);
        Assert.True(PortSet.Any.Complement().IsEmpty);
        Assert.True(PortSet.Empty.Complement().IsAny);
        Assert.True(PortSet.Range(0, 65_535).IsAny);
        Assert.False(PortSet.Range(1, 65_535).IsAny);
    }

    [Fact]
    public void SetOperations_RandomSets_AgreeWithHashSets()
    {
        var random = new Random(11);
        for (int round = 0; round < 20; round++)
        {
            var (a, expectedA) = RandomSet(random);
            var (b, expectedB) = RandomSet(random);

            var union = a.Union(b).Ports();
            var intersection = a.Intersect(b).Ports();
            var difference = a.Except(b).Ports();
            var complement = a.Complement().Ports();

            Assert.Equal(expectedA.Union(expectedB).Order(), union);
            Assert.Equal(expectedA.Intersect(expectedB).Order(), intersection);
            Assert.Equal(expectedA.Except(expectedB).Order(), difference);
            Assert.Equal(Enumerable.Range(0, 65_536).Select(p => (ushort)p).Except(expectedA).Order(), complement);
        }
    }

    private static (PortSet Set, HashSet<ushort> Expected) RandomSet(Random random)
    {
        var set = PortSet.Empty;
        var expected = new HashSet<ushort>();
        for (int i = 0; i < 4; i++)
        {
            int first = random.Next(65_536), last = Math.Min(65_535, first + random.Next(300));
            set = set.Union(PortSet.Range((ushort)first, (ushort)last));
            for (int p = first; p <= last; p++)
            {
                expected.Add((ushort)p);
            }
        }
        return (set, expected);
    }
}
