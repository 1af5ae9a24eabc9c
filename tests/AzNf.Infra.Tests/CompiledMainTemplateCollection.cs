namespace AzNf.Infra.Tests;

/// <summary>Shares one build of main.bicep among all test classes (a build takes seconds).</summary>
[CollectionDefinition(Name)]
public sealed class CompiledMainTemplateCollection : ICollectionFixture<CompiledMainTemplate>
{
    /// <summary>The collection name test classes opt into.</summary>
    public const string Name = "Compiled main.bicep";
}
