using AzNf.Functions.Settings;
using Microsoft.Extensions.Logging;

namespace AzNf.Functions;

/// <summary>
/// Every log line the Functions app writes, source-generated ([LoggerMessage]): no formatting or
/// boxing unless the level is on, and each message has a stable event id to alert on.
/// </summary>
internal static partial class FunctionsLog
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Error, Message = "chain {Chain}: the task hub did not answer")]
    public static partial void TaskHubUnavailable(ILogger logger, Exception exception, string chain);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Event Hubs ingestion is off ({Setting} is not set); packets arrive by the HTTP packet post only")]
    public static partial void IngestionOff(ILogger logger, string setting);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Error, Message = "chain {Chain}: could not read or apply the chain switch; retrying in {Poll}")]
    public static partial void ChainSwitchFailed(ILogger logger, Exception exception, string chain, TimeSpan poll);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Information, Message = "chain {Chain}: partition processor started on {Hub} ({Processing})")]
    public static partial void ProcessorStarted(ILogger logger, string chain, string? hub, ProcessingPath processing);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Information, Message = "chain {Chain}: partition processor stopped")]
    public static partial void ProcessorStopped(ILogger logger, string chain);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Error, Message = "partition {Partition}: {Operation} failed")]
    public static partial void PartitionOperationFailed(ILogger logger, Exception exception, string? partition, string operation);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "flow sweep: {Scanned} flows ({Live} live, {Tombstones} tombstones); {Expire} expire and {Delete} delete signals{Truncated}")]
    public static partial void FlowSweep(ILogger logger, int scanned, int live, int tombstones, int expire, int delete, string truncated);
}
