using System.Collections.Concurrent;
using Switchyard.AccessLog;

namespace Switchyard.Dashboard;

/// <summary>
/// What the dashboard's data endpoints read, kept in memory per replica and bounded whatever the traffic: the overview
/// series (the replica's and each tenant's seen, up to <see cref="MaxTenants"/>), per-deployment attempt series, and
/// rings of recent calls, failures and fallbacks. Fed once per inference request from its <see cref="AccessRecord"/>
/// when the request ends (<see cref="Complete"/>), and once per upstream attempt (<see cref="RecordAttempt"/>); both
/// are a handful of interlocked adds.
/// </summary>
public sealed class DashboardRecorder(TimeProvider time)
{
    public const int MaxTenants = 1_000;
    public const int MaxDeployments = 4_096;
    public const int RecentCalls = 4_096;
    public const int RecentFailures = 2_048;
    public const int RecentFallbacks = 512;

    private readonly ConcurrentDictionary<string, OverviewSeries> _tenants = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SeriesRing> _deployments = new(StringComparer.Ordinal);

    public TimeProvider Time => time;

    internal OverviewSeries Global { get; } = new();

    internal BoundedRing<AccessRecord> Calls { get; } = new(RecentCalls);

    internal BoundedRing<AccessRecord> Failures { get; } = new(RecentFailures);

    internal BoundedRing<AccessRecord> Fallbacks { get; } = new(RecentFallbacks);

    internal int TenantCount => _tenants.Count;

    internal int DeploymentCount => _deployments.Count;

    /// <summary>The tenant's series, or null when it made no inference request on this replica (or came after the cap).</summary>
    internal OverviewSeries? Tenant(string tenantId) => _tenants.GetValueOrDefault(tenantId);

    /// <summary>The deployment's attempt series (last 15 minutes, minute buckets), or null when it had no attempt here.</summary>
    internal SeriesRing? Deployment(string id) => _deployments.GetValueOrDefault(id);

    /// <summary>A request ended: counted when an inference route took it, remembered as a recent call (and failure, fallback).</summary>
    public void Complete(AccessRecord r)
    {
        if (r.Operation is null)
        {
            return; // admin, health, dashboard and unknown routes are not traffic
        }

        var status = r.Status ?? 0;
        var code = status >= 400 ? r.Code ?? "http_" + status.ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
        var added = r.UpstreamMs is { } upstream ? Math.Max(0, (r.FirstByteMs ?? r.LatencyMs) - upstream) : r.LatencyMs;
        var tokens = (r.PromptTokens ?? 0) + (r.CompletionTokens ?? 0);
        var nanos = r.Cost is { } cost ? (long)(cost * 1_000_000_000m) : 0;
        var at = r.Time.AddMilliseconds(r.LatencyMs);
        Global.Add(at, code, added, tokens, nanos);
        if (r.TenantId is { } tenant)
        {
            if (_tenants.TryGetValue(tenant, out var series) || (_tenants.Count < MaxTenants && (series = _tenants.GetOrAdd(tenant, static _ => new OverviewSeries())) is not null))
            {
                series.Add(at, code, added, tokens, nanos);
            }
        }

        Calls.Add(r);
        if (r.Failure is not null)
        {
            Failures.Add(r);
        }

        if (r.Fallback is not null)
        {
            Fallbacks.Add(r);
        }
    }

    /// <summary>One upstream attempt ended: counted in its deployment's recent requests, errors and latency.</summary>
    public void RecordAttempt(AccessRecord? r, AttemptRecord attempt)
    {
        if (r is not null)
        {
            r.AddAttempt(attempt);
        }

        if (!_deployments.TryGetValue(attempt.Deployment, out var ring))
        {
            if (_deployments.Count >= MaxDeployments)
            {
                return;
            }

            ring = _deployments.GetOrAdd(attempt.Deployment, static _ => new SeriesRing(16, TimeSpan.FromMinutes(1)));
        }

        ring.Add(time.GetUtcNow(), attempt.Outcome == AttemptRecord.Ok ? null : attempt.Outcome, attempt.LatencyMs, 0, 0);
    }
}
