using AzNf.NetworkFunctions.Rules;
using AzNf.Packets.Parsing;

namespace AzNf.NetworkFunctions.Tests.Rules;

public sealed class AddressPortParserTests
{
    private static readonly Dictionary<string, string> Variables = new()
    {
        ["HOME_NET"] = "[10.0.0.0/8, 192.168.0.0/16]",
        ["ALL_NETS"] = "[$HOME_NET,fd00::/8]",
        ["NOT_HOME"] = "!$HOME_NET",
        ["HTTP_PORTS"] = "[80,8080]",
        ["LOOP_A"] = "$LOOP_B",
        ["LOOP_B"] = "$LOOP_A",
    };

    private static readonly AddressPortSyntax WholeSpaceNegation = new() { NegateWithinFamily = false, RejectHostBits = true };

    [Theory]
    [InlineData("10.0.0.0/8", "10.255.255.255", true)]
    [InlineData("10.0.0.0/8", "11.0.0.0", false)]
    [InlineData("192.0.2.7", "192.0.2.7", true)]
    [InlineData("192.0.2.7", "192.0.2.8", false)]
    [InlineData("0.0.0.0/0", "255.255.255.255", true)]
    [InlineData("0.0.0.0/0", "2001:db8::1", false)]
    [InlineData("::/0", "2001:db8::1", true)]
    [InlineData("::/0", "10.0.0.1", false)]
    [InlineData("::ffff:10.0.0.0/104", "10.1.2.3", true)]
    [InlineData("::ffff:10.0.0.0/104", "11.1.2.3", false)]
    [InlineData("any", "2001:db8::1", true)]
    [InlineData("any", "10.0.0.1", true)]
    [InlineData("[10.0.0.0/8, 2001:db8::/32]", "2001:db8:1::1", true)]
    [InlineData("[10.0.0.0/8,!10.1.0.0/16]", "10.1.0.1", false)]
    [InlineData("[10.0.0.0/8,!10.1.0.0/16]", "10.2.0.1", true)]
    [InlineData("$ALL_NETS", "fd12::1", true)]
    [InlineData("$ALL_NETS", "172.16.0.1", false)]
    [InlineData("[$HOME_NET,![10.1.0.0/16,10.2.0.0/16]]", "10.2.0.1", false)]
    [InlineData("[$HOME_NET,![10.1.0.0/16,10.2.0.0/16]]", "10.3.0.1", true)]
    public void ParseAddresses_EitherSyntax_MatchesExactlyItsSet(string expression, string address, bool expected)
    {
        foreach (var syntax in new[] { AddressPortSyntax.Suricata, WholeSpaceNegation })
        {
            var set = new AddressPortParser(Variables, syntax).ParseAddresses(expression);

            bool matches = set.Contains(NetAddress.Parse(address));

            Assert.Equal(expected, matches);
        }
    }

    [Theory]
    [InlineData("!10.0.0.0/8", "11.0.0.1", true, true)]
    [InlineData("!10.0.0.0/8", "10.0.0.1", false, false)]
    [InlineData("!10.0.0.0/8", "2001:db8::1", false, true)]
    [InlineData("[!10.0.0.0/8]", "2001:db8::1", false, true)]
    [InlineData("$NOT_HOME", "172.16.0.1", true, true)]
    [InlineData("$NOT_HOME", "fd00::1", false, true)]
    [InlineData("[!2001:db8::/32]", "1.2.3.4", false, true)]
    [InlineData("[!2001:db8::/32]", "2001:db9::1", true, true)]
    [InlineData("[!10.1.0.0/16,2001:db8::/32]", "10.2.0.1", true, false)]
    [InlineData("[!10.1.0.0/16,2001:db8::/32]", "2001:db8::9", true, true)]
    public void ParseAddresses_Negation_PerFamilyForSuricataWholeSpaceOtherwise(string expression, string address, bool suricata, bool wholeSpace)
    {
        var ids = new AddressPortParser(Variables, AddressPortSyntax.Suricata).ParseAddresses(expression);
        var firewall = new AddressPortParser(Variables, WholeSpaceNegation).ParseAddresses(expression);

        var parsed = NetAddress.Parse(address);

        Assert.Equal(suricata, ids.Contains(parsed));
        Assert.Equal(wholeSpace, firewall.Contains(parsed));
    }

