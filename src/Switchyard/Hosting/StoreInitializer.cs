using Switchyard.Tenancy;

namespace Switchyard.Hosting;

/// <summary>Opens (creating and migrating) the store and loads keys and tenants before the server starts listening.</summary>
public sealed class StoreInitializer(TenancyService tenancy, GatewayState state) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => tenancy.LoadAsync(state.Current.Config, cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
