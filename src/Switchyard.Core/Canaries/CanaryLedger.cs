using System.Collections.Concurrent;
using Switchyard.Core.Config;

namespace Switchyard.Core.Canaries;

/// <summary>
/// Every alias's recent outcomes per route group (the evidence <c>alias status</c> shows and <c>alias promote</c>
/// checks) and auto-rollback state. Long-lived: it survives config reloads, like deployment state.
/// </summary>
public sealed class CanaryLedger
{
    private readonly ConcurrentDictionary<string, AliasEvidence> _aliases = new(StringComparer.Ordinal);

    /// <summary>A canary breached its auto_rollback threshold and stopped taking traffic (raised once per trip).</summary>
    public event Action<CanaryTrip>? Tripped;

    /// <summary>The alias's evidence (created on first use).</summary>
    public AliasEvidence For(string alias) => _aliases.GetOrAdd(alias, static (name, self) => new AliasEvidence(name, self), this);

    public AliasEvidence? Find(string alias) => _aliases.GetValueOrDefault(alias);

    /// <summary>Brings auto-rollback state in line with a new config snapshot's canaries.</summary>
    public void Reconcile(IReadOnlyDictionary<string, CanaryConfig> canaries)
    {
        ArgumentNullException.ThrowIfNull(canaries);
        foreach (var (alias, evidence) in _aliases)
        {
            evidence.Reconcile(canaries.GetValueOrDefault(alias));
        }
    }

    internal void RaiseTripped(CanaryTrip trip) => Tripped?.Invoke(trip);
}
