namespace AzNf.Orchestrations.Models;

/// <summary>
/// The input of the flow entity's <c>Delete</c>: how long, by the entity's own clock, a tombstone
/// must have gone without an Apply before it may be removed.
/// </summary>
/// <remarks>Seconds as a double, like <see cref="FlowUpdate.IdleTimeoutSeconds"/>, so every host's JSON reads it the same way.</remarks>
public sealed record FlowDeleteRequest(double RetentionSeconds);