    [Fact]
    public void ParseAddresses_HostBitsSet_SuricataClearsThemOtherSyntaxRejects()
    {
        var ids = new AddressPortParser(Variables, AddressPortSyntax.Suricata).ParseAddresses("10.0.0.1/8");

        var error = Assert.Throws<FormatException>(() => new AddressPortParser(Variables, WholeSpaceNegation).ParseAddresses("10.0.0.1/8"));

        Assert.True(ids.Contains(NetAddress.Parse("10.200.0.1")));
        Assert.False(ids.Contains(NetAddress.Parse("11.0.0.0")));
        Assert.Contains("'10.0.0.1/8' has host bits set (did you mean 10.0.0.0/8?)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseAddresses_SameExpressionTwice_SharesOneSet()
    {
        var parser = new AddressPortParser(Variables, AddressPortSyntax.Suricata);

        var first = parser.ParseAddresses("$HOME_NET");
        var second = parser.ParseAddresses(" $HOME_NET ");

        Assert.Same(first, second);
    }

    [Theory]
    [InlineData("80", 80, true)]
    [InlineData("80", 81, false)]
    [InlineData("1024:", 65535, true)]
    [InlineData("1024:", 1023, false)]
    [InlineData(":1023", 0, true)]
    [InlineData(":1023", 1024, false)]
    [InlineData("1000:2000", 2000, true)]
    [InlineData("1000:2000", 2001, false)]
    [InlineData("[80, 8000:8999]", 8443, true)]
    [InlineData("![23,445]", 445, false)]
    [InlineData("![23,445]", 22, true)]
    [InlineData("[!53,!123]", 54, true)]
    [InlineData("[!53,!123]", 123, false)]
    [InlineData("[1024:,!2000:2010]", 2005, false)]
    [InlineData("[1024:,!2000:2010]", 1999, true)]
    [InlineData("$HTTP_PORTS", 8080, true)]
    [InlineData("!$HTTP_PORTS", 80, false)]
    [InlineData("any", 0, true)]
    public void ParsePorts_EitherSyntax_MatchExactlyTheirSet(string expression, int port, bool expected)
    {
        foreach (var syntax in new[] { AddressPortSyntax.Suricata, WholeSpaceNegation })
        {
            var set = new AddressPortParser(Variables, syntax).ParsePorts(expression);

            bool matches = set.Contains((ushort)port);

            Assert.Equal(expected, matches);
        }
    }

    [Fact]
    public void ParseEmptyResult_NotAnError_CallerDecides()
    {
        var parser = new AddressPortParser(Variables, AddressPortSyntax.Suricata);

        var addresses = parser.ParseAddresses("!any");
        var ports = parser.ParsePorts("!any");

        Assert.True(addresses.IsEmpty);
        Assert.True(ports.IsEmpty);
    }

    [Theory]
    [InlineData("10.1", "'10.1' is not an address")]
    [InlineData("fe80::1%eth0", "is not an address")]
    [InlineData("10.0.0.0/33", "bad prefix length in '10.0.0.0/33' (0 to 32)")]
    [InlineData("::/129", "bad prefix length in '::/129' (0 to 128)")]
    [InlineData("[10.0.0.0/8", "list '[10.0.0.0/8' has no closing ']'")]
    [InlineData("[]", "empty list")]
    [InlineData("[10.0.0.0/8,,11.0.0.0/8]", "empty item in list")]
    [InlineData("[1.1.1.1,[2.2.2.2]", "unbalanced '['")]
    [InlineData("$NOPE", "undefined variable '$NOPE'")]
    [InlineData("[1.1.1.1,$NOPE]", "undefined variable '$NOPE'")]
    [InlineData("$LOOP_A", "a cycle?")]
    public void ParseAddresses_BadExpression_ThrowsNamingTheProblem(string expression, string reason)
    {
        var parser = new AddressPortParser(Variables, AddressPortSyntax.Suricata);

        var error = Assert.Throws<FormatException>(() => parser.ParseAddresses(expression));

        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    /// <summary>Hostile expressions: nesting 100,000 deep and a 100,000-character token are refused in a short message.</summary>
    [Theory]
    [InlineData("[", "]", "nests more than 32 levels deep")]
    [InlineData("!", "", "nests more than 32 levels deep")]
    [InlineData("x", "", "is not an address")]
    public void ParseAddresses_HostileExpression_RefusedWithAShortMessage(string open, string close, string reason)
    {
        var parser = new AddressPortParser(Variables, AddressPortSyntax.Suricata);
        string expression = string.Concat(Enumerable.Repeat(open, 100_000)) + "10.0.0.1" + string.Concat(Enumerable.Repeat(close, 100_000));

        var error = Assert.Throws<FormatException>(() => parser.ParseAddresses(expression));

        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.True(error.Message.Length < 200, $"{error.Message.Length} characters");
    }

    [Theory]
    [InlineData("70000", "'70000' is not a port (0 to 65535)")]
    [InlineData("-1", "'-1' is not a port")]
    [InlineData("http", "'http' is not a port")]
    [InlineData("2000:1000", "port range '2000:1000' runs backwards")]
    [InlineData("[80,]", "empty item in list")]
    [InlineData("$LOOP_B", "a cycle?")]
    public void ParsePorts_BadExpression_ThrowsNamingTheProblem(string expression, string reason)
    {
        var parser = new AddressPortParser(Variables, AddressPortSyntax.Suricata);

        var error = Assert.Throws<FormatException>(() => parser.ParsePorts(expression));

        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }
}
