using AzNf.Generators;
using AzNf.Packets.Parsing;

namespace AzNf.NetworkFunctions.Tests.Ids;

/// <summary>
/// One capture and one rule file that exercise every supported keyword, each rule on flows of
/// its own (distinct ports), with flows meant to match and flows meant not to. The expected
/// answer is not written here: Suricata computes it from the same capture and rules.
/// </summary>
internal static class IdsOracleScenario
{
    public const string Rules = """
        # Each rule owns a destination port 7000+N so flows do not trip each other's rules.
        alert tcp any any -> any $HTTP_PORTS (msg:"content basic"; content:"GET /admin"; sid:1001; rev:2; classtype:web-application-attack;)
        alert tcp any any -> any 7002 (msg:"nocase"; content:"select"; nocase; sid:1002;)
        alert tcp any any -> any 7003 (msg:"hex"; content:"|de ad|x|be ef|"; sid:1003;)
        alert tcp any any -> any 7004 (msg:"offset depth"; content:"MAGIC"; offset:2; depth:5; sid:1004;)
        alert tcp any any -> any 7005 (msg:"distance within"; content:"user"; content:"pass"; distance:1; within:8; sid:1005;)
        alert tcp any any -> any 7006 (msg:"split"; content:"SPLITPATTERN"; sid:1006;)
        alert tcp any any -> any 7007 (msg:"pcre"; pcre:"/id=[0-9]{3,}x/i"; sid:1007;)
        alert tcp any any -> any 7008 (msg:"pcre relative"; content:"key="; pcre:"/^[a-f]+\;/R"; sid:1008;)
        alert tcp any any <> any 7009 (msg:"to_server established"; content:"HELLO"; flow:to_server,established; sid:1009;)
        alert tcp any any <> any 7010 (msg:"to_client"; content:"BANNER"; flow:to_client; sid:1010;)
        alert tcp any any -> any 7011 (msg:"not established syn"; flags:S; flow:not_established; sid:1011;)
        alert udp any any -> any 7012 (msg:"dsize gt"; dsize:>100; sid:1012;)
        alert udp any any -> any 7013 (msg:"dsize range"; dsize:10<>20; sid:1013;)
        alert tcp any 7014 -> any any (msg:"flags exact SA"; flags:SA; sid:1014;)
        alert tcp any any -> any 7015 (msg:"flags plus"; flags:P+; sid:1015;)
        alert tcp any any -> any 7016 (msg:"flags not"; flags:!A; sid:1016;)
        alert tcp any any -> any 7017 (msg:"flags any"; flags:*FR; sid:1017;)
        alert tcp any any -> any 7018 (msg:"flags ignore"; flags:S,CE; sid:1018;)
        alert udp any any -> any 7019 (msg:"negated content"; content:"ping"; content:!"pong"; sid:1019;)
        drop tcp any any -> any 7020 (msg:"drop"; content:"DROPME"; sid:1020;)
        pass tcp any any -> any 7021 (msg:"pass"; content:"SAFE"; sid:1021;)
        alert tcp any any -> any 7021 (msg:"silenced by pass"; content:"TOKEN"; sid:1022;)
        alert icmp any any -> any any (msg:"icmp"; content:"ICMPDATA"; sid:1023;)
        alert ip 10.9.9.9 any -> any any (msg:"ip proto"; sid:1024;)
        alert udp [10.0.0.0/8,!10.1.0.0/16] any -> $EXTERNAL_NET 7025 (msg:"address list negation"; sid:1025;)
        alert udp any 1024: -> any [7026,7027:7028,!7028] (msg:"port range list"; sid:1026;)
        alert udp 10.5.0.1 any <> 10.6.0.1 7029 (msg:"bidirectional"; content:"BIDI"; sid:1027;)
        alert udp any any -> any 7030 (msg:"escapes"; content:"a\;b\"c\\d"; sid:1028;)
        alert udp any any -> any 7031 (msg:"within only"; content:"AB"; content:"CD"; within:4; sid:1029;)
        alert udp any any -> any 7032 (msg:"backtrack"; content:"X="; content:"END"; distance:0; within:5; sid:1030;)
        alert udp any any -> any 7033 (msg:"udp established"; flow:established; sid:1031;)
        alert tcp any any -> any 7034 (msg:"nocase relative"; content:"HOST"; nocase; content:"evil"; nocase; distance:0; sid:1032;)
        alert tcp any any -> any 7035 (msg:"split relative"; content:"BEGIN"; content:"FINISH"; distance:0; sid:1033;)
        alert tcp any any -> any 7036 (msg:"out of order"; content:"OUTOFORDER"; sid:1034;)
        alert tcp any any <> any 7037 (msg:"from_server"; content:"REPLY"; flow:from_server; sid:1035;)
        alert udp any any -> any 7038 (msg:"stateless"; flow:stateless; content:"STATELESS"; sid:1036;)
        alert udp any any -> any 7039 (msg:"dsize exact"; dsize:5; sid:1037;)
        alert udp any any -> any 7040 (msg:"dsize lt"; dsize:<4; sid:1038;)
        alert tcp any any -> any 7041 (msg:"depth only"; content:"HEAD"; depth:4; sid:1039;)
        alert tcp any any -> any 7042 (msg:"offset only"; content:"TAIL"; offset:6; sid:1040;)
        alert udp any any -> any 7043 (msg:"negated relative"; content:"cmd"; content:!"safe"; distance:0; within:10; sid:1041;)
        alert tcp any any -> any 7044 (msg:"pcre negated"; content:"name="; pcre:!"/name=admin/"; sid:1042;)
        pass udp any any -> any 7045 (msg:"udp pass"; content:"SAFE"; sid:1043;)
        alert udp any any -> any 7045 (msg:"udp after pass"; content:"TOKEN"; sid:1044;)
        alert tcp any any -> any 7046 (msg:"retransmission"; content:"FIRSTSEEN"; sid:1045;)
        alert tcp any any -> any 7046 (msg:"retransmission overlap"; content:"SECONDSEEN"; sid:1046;)
        alert udp any any -> any 7047 (msg:"within after distance"; content:"ab"; content:"cd"; distance:1; within:3; sid:1047;)
        alert tcp any any -> any 7048 (msg:"three segments"; content:"ABCDEFGHI"; sid:1048;)
        alert tcp any any -> any 7049 (msg:"ipv6 split"; content:"V6PATTERN"; sid:1049;)
        alert tcp any any -> any 7050 (msg:"out of order three"; content:"0123456789"; sid:1050;)
        alert tcp any any -> any 7051 (msg:"flags none"; flags:0; sid:1051;)
        alert tcp any any -> any 7052 (msg:"pcre split"; pcre:"/sel[a-z]*ct/"; sid:1052;)
        alert udp any any -> any 7053 (msg:"pcre relative unanchored"; content:"key="; pcre:"/[a-f]+\;/R"; sid:1053;)
        pass udp 10.4.4.4 any -> any 7054 (msg:"header-only pass"; sid:1054;)
        alert udp any any <> any 7054 (msg:"after header-only pass"; content:"TOKEN"; sid:1055;)
        drop tcp any any -> any 7055 (msg:"stream drop"; content:"KILL"; sid:1056;)
        alert tcp any any <> any 7055 (msg:"after stream drop"; content:"AFTER"; sid:1057;)
        alert tcp any any -> any 7056 (msg:"depth on later segment"; content:"GET"; depth:3; sid:1058;)
        alert udp any any -> !10.0.0.0/8 7057 (msg:"negated ipv4 block vs ipv6"; sid:1059;)
        alert udp any any -> [2001:db8::/64,!2001:db8::5] 7058 (msg:"ipv6 list"; sid:1060;)
        alert udp [!10.1.0.0/16,2001:db8::/32] any -> any 7059 (msg:"per-family negation"; sid:1061;)
        alert tcp any any -> any 7060 (msg:"flags not all"; flags:!SA; sid:1062;)
        alert tcp any 7061 -> any any (msg:"flags not all reply"; flags:!SA; sid:1063;)
        alert udp any any -> ::/0 7062 (msg:"ipv6 cidr holds no ipv4"; sid:1064;)
        alert udp 10.0.0.1/8 any -> any 7063 (msg:"host bits cleared"; sid:1065;)
        alert icmp 10.7.0.1 any -> any any (msg:"itype icode"; itype:3; icode:1; sid:1066;)
        alert icmp 10.7.0.2 any -> any any (msg:"itype range"; itype:>5; sid:1067;)
        alert icmp 10.7.0.3 any -> any any (msg:"icmp_id seq"; icmp_id:77; icmp_seq:2; sid:1068;)
        alert udp any any -> any 7064 (msg:"ttl lt"; ttl:<10; sid:1069;)
        alert udp any any -> any 7065 (msg:"ttl range"; ttl:30-40; sid:1070;)
        alert ip 10.7.0.4 any -> any any (msg:"ip_proto name"; ip_proto:udp; sid:1071;)
        alert ip 10.7.0.5 any -> any any (msg:"ip_proto not"; ip_proto:!6; sid:1072;)
        alert udp any any -> any 7066 (msg:"ip id"; id:4321; sid:1073;)
        alert tcp any any -> any 7067 (msg:"seq ack"; seq:5000; ack:0; sid:1074;)
        alert tcp any any -> any 7068 (msg:"window"; window:!64240; sid:1075;)
        alert tcp-pkt any any -> any 7069 (msg:"tcp-pkt"; content:"PKTONLY"; sid:1076;)
        alert tcp any any -> any 7070 (msg:"no_stream"; flow:no_stream; content:"SPLITNS"; sid:1077;)
        alert tcp any any -> any 7071 (msg:"only_stream"; flow:only_stream; content:"STREAMONLY"; depth:20; sid:1078;)
        alert udp any any -> any 7072 (msg:"threshold limit"; content:"LIM"; threshold: type limit, track by_src, count 2, seconds 60; sid:1079;)
        alert udp any any -> any 7073 (msg:"threshold every third"; content:"THR"; threshold: type threshold, track by_dst, count 3, seconds 60; sid:1080;)
        alert udp any any -> any 7074 (msg:"threshold both"; content:"BOTH"; threshold:type both,track by_src,count 2,seconds 60; sid:1081;)
        alert udp any any -> any 7075 (msg:"detection_filter"; content:"DF"; detection_filter: track by_src, count 2, seconds 60; sid:1082;)
        alert udp any any -> any 7076 (msg:"isdataat relative"; content:"LEN"; isdataat:3,relative; sid:1083;)
        alert udp any any -> any 7077 (msg:"isdataat negated ends"; content:".com"; isdataat:!1,relative; sid:1084;)
        alert udp any any -> any 7078 (msg:"byte_test lt"; byte_test:1,<,4,2; sid:1085;)
        alert udp any any -> any 7079 (msg:"byte_test and not"; content:"HDR"; byte_test:1,!&,64,0,relative; sid:1086;)
        alert udp any any -> any 7080 (msg:"byte_test string"; content:"len="; byte_test:3,>,100,0,relative,string,dec; sid:1087;)
        alert udp any any -> any 7081 (msg:"byte_test little 2"; byte_test:2,=,513,0,little; sid:1088;)
        alert udp any any -> any 7082 (msg:"byte_jump then content"; content:"J"; byte_jump:1,0,relative; content:"TARGET"; within:6; sid:1089;)
        alert tcp any any -> any 7083 (msg:"byte_jump multiplier post_offset"; content:"M"; byte_jump:1,0,relative,multiplier 2,post_offset 1; content:"X"; within:1; sid:1090;)
        alert udp any any -> any 7084 (msg:"byte_test bitmask"; byte_test:1,=,3,0,bitmask 0x30; sid:1091;)
        alert udp any any -> any 7085 (msg:"byte_test hex string"; content:"v="; byte_test:2,=,255,0,relative,string,hex; sid:1092;)
        alert tcp any any -> any 7086 (msg:"set quietly"; flow:to_server; content:"LOGIN"; flowbits:set,logged; flowbits:noalert; sid:1093;)
        alert tcp any 7086 -> any any (msg:"isset"; flow:to_client; content:"WELCOME"; flowbits:isset,logged; sid:1094;)
        alert tcp any 7086 -> any any (msg:"isnotset"; flow:to_client; content:"DENIED"; flowbits:isnotset,logged; sid:1095;)
        alert udp any any -> any 7087 (msg:"read after set, same packet"; content:"B"; flowbits:isset,ab; sid:1097;)
        alert udp any any -> any 7087 (msg:"set"; content:"AB"; flowbits:set,ab; sid:1096;)
        alert udp any any -> any 7088 (msg:"unset"; content:"RESET"; flowbits:unset,u; flowbits:noalert; sid:1098;)
        alert udp any any -> any 7088 (msg:"set u"; content:"SETU"; flowbits:set,u; flowbits:noalert; sid:1099;)
        alert udp any any -> any 7088 (msg:"u isset"; content:"CHECK"; flowbits:isset,u; sid:1100;)
        alert udp any any -> any 7088 (msg:"any of"; content:"EITHER"; flowbits:isset,x|u; sid:1101;)
        alert udp any any -> any 7088 (msg:"all of"; content:"BOTH"; flowbits:isset,x&u; sid:1102;)
        alert tcp any any -> any 7089 (msg:"stream_size client small"; flow:established,to_server; stream_size:client,<,10; content:"HI"; sid:1103;)
        alert tcp any any -> any 7090 (msg:"stream_size server untouched"; flow:established,to_server; stream_size:server,=,1; content:"FIRST"; sid:1104;)
        alert tcp any any -> any 7091 (msg:"stream_size either"; stream_size:either,>,20; content:"LATE"; sid:1105;)
        alert tcp any any -> any 7092 (msg:"stream_size packet rule"; stream_size:client,>=,4; dsize:3; sid:1106;)
        alert udp any any -> any 7093 (msg:"xbits set by source"; content:"MARK"; xbits:set,seen,track ip_src,expire 60; noalert; sid:1107;)
        alert udp any any -> any 7094 (msg:"xbits isset in another flow"; content:"CHECK"; xbits:isset,seen,track ip_src; sid:1108;)
        alert udp any any -> any 7094 (msg:"xbits isnotset"; content:"FRESH"; xbits:isnotset,seen,track ip_src; sid:1109;)
        alert udp any any -> any 7095 (msg:"xbits pair set"; content:"P1"; xbits:set,pair,track ip_pair; noalert; sid:1110;)
        alert udp any any -> any 7095 (msg:"xbits pair either way"; content:"P2"; xbits:isset,pair,track ip_pair; sid:1111;)
        """;

