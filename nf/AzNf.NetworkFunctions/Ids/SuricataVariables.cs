namespace AzNf.NetworkFunctions.Ids;

/// <summary>
/// The address and port groups of Suricata 7's stock <c>suricata.yaml</c>, which public rule sets
/// (ET Open) are written against: what <c>aznf rules check</c> resolves <c>$HOME_NET</c> and the
/// rest with when it is given no chain or <c>--var</c>.
/// </summary>
public static class SuricataVariables
{
    public static IReadOnlyDictionary<string, string> Defaults { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["HOME_NET"] = "[192.168.0.0/16,10.0.0.0/8,172.16.0.0/12]",
        ["EXTERNAL_NET"] = "!$HOME_NET",
        ["HTTP_SERVERS"] = "$HOME_NET",
        ["SMTP_SERVERS"] = "$HOME_NET",
        ["SQL_SERVERS"] = "$HOME_NET",
        ["DNS_SERVERS"] = "$HOME_NET",
        ["TELNET_SERVERS"] = "$HOME_NET",
        ["AIM_SERVERS"] = "$EXTERNAL_NET",
        ["DC_SERVERS"] = "$HOME_NET",
        ["DNP3_SERVER"] = "$HOME_NET",
        ["DNP3_CLIENT"] = "$HOME_NET",
        ["MODBUS_CLIENT"] = "$HOME_NET",
        ["MODBUS_SERVER"] = "$HOME_NET",
        ["ENIP_CLIENT"] = "$HOME_NET",
        ["ENIP_SERVER"] = "$HOME_NET",
        ["HTTP_PORTS"] = "80",
        ["SHELLCODE_PORTS"] = "!80",
        ["ORACLE_PORTS"] = "1521",
        ["SSH_PORTS"] = "22",
        ["DNP3_PORTS"] = "20000",
        ["MODBUS_PORTS"] = "502",
        ["FILE_DATA_PORTS"] = "[$HTTP_PORTS,110,143]",
        ["FTP_PORTS"] = "21",
        ["GENEVE_PORTS"] = "6081",
        ["VXLAN_PORTS"] = "4789",
        ["TEREDO_PORTS"] = "3544",
    };
}
