using Switchyard.Tenancy;

namespace Switchyard.Hosting;

/// <summary>
/// Before the server starts listening: opens (creating and migrating) the store, replays the spend journal a previous
/// process left into it, then loads keys and tenants, so their running spend includes the replayed records, and the
/// deployments stored through /model/new into the route table.
/// </summary>
public sealed class StoreInitializer(TenancyService tenancy, SpendWriter spend, GatewayState state, Deployments.StoredModelService models) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await tenancy.Store.InitializeAsync(cancellationToken);
        await spend.OpenJournalAsync(cancellationToken);
        await tenancy.LoadAsync(state.Current.Config, cancellationToken);
        await models.LoadAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