    /// <summary>Sids the capture is built to make Suricata raise (so a keyword that never fires cannot pass unnoticed).</summary>
    public static readonly IReadOnlyList<int> MustAlert = [.. Enumerable.Range(1066, 27), 1094, 1095, 1096, 1097, 1100, 1101, 1103, 1104, 1105, 1106, 1108, 1109, 1111];

    private static readonly NetAddress Client = NetAddress.Parse("10.2.0.1");
    private static readonly NetAddress Server = NetAddress.Parse("10.3.0.1");
    private static ushort s_nextClientPort = 40000;

    public static List<byte[]> Frames()
    {
        s_nextClientPort = 40000;
        var frames = new List<byte[]>();
        void Tcp(ushort port, Action<TcpConversation> script)
        {
            var conversation = new TcpConversation("10.2.0.1", s_nextClientPort++, "10.3.0.1", port).Handshake();
            script(conversation);
            conversation.Close();
            frames.AddRange(conversation.Frames);
        }
        void Udp(string source, ushort sourcePort, string destination, ushort port, string payload) =>
            frames.Add(PacketBuilder.Udp(NetAddress.Parse(source), sourcePort, NetAddress.Parse(destination), port, TcpConversation.Bytes(payload)));
        void UdpOut(ushort port, string payload) => Udp("10.2.0.1", s_nextClientPort++, "10.3.0.1", port, payload);

        Tcp(80, c => c.Client("GET /admin HTTP/1.0\r\n\r\n"));
        Tcp(8080, c => c.Client("GET /index HTTP/1.0\r\n\r\n"));
        Tcp(7002, c => c.Client("xx SeLeCt * from t"));
        Tcp(7002, c => c.Client("xx selec t"));
        Tcp(7003, c => c.Client(Hex("00 de ad 78 be ef 00")));
        Tcp(7003, c => c.Client(Hex("00 de ad 79 be ef 00")));
        Tcp(7004, c => c.Client("xxMAGIC rest"));
        Tcp(7004, c => c.Client("xxxMAGIC rest"));
        Tcp(7004, c => c.Client("first segment").Client("xxMAGIC later"));
        Tcp(7005, c => c.Client("user=a pass"));
        Tcp(7005, c => c.Client("userpass"));
        Tcp(7005, c => c.Client("user=aaaaaaaaaaaaaaaa pass"));
        Tcp(7006, c => c.Client("xxSPLIT").Client("PATTERNyy"));
        Tcp(7006, c => c.Client("xxSPLIT").Client("PATTERzyy"));
        Tcp(7007, c => c.Client("q ID=1234X"));
        Tcp(7007, c => c.Client("q id=12x"));
        Tcp(7008, c => c.Client("key=abcdef;"));
        Tcp(7008, c => c.Client("key=xyz; abc;"));
        Tcp(7009, c => c.Client("HELLO"));
        Tcp(7009, c => c.Server("HELLO"));
        Tcp(7010, c => c.Server("BANNER v1"));
        Tcp(7010, c => c.Client("BANNER v1"));
        Tcp(7011, c => c.Client("data"));
        UdpOut(7012, new string('a', 150));
        UdpOut(7012, new string('a', 50));
        UdpOut(7013, new string('a', 15));
        UdpOut(7013, new string('a', 20));
        UdpOut(7013, new string('a', 10));
        frames.AddRange(new TcpConversation("10.2.0.1", s_nextClientPort++, "10.3.0.1", 7014).Handshake().Close().Frames);
        Tcp(7015, c => c.Client("push"));
        frames.AddRange(new TcpConversation("10.2.0.1", s_nextClientPort++, "10.3.0.1", 7016).Handshake().Frames);
        Tcp(7017, c => c.Client("x"));
        frames.AddRange(new TcpConversation("10.2.0.1", s_nextClientPort++, "10.3.0.1", 7018).Handshake(TcpFlags.Ece | TcpFlags.Cwr).Close().Frames);
        UdpOut(7019, "a ping here");
        UdpOut(7019, "a ping pong");
        Tcp(7020, c => c.Client("please DROPME now"));
        Tcp(7021, c => c.Client("SAFE TOKEN"));
        Tcp(7021, c => c.Client("TOKEN only"));
        Tcp(7021, c => c.Client("SAFE first").Client("then TOKEN"));
        frames.Add(PacketBuilder.IcmpEcho(Client, Server, request: true, id: 77, sequence: 1, TcpConversation.Bytes("xxICMPDATAxx")));
        frames.Add(PacketBuilder.IcmpEcho(Server, Client, request: false, id: 77, sequence: 1, TcpConversation.Bytes("xxICMPDATAxx")));
        frames.Add(PacketBuilder.IcmpEcho(Client, Server, request: true, id: 78, sequence: 1, TcpConversation.Bytes("nothing")));
        Udp("10.9.9.9", 5000, "10.3.0.1", 5001, "any");
        Udp("10.2.0.1", 5002, "8.8.8.8", 7025, "out");
        Udp("10.1.0.5", 5003, "8.8.8.8", 7025, "out");
        Udp("10.2.0.1", 5004, "10.3.3.3", 7025, "in");
        Udp("10.2.0.1", 5005, "10.3.0.1", 7026, "p");
        Udp("10.2.0.1", 5006, "10.3.0.1", 7027, "p");
        Udp("10.2.0.1", 5007, "10.3.0.1", 7028, "p");
        Udp("10.2.0.1", 1000, "10.3.0.1", 7026, "p");
        Udp("10.6.0.1", 7029, "10.5.0.1", 5008, "BIDI back");
        Udp("10.5.0.1", 5009, "10.6.0.1", 7029, "BIDI fwd");
        Udp("10.6.0.1", 7030, "10.5.0.1", 5010, "no bidi");
        UdpOut(7030, "xa;b\"c\\dx");
        UdpOut(7030, "xa;b\"cdx");
        UdpOut(7031, "ABxxCD");
        UdpOut(7031, "ABxxxCD");
        UdpOut(7032, "X=aaaaaaaaaa X=abEND");
        UdpOut(7032, "X=aaaaaaaaaaEND");
        Udp("10.2.0.1", 5011, "10.3.0.1", 7033, "req");
        Udp("10.3.0.1", 7033, "10.2.0.1", 5011, "reply");
        Udp("10.2.0.1", 5011, "10.3.0.1", 7033, "req2");
        Udp("10.2.0.1", 5012, "10.3.0.1", 7033, "req");
        Udp("10.2.0.1", 5012, "10.3.0.1", 7033, "req again");
        Tcp(7034, c => c.Client("host: EVIL.example"));
        Tcp(7034, c => c.Client("evil host"));
        Tcp(7035, c => c.Client("BEGIN here").Client("and FINISH"));
        Tcp(7035, c => c.Client("FINISH first").Client("BEGIN last"));
        Tcp(7036, c => c.ClientOutOfOrder("xxOUTOF", "ORDERyy"));
        Tcp(7037, c => c.Server("REPLY"));
        Tcp(7037, c => c.Client("REPLY"));
        UdpOut(7038, "STATELESS");
        UdpOut(7039, "12345");
        UdpOut(7039, "123456");
        UdpOut(7040, "abc");
        UdpOut(7040, "abcd");
        Tcp(7041, c => c.Client("HEAD /x"));
        Tcp(7041, c => c.Client(" HEAD /x"));
        Tcp(7041, c => c.Client("HE").Client("AD /x"));
        Tcp(7041, c => c.Client("0123").Client("HE").Client("AD /x"));
        Tcp(7042, c => c.Client("123456TAIL"));
        Tcp(7042, c => c.Client("12345TAIL"));
        UdpOut(7043, "cmd=run now");
        UdpOut(7043, "cmd=safe now");
        UdpOut(7043, "cmd=run now and later safe");
        Tcp(7044, c => c.Client("name=guest"));
        Tcp(7044, c => c.Client("name=admin"));
        Udp("10.2.0.1", 5013, "10.3.0.1", 7045, "SAFE first");
        Udp("10.2.0.1", 5013, "10.3.0.1", 7045, "then TOKEN");
        Udp("10.2.0.1", 5014, "10.3.0.1", 7045, "TOKEN only");
        Tcp(7046, c => c.Client("xxFIRSTSEEN").ClientRetransmit(9, "SECONDSEEN"));
        UdpOut(7047, "abxxcd");
        UdpOut(7047, "abxxxcd");
        UdpOut(7047, "abcd");
        Tcp(7048, c => c.Client("xAB").Client("CDEFG").Client("HIx"));
        var v6 = new TcpConversation("2001:db8::1", 40500, "2001:db8::2", 7049).Handshake().Client("xxV6PA").Client("TTERNxx").Close();
        frames.AddRange(v6.Frames);
        Tcp(7050, c => c.ClientOutOfOrder("0123", "4567").Client("89"));
        frames.Add(PacketBuilder.Tcp(Client, 40600, Server, 7051, TcpFlags.None, 1, 0));
        frames.Add(PacketBuilder.Tcp(Client, 40601, Server, 7051, TcpFlags.Ack, 1, 0));
        Tcp(7052, c => c.Client("xx sel").Client("eeect"));
        UdpOut(7053, "key=abc;");
        UdpOut(7053, "abc; key=zz");
        Udp("10.4.4.4", 5015, "10.3.0.1", 7054, "TOKEN");
        Udp("10.3.0.1", 7054, "10.4.4.4", 5015, "TOKEN back");
        Udp("10.2.0.1", 5016, "10.3.0.1", 7054, "TOKEN");
        Tcp(7055, c => c.Client("KILL").Server("AFTER"));
        Tcp(7055, c => c.Client("fine").Server("AFTER"));
        Tcp(7056, c => c.Client("xx").Client("GET /"));
        Tcp(7056, c => c.Client("xGE").Client("T /"));
        Udp("2001:db8::1", 5017, "2001:db8::2", 7057, "v6");
        Udp("10.2.0.1", 5018, "8.8.8.8", 7057, "v4 out");
        Udp("10.2.0.1", 5019, "10.3.0.1", 7057, "v4 in");
        Udp("2001:db8::1", 5020, "2001:db8::2", 7058, "v6 in list");
        Udp("2001:db8::1", 5021, "2001:db8::5", 7058, "v6 excluded");
        Udp("2001:db8::1", 5022, "2001:db9::2", 7058, "v6 outside");
        Udp("10.2.0.1", 5023, "10.3.0.1", 7059, "v4 kept");
        Udp("10.1.0.5", 5024, "10.3.0.1", 7059, "v4 negated");
        Udp("2001:db8::1", 5025, "2001:db8::2", 7059, "v6 listed");
        Udp("2001:db9::1", 5026, "2001:db8::2", 7059, "v6 not listed");
        frames.AddRange(new TcpConversation("10.2.0.1", 40700, "10.3.0.1", 7060).Handshake().Frames);
        frames.AddRange(new TcpConversation("10.2.0.1", 40701, "10.3.0.1", 7061).Handshake().Frames);
        Udp("2001:db8::1", 5027, "2001:db8::2", 7062, "v6 to v6 cidr");
        Udp("10.2.0.1", 5028, "10.3.0.1", 7062, "v4 to v6 cidr");
        Udp("10.200.0.1", 5029, "10.3.0.1", 7063, "inside the cleared /8");
        Udp("11.0.0.1", 5030, "10.3.0.1", 7063, "outside the /8");
        frames.Add(Icmp("10.7.0.1", 3, 1));
        frames.Add(Icmp("10.7.0.1", 3, 0));
        frames.Add(PacketBuilder.IcmpEcho(NetAddress.Parse("10.7.0.2"), Server, request: true, id: 1, sequence: 1));
        frames.Add(PacketBuilder.IcmpEcho(NetAddress.Parse("10.7.0.2"), Server, request: false, id: 2, sequence: 1));
        frames.Add(PacketBuilder.IcmpEcho(NetAddress.Parse("10.7.0.3"), Server, request: true, id: 77, sequence: 2));
        frames.Add(PacketBuilder.IcmpEcho(NetAddress.Parse("10.7.0.3"), Server, request: true, id: 77, sequence: 1));
        frames.Add(Icmp("10.7.0.3", 3, 1));
        frames.Add(UdpWithTtl(5031, 7064, 5));
        frames.Add(UdpWithTtl(5032, 7064, 64));
        frames.Add(UdpWithTtl(5033, 7065, 35));
        frames.Add(UdpWithTtl(5034, 7065, 30));
        Udp("10.7.0.4", 5035, "10.3.0.1", 5036, "udp");
        frames.Add(PacketBuilder.Tcp(NetAddress.Parse("10.7.0.4"), 40800, Server, 5037, TcpFlags.Syn, 1, 0));
        Udp("10.7.0.5", 5038, "10.3.0.1", 5039, "udp");
        frames.Add(PacketBuilder.Tcp(NetAddress.Parse("10.7.0.5"), 40801, Server, 5040, TcpFlags.Syn, 1, 0));
        var withId = PacketBuilder.Udp(Client, 5041, Server, 7066, "id"u8);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(withId.AsSpan(14 + 4), 4321);
        frames.Add(withId);
        frames.Add(PacketBuilder.Udp(Client, 5042, Server, 7066, "no id"u8));
        frames.Add(PacketBuilder.Tcp(Client, 40802, Server, 7067, TcpFlags.Syn, 5000, 0));
        frames.Add(PacketBuilder.Tcp(Client, 40803, Server, 7067, TcpFlags.Syn, 5001, 0));
        frames.Add(PacketBuilder.Tcp(Client, 40804, Server, 7068, TcpFlags.Syn, 1, 0, window: 1024));
        frames.Add(PacketBuilder.Tcp(Client, 40805, Server, 7068, TcpFlags.Syn, 1, 0));
        Tcp(7069, c => c.Client("xPKTONLYx"));
        Tcp(7069, c => c.Client("xPKT").Client("ONLYx"));
        Tcp(7070, c => c.Client("xSPLITNSx"));
        Tcp(7070, c => c.Client("xSPLIT").Client("NSx"));
        Tcp(7071, c => c.Client("STREAMONLY"));
        Tcp(7071, c => c.Client("STREAM").Client("ONLY"));
        foreach (var (port, text) in new[] { (7072, "LIM"), (7073, "THR"), (7074, "BOTH"), (7075, "DF") })
        {
            for (int i = 0; i < 4; i++)
            {
                UdpOut((ushort)port, text);
            }
        }
        UdpOut(7076, "xxLENabc");
        UdpOut(7076, "xxLENab");
        UdpOut(7077, "host.com");
        UdpOut(7077, "host.com.evil");
        UdpBytes(7078, [0x41, 0x42, 3, 0x44]);
        UdpBytes(7078, [0x41, 0x42, 4, 0x44]);
        UdpOut(7079, "HDR\u0001");
        UdpOut(7079, "HDRA");
        UdpOut(7080, "len=150;");
        UdpOut(7080, "len=099;");
        UdpOut(7080, "len=1x0;");
        UdpBytes(7081, [1, 2, 9]);
        UdpBytes(7081, [2, 1, 9]);
        UdpBytes(7082, [(byte)'J', 3, (byte)'a', (byte)'b', (byte)'c', .. "TARGET"u8]);
        UdpBytes(7082, [(byte)'J', 2, (byte)'a', (byte)'b', (byte)'c', .. "TARGET"u8]);
        Tcp(7083, c => c.Client([(byte)'M', 2, (byte)'a', (byte)'b', (byte)'c', (byte)'d', (byte)'e', (byte)'X']));
        Tcp(7083, c => c.Client([(byte)'M', 2, (byte)'a', (byte)'b', (byte)'c', (byte)'d', (byte)'X', (byte)'e']));
        UdpBytes(7084, [0x3F]);
        UdpBytes(7084, [0x2F]);
        UdpOut(7085, "v=ff");
        UdpOut(7085, "v=fe");
        Tcp(7086, c => c.Client("LOGIN bob").Server("WELCOME bob"));
        Tcp(7086, c => c.Client("HELLO").Server("WELCOME stranger").Server("DENIED"));
        Udp("10.2.0.1", 5043, "10.3.0.1", 7087, "xAB");
        Udp("10.2.0.1", 5044, "10.3.0.1", 7087, "xB");
        Udp("10.2.0.1", 5045, "10.3.0.1", 7088, "SETU");
        Udp("10.2.0.1", 5045, "10.3.0.1", 7088, "CHECK");
        Udp("10.2.0.1", 5045, "10.3.0.1", 7088, "EITHER");
        Udp("10.2.0.1", 5045, "10.3.0.1", 7088, "BOTH");
        Udp("10.2.0.1", 5046, "10.3.0.1", 7088, "SETU");
        Udp("10.2.0.1", 5046, "10.3.0.1", 7088, "RESET");
        Udp("10.2.0.1", 5046, "10.3.0.1", 7088, "CHECK");
        Udp("10.2.0.1", 5047, "10.3.0.1", 7088, "CHECK EITHER");
        Tcp(7089, c => c.Client("HI"));
        Tcp(7089, c => c.Client("xxxxxxxxxxxx").Client("HI"));
        Tcp(7090, c => c.Client("FIRST"));
        Tcp(7090, c => c.Server("banner").Client("FIRST"));
        Tcp(7091, c => c.Client("0123456789abcdefghijk").Client("LATE"));
        Tcp(7091, c => c.Client("LATE"));
        Tcp(7092, c => c.Client("abc"));
        Tcp(7092, c => c.Client("ab"));
        Udp("10.8.0.1", 5048, "10.3.0.1", 7093, "MARK");
        Udp("10.8.0.1", 5049, "10.3.0.1", 7094, "CHECK");
        Udp("10.8.0.2", 5050, "10.3.0.1", 7094, "CHECK");
        Udp("10.8.0.2", 5051, "10.3.0.1", 7094, "FRESH");
        Udp("10.8.0.1", 5052, "10.3.0.1", 7094, "FRESH");
        Udp("10.8.0.3", 5053, "10.3.0.1", 7095, "P1");
        Udp("10.3.0.1", 5054, "10.8.0.3", 7095, "P2");
        Udp("10.8.0.4", 5055, "10.3.0.1", 7095, "P2");
        return frames;

        void UdpBytes(ushort destinationPort, byte[] payload) =>
            frames.Add(PacketBuilder.Udp(Client, s_nextClientPort++, Server, destinationPort, payload));

        static byte[] Icmp(string source, byte type, byte code)
        {
            byte[] message = [type, code, 0, 0, 0, 0, 0, 0, 0x45, 0, 0, 20];
            return PacketBuilder.Ip(NetAddress.Parse(source), Server, IpProtocol.Icmp, message, checksumOffset: 2);
        }

        static byte[] UdpWithTtl(ushort sourcePort, ushort destinationPort, byte ttl)
        {
            var datagram = new byte[10];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(datagram, sourcePort);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(datagram.AsSpan(2), destinationPort);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(datagram.AsSpan(4), 10);
            return PacketBuilder.Ip(Client, Server, IpProtocol.Udp, datagram, checksumOffset: 6, ttl: ttl);
        }
    }

    private static byte[] Hex(string text) => Convert.FromHexString(text.Replace(" ", "", StringComparison.Ordinal));
}
