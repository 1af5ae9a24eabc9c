namespace AzNf.NetworkFunctions.Chain;

/// <summary>
/// A stage's deadline and what happens when it is missed, from the chain file. Only the durable
/// path reads it; the embedded engine runs every stage to completion.
/// </summary>
/// <param name="Stage">The stage name.</param>
/// <param name="Deadline">How long the stage may take for one unit of work; null = no deadline.</param>
/// <param name="OnDeadline">The policy when <paramref name="Deadline"/> is missed.</param>
public sealed record StageQos(string Stage, TimeSpan? Deadline, DeadlinePolicy OnDeadline);
