using System.Reflection;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Entities;
using Microsoft.Extensions.DependencyInjection;

namespace AzNf.DurableRuntime;

/// <summary>
/// The orchestrator, activity and entity classes a worker runs, by the name Durable Task knows
/// them by (<see cref="DurableTaskAttribute"/>'s name, else the class name). Instances are built
/// per work item with constructor injection from the host's services.
/// </summary>
public sealed class TaskTypeCatalog
{
    private readonly Dictionary<string, Type> _orchestrators = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, Type> _activities = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, Type> _entities = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Adds each type to the orchestrators, activities or entities, by the interface it implements.</summary>
    public TaskTypeCatalog Add(params IEnumerable<Type> types)
    {
        foreach (var type in types)
        {
            Add(type.GetCustomAttribute<DurableTaskAttribute>()?.Name.Name ?? type.Name, type);
        }
        return this;
    }

    /// <summary>Adds <paramref name="type"/> under <paramref name="name"/>.</summary>
    public TaskTypeCatalog Add(string name, Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        var table = typeof(ITaskOrchestrator).IsAssignableFrom(type) ? _orchestrators
            : typeof(ITaskActivity).IsAssignableFrom(type) ? _activities
            : typeof(ITaskEntity).IsAssignableFrom(type) ? _entities
            : throw new ArgumentException($"{type.FullName} is not an orchestrator, activity or entity", nameof(type));
        if (!table.TryAdd(name, type))
        {
            throw new ArgumentException($"two tasks are named '{name}': {table[name].FullName} and {type.FullName}", nameof(name));
        }
        return this;
    }

    internal ITaskOrchestrator? CreateOrchestrator(string name, IServiceProvider services) => Create<ITaskOrchestrator>(_orchestrators, name, services);

    internal ITaskActivity? CreateActivity(string name, IServiceProvider services) => Create<ITaskActivity>(_activities, name, services);

    internal ITaskEntity? CreateEntity(string name, IServiceProvider services) => Create<ITaskEntity>(_entities, name, services);

    internal bool HasEntity(string name) => _entities.ContainsKey(name);

    private static T? Create<T>(Dictionary<string, Type> table, string name, IServiceProvider services)
        where T : class =>
        table.TryGetValue(name, out var type) ? (T)ActivatorUtilities.CreateInstance(services, type) : null;
}
