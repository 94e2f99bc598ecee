using System.Security.Cryptography;
using System.Text;
using Switchyard.Core.Config;
using Switchyard.Core.Deployments;
using Switchyard.Core.Routing;
using Switchyard.Core.Tenancy;

namespace Switchyard.Hosting;

/// <summary>
/// The live configuration snapshot, swapped atomically. Requests read <see cref="Current"/> once and keep that
/// snapshot to the end; long-lived state (breakers, in-flight counts) lives in <see cref="States"/> and survives swaps.
/// A snapshot's config is the file's with the deployments stored through /model/new merged in
/// (<see cref="StoredDeployments.Merge"/>): a reload keeps the stored ones, a stored change keeps the file's.
/// </summary>
public sealed class GatewayState
{
    private readonly Lock _lock = new();
    private GatewaySnapshot _current;
    private GatewayConfig _file;
    private IReadOnlyList<StoredDeployment> _stored = [];

    public GatewayState(GatewayConfig config, DeploymentStateRegistry states)
    {
        States = states;
        _file = config;
        _current = new GatewaySnapshot(config, states);
    }

    public DeploymentStateRegistry States { get; }

    public GatewaySnapshot Current => Volatile.Read(ref _current);

    /// <summary>The config file's snapshot alone, without stored deployments.</summary>
    public GatewayConfig FileConfig
    {
        get
        {
            lock (_lock)
            {
                return _file;
            }
        }
    }

    /// <summary>Swaps in a new config file's snapshot; the stored deployments are merged into it again.</summary>
    public void Swap(GatewayConfig config)
    {
        lock (_lock)
        {
            _file = config;
            Publish();
        }

        States.Canaries.Reconcile(config.Canaries); // a rolled-back canary the file no longer has is forgotten
    }

    /// <summary>Replaces the stored deployments (as the store holds them now) and rebuilds the route table with them.</summary>
    public void SetStoredDeployments(IReadOnlyList<StoredDeployment> stored)
    {
        lock (_lock)
        {
            _stored = stored;
            Publish();
        }
    }

    private void Publish()
    {
        var cipher = _file.Store.EncryptionKey is { Length: > 0 } key ? new CredentialCipher(key) : null;
        var merged = StoredDeployments.Merge(_file, _stored, cipher, Environment.GetEnvironmentVariable, out var models);
        Volatile.Write(ref _current, new GatewaySnapshot(merged, States) { StoredModels = models });
    }
}

/// <summary>Everything derived from one config, computed once: the route table and the master key hashes.</summary>
public sealed class GatewaySnapshot(GatewayConfig config, DeploymentStateRegistry states)
{
    /// <summary>The config file's settings with the stored deployments merged into <see cref="GatewayConfig.Deployments"/>.</summary>
    public GatewayConfig Config { get; } = config;

    /// <summary>Every stored deployment with how it joined this snapshot (or why it did not).</summary>
    public IReadOnlyList<StoredModelState> StoredModels { get; init; } = [];

    public RouteTable Routes { get; } = new(config, states);

    public byte[][] MasterKeyHashes { get; } = config.Auth.MasterKeys.Select(k => SHA256.HashData(Encoding.UTF8.GetBytes(k.Value))).ToArray();

    /// <summary>When each master key (same index as <see cref="MasterKeyHashes"/>) stops working; null = no end.</summary>
    public DateTimeOffset?[] MasterKeyValidUntil { get; } = config.Auth.MasterKeys.Select(k => k.ValidUntil).ToArray();
}
