using DurableTask.Core;
using DurableTask.Core.Entities;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Worker.Shims;
using CoreTaskEntity = DurableTask.Core.Entities.TaskEntity;

namespace AzNf.DurableRuntime;

// DurableTask.Core looks orchestrations, activities and entities up by name when a work item
// arrives. These managers answer from the catalog, building a fresh
// instance through the shims each time, so the project's classes run unchanged on Core.

/// <summary>Orchestrators from the registry, wrapped by the shim factory.</summary>
internal sealed class ShimOrchestrationManager(TaskTypeCatalog catalog, DurableTaskShimFactory shims, IServiceProvider services) : INameVersionObjectManager<TaskOrchestration>
{
    public void Add(ObjectCreator<TaskOrchestration> creator) => throw new NotSupportedException("register orchestrators in the DurableTaskRegistry");

    public TaskOrchestration? GetObject(string name, string? version) =>
        catalog.CreateOrchestrator(name, services) is { } orchestrator
            ? shims.CreateOrchestration(new TaskName(name), orchestrator, parent: null)
            : null;
}

/// <summary>Activities from the registry, wrapped by the shim factory.</summary>
internal sealed class ShimActivityManager(TaskTypeCatalog catalog, DurableTaskShimFactory shims, IServiceProvider services) : INameVersionObjectManager<TaskActivity>
{
    public void Add(ObjectCreator<TaskActivity> creator) => throw new NotSupportedException("register activities in the DurableTaskRegistry");

    public TaskActivity? GetObject(string name, string? version) =>
        catalog.CreateActivity(name, services) is { } activity
            ? shims.CreateActivity(new TaskName(name), activity)
            : null;
}

/// <summary>
/// Entities from the registry. Core asks for an entity by name only; the entity id arrives with
/// each batch, so the object handed to Core builds the shim for that id per batch.
/// </summary>
internal sealed class ShimEntityManager(TaskTypeCatalog catalog, DurableTaskShimFactory shims, IServiceProvider services) : INameVersionObjectManager<CoreTaskEntity>
{
    public void Add(ObjectCreator<CoreTaskEntity> creator) => throw new NotSupportedException("register entities in the DurableTaskRegistry");

    public CoreTaskEntity? GetObject(string name, string? version) =>
        catalog.HasEntity(name) ? new EntityByIdDispatch(name, catalog, shims, services) : null;

    private sealed class EntityByIdDispatch(string name, TaskTypeCatalog catalog, DurableTaskShimFactory shims, IServiceProvider services) : CoreTaskEntity
    {
        public override Task<DurableTask.Core.Entities.OperationFormat.EntityBatchResult> ExecuteOperationBatchAsync(DurableTask.Core.Entities.OperationFormat.EntityBatchRequest operations)
        {
            var id = EntityId.FromString(operations.InstanceId!);
            var entity = catalog.CreateEntity(name, services) ?? throw new InvalidOperationException($"entity '{name}' is not registered");
            return shims.CreateEntity(new TaskName(name), entity, id).ExecuteOperationBatchAsync(operations);
        }
    }
}
