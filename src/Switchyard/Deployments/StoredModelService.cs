using Switchyard.Core.Tenancy;
using Switchyard.Hosting;

namespace Switchyard.Deployments;

/// <summary>
/// Deployments stored through /model/*: loads them into the live route table at start, writes admin changes store-first
/// and then rebuilds the table (no restart), and, with a shared store, picks up what other replicas wrote when the
/// directory version moved (<see cref="RefreshIfChangedAsync"/>, called by the directory refresher).
/// </summary>
public sealed partial class StoredModelService(IGatewayStore store, GatewayState state, ILogger<StoredModelService> logger) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private long _version = -1;

    public void Dispose() => _gate.Dispose();

    public async Task LoadAsync(CancellationToken ct)
    {
        await Locked(async () =>
        {
            if (store is ISharedGatewayStore shared)
            {
                Interlocked.Exchange(ref _version, await shared.DirectoryVersionAsync(ct)); // before the list: a change made meanwhile is reloaded
            }

            state.SetStoredDeployments(await store.ListDeploymentsAsync(ct));
        });
        var problems = state.Current.StoredModels.Count(m => m.Problem is not null);
        if (state.Current.StoredModels.Count > 0)
        {
            LogLoaded(logger, state.Current.StoredModels.Count, problems);
        }
    }

    /// <summary>Writes the deployment (new or replaced) and rebuilds the route table from what the store holds.</summary>
    public Task SaveAsync(StoredDeployment deployment, CancellationToken ct) => Locked(async () =>
    {
        await store.UpsertDeploymentAsync(deployment, ct);
        state.SetStoredDeployments(await store.ListDeploymentsAsync(ct));
    });

    public async Task<bool> DeleteAsync(string modelId, CancellationToken ct)
    {
        var deleted = false;
        await Locked(async () =>
        {
            deleted = await store.DeleteDeploymentAsync(modelId, ct);
            state.SetStoredDeployments(await store.ListDeploymentsAsync(ct));
        });
        return deleted;
    }

    /// <summary>
    /// With a shared store: when the directory version moved since this replica last looked, reloads the stored
    /// deployments and rebuilds the route table if they differ. True when the table was rebuilt.
    /// </summary>
    public async Task<bool> RefreshIfChangedAsync(CancellationToken ct)
    {
        if (store is not ISharedGatewayStore shared || await shared.DirectoryVersionAsync(ct) == Interlocked.Read(ref _version))
        {
            return false;
        }

        var changed = false;
        await Locked(async () =>
        {
            var version = await shared.DirectoryVersionAsync(ct);
            var stored = await store.ListDeploymentsAsync(ct);
            var current = state.Current.StoredModels.Select(m => m.Record).ToArray();
            if (!stored.SequenceEqual(current))
            {
                state.SetStoredDeployments(stored);
                changed = true;
            }

            Interlocked.Exchange(ref _version, version);
        });
        if (changed)
        {
            LogRefreshed(logger, state.Current.StoredModels.Count);
        }

        return changed;
    }

    private async Task Locked(Func<Task> work)
    {
        await _gate.WaitAsync();
        try
        {
            await work();
        }
        finally
        {
            _gate.Release();
        }
    }

    [LoggerMessage(EventId = 155, Level = LogLevel.Information, Message = "{Count} stored deployments loaded from the store; {Problems} of them not routed or disabled (see /model/info or switchyard doctor)")]
    private static partial void LogLoaded(ILogger logger, int count, int problems);

    [LoggerMessage(EventId = 156, Level = LogLevel.Information, Message = "stored deployments changed in the shared store; the route table was rebuilt with {Count}")]
    private static partial void LogRefreshed(ILogger logger, int count);
}
