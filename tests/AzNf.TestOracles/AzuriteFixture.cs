using AzNf.Azurite;
using Xunit;

namespace AzNf.TestOracles;

/// <summary>
/// The one Azurite every test of an assembly shares: installed from the pinned npm package if
/// missing, started on free loopback ports, killed when the tests end. Tests keep apart by
/// naming their own tables, containers and task hubs. A test assembly opts in with
/// <c>[CollectionDefinition(AzuriteFixture.Collection)] class X : ICollectionFixture&lt;AzuriteFixture&gt;;</c>.
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    public const string Collection = "azurite";

    private AzuriteServer? _server;

    public AzuriteServer Server => _server ?? throw new InvalidOperationException("Azurite has not started");

    public string ConnectionString => Server.ConnectionString;

    /// <summary>A name no other test uses, for a table, queue or task hub (letters and digits, starts with a letter).</summary>
    public static string UniqueName(string prefix) => prefix + Guid.NewGuid().ToString("N")[..12];

    public async Task InitializeAsync() => _server = await AzuriteServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
