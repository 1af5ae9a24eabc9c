namespace AzNf.NetworkFunctions.Firewall;

/// <summary>What a matching rule (or the default policy) does with a packet.</summary>
public enum FirewallAction : byte
{
    Allow = 0,
    Deny = 1,
}
