using System.Security.Cryptography;
using System.Text;
using Switchyard.Core.Config;
using Switchyard.Core.Routing;

namespace Switchyard.Hosting;

/// <summary>
/// The live configuration snapshot, swapped atomically. Requests read <see cref="Current"/> once and keep that
/// snapshot to the end; long-lived state (breakers, in-flight counts) lives in <see cref="States"/> and survives swaps.
/// </summary>
public sealed class GatewayState
{
    private GatewaySnapshot _current;

    public GatewayState(GatewayConfig config, DeploymentStateRegistry states)
    {
        States = states;
        _current = new GatewaySnapshot(config, states);
    }

    public DeploymentStateRegistry States { get; }

    public GatewaySnapshot Current => Volatile.Read(ref _current);

    public void Swap(GatewayConfig config)
    {
        Volatile.Write(ref _current, new GatewaySnapshot(config, States));
        States.Canaries.Reconcile(config.Canaries); // a rolled-back canary the file no longer has is forgotten
    }
}

/// <summary>Everything derived from one config, computed once: the route table and the master key hashes.</summary>
public sealed class GatewaySnapshot(GatewayConfig config, DeploymentStateRegistry states)
{
    public GatewayConfig Config { get; } = config;

    public RouteTable Routes { get; } = new(config, states);

    public byte[][] MasterKeyHashes { get; } = config.Auth.MasterKeys.Select(k => SHA256.HashData(Encoding.UTF8.GetBytes(k.Value))).ToArray();

    /// <summary>When each master key (same index as <see cref="MasterKeyHashes"/>) stops working; null = no end.</summary>
    public DateTimeOffset?[] MasterKeyValidUntil { get; } = config.Auth.MasterKeys.Select(k => k.ValidUntil).ToArray();
}
