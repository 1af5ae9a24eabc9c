using System.Text.Json;

namespace AzNf.Functions.Tests;

/// <summary>The host.json that ships with the app: the task hub and backend settings the durable path depends on.</summary>
public sealed class HostJsonTests
{
    private static JsonElement DurableTask()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(FunctionsOutput.File("host.json")));
        Assert.Equal("2.0", document.RootElement.GetProperty("version").GetString());
        return document.RootElement.GetProperty("extensions").GetProperty("durableTask").Clone();
    }

    [Fact]
    public void HostJson_TaskHub_ComesFromTheTaskHubSetting()
    {
        Assert.Equal("%TASKHUB_NAME%", DurableTask().GetProperty("hubName").GetString());
    }

    [Fact]
    public void HostJson_Backend_IsAzureStorageOnTheHostConnection()
    {
        var provider = DurableTask().GetProperty("storageProvider");

        Assert.Equal("AzureStorage", provider.GetProperty("type").GetString());
        Assert.Equal("AzureWebJobsStorage", provider.GetProperty("connectionName").GetString());
        Assert.True(provider.GetProperty("partitionCount").GetInt32() >= 1);
    }

    [Fact]
    public void HostJson_QueueSettings_SameAsTheDurableRuntimesDefaults()
    {
        // One set of measured trade-offs (docs/durable.md, Task hub settings) for both hosts of the durable path.
        var provider = DurableTask().GetProperty("storageProvider");

        Assert.Equal(DurableRuntime.DurableRuntimeOptions.DefaultControlQueuePartitions, provider.GetProperty("partitionCount").GetInt32());
        Assert.Equal(DurableRuntime.DurableRuntimeOptions.DefaultMaxQueuePollingInterval, TimeSpan.Parse(provider.GetProperty("maxQueuePollingInterval").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void HostJson_ExtendedSessions_AreOff()
    {
        // With extended sessions on, entity state was lost between batches on this backend (docs/durable.md).
        Assert.False(DurableTask().GetProperty("extendedSessionsEnabled").GetBoolean());
    }
}
