using System.Diagnostics;

namespace AzNf.Partitions;

/// <summary>
/// One or more partitions stopped because their handler threw (a bug, never bad input): each
/// failure names the partition, the packets it was on and where it broke, in one line.
/// </summary>
public sealed class PartitionsFailedException(IReadOnlyList<PartitionFailure> failures)
    : AggregateException(string.Join("; ", failures.Select(f => f.Describe())), failures.Select(f => f.Exception))
{
    public IReadOnlyList<PartitionFailure> Failures { get; } = failures;
}

/// <summary>A partition's failure: its index, the sequence numbers of the batch it was handling (null: while opening or closing) and the exception.</summary>
public sealed record PartitionFailure(int Partition, long? FirstSequence, long? LastSequence, Exception Exception)
{
    /// <summary>One line: partition, packets, the exception's type and message, and the method that threw.</summary>
    public string Describe()
    {
        string where = FirstSequence is { } first ? $"on packets {first}..{LastSequence}" : "opening or closing";
        var error = Exception is AggregateException { InnerExceptions.Count: 1 } aggregate ? aggregate.InnerExceptions[0] : Exception;
        string at = new StackTrace(error).GetFrames()
            .Select(f => f.GetMethod())
            .FirstOrDefault(m => m?.DeclaringType?.Namespace?.StartsWith("AzNf.", StringComparison.Ordinal) == true) is { } method
            ? $" in {method.DeclaringType!.Name}.{method.Name}"
            : "";
        return $"partition {Partition} failed {where}: {error.GetType().Name}{at}: {error.Message.Split('\n')[0]}";
    }
}
