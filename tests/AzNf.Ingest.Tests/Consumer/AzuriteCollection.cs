using AzNf.TestOracles;

namespace AzNf.Ingest.Tests.Consumer;

[CollectionDefinition(AzuriteFixture.Collection)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>;
