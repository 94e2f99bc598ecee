using System.Collections.Concurrent;
using Switchyard.Core.Config;

namespace Switchyard.Core.Canaries;

/// <summary>
/// One alias's recent outcomes, per route group it sent calls to (its primary, its canary, the old primary during a
/// promotion's grace period), and its auto-rollback state. Keyed by group name, so evidence follows a group across
/// promotions and reloads.
/// </summary>
public sealed class AliasEvidence(string alias, CanaryLedger ledger)
{
    private readonly ConcurrentDictionary<string, OutcomeWindow> _groups = new(StringComparer.Ordinal);
    private CanaryTrip? _trip;
    private long _evaluateFromTicks;

    public string Alias { get; } = alias;

    /// <summary>The rollback in force: the canary it stopped (target and share), when and why; null when none.</summary>
    public CanaryTrip? Trip => Volatile.Read(ref _trip);

    /// <summary>The window of one group (created on first use; no allocation after).</summary>
    public OutcomeWindow For(string group) => _groups.GetOrAdd(group, static _ => new OutcomeWindow());

    /// <summary>The figures of one group over a window; zeros when the alias never sent it a call.</summary>
    public OutcomeFigures Figures(string group, DateTimeOffset now, TimeSpan window)
        => _groups.TryGetValue(group, out var w) ? w.Figures(now, window) : default;

    /// <summary>Whether <paramref name="canary"/> was rolled back automatically and the config has not changed it since.</summary>
    public bool IsTripped(CanaryConfig canary)
        => Volatile.Read(ref _trip) is { } t && t.Target == canary.Target && t.Percent.Equals(canary.Percent);

    /// <summary>
    /// After a canary call: when the canary has an auto_rollback and its failures over the window (counted from the last
    /// rollback on) breach it, the canary stops at once and the ledger raises <see cref="CanaryLedger.Tripped"/> (once).
    /// </summary>
    internal void Evaluate(CanaryConfig canary, OutcomeWindow window, DateTimeOffset now)
    {
        if (canary.AutoRollback is not { } rule || canary.Target is not { } target || IsTripped(canary))
        {
            return;
        }

        var since = Interlocked.Read(ref _evaluateFromTicks);
        var figures = window.Figures(now, rule.Window, since == 0 ? null : new DateTimeOffset(since, TimeSpan.Zero));
        if (figures.Requests < rule.MinRequests || figures.ErrorRate < rule.ErrorRate)
        {
            return;
        }

        var trip = new CanaryTrip(Alias, target, canary.Percent, now, figures, rule);
        var current = Volatile.Read(ref _trip);
        if (Interlocked.CompareExchange(ref _trip, trip, current) != current)
        {
            return; // another request tripped it first
        }

        Interlocked.Exchange(ref _evaluateFromTicks, now.UtcTicks);
        ledger.RaiseTripped(trip);
    }

    /// <summary>A new config no longer has the canary that was rolled back (share 0 written, or changed): forget the trip.</summary>
    internal void Reconcile(CanaryConfig? canary)
    {
        if (Volatile.Read(ref _trip) is { } t && (canary is null || t.Target != canary.Target || !t.Percent.Equals(canary.Percent)))
        {
            Interlocked.CompareExchange(ref _trip, null, t);
        }
    }
}

/// <summary>An automatic rollback: the canary <see cref="Target"/> at <see cref="Percent"/> breached <see cref="Rule"/> with <see cref="Figures"/>.</summary>
public sealed record CanaryTrip(string Alias, string Target, double Percent, DateTimeOffset At, OutcomeFigures Figures, CanaryAutoRollback Rule)
{
    public string Describe()
        => string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"canary '{Target}' of alias '{Alias}' failed {Figures.Failures} of {Figures.Requests} calls ({(Figures.ErrorRate ?? 0) * 100:0.0} %) within {Rule.Window.TotalSeconds:0} s, reaching its auto_rollback error_rate {Rule.ErrorRate * 100:0.0} %; its share went from {Percent:0.##} % to 0");
}
