namespace AzNf.NetworkFunctions.Ids;

/// <summary>Why one rule was rejected; caught per rule so the rest of the file still loads.</summary>
public sealed class RuleSyntaxException(string message) : Exception(message);
