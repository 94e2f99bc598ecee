using Switchyard.Core.Config;
using Switchyard.Core.Failures;
using Switchyard.Core.Resilience;

namespace Switchyard.Core.Routing;

/// <summary>
/// Runs one request through its route: picks deployments, retries with backoff (honouring Retry-After),
/// feeds breakers, and walks fallback chains bounded by max_fallbacks. Never waits on a route whose
/// deployments are all open or cooling down: it answers at once with the time until the earliest may be tried.
/// The clock and the randomness (weighted choice, backoff jitter, canary split) are injected; <paramref name="random"/>
/// is shared by concurrent requests, so it must be thread-safe (the host passes Random.Shared).
/// </summary>
public sealed class RouteExecutor(TimeProvider time, Random random)
{
    public TimeProvider Time => time;

    public Random Random => random;

    public async ValueTask<RouteResult<T>> ExecuteAsync<T, TState>(
        RouteTable table,
        string requested,
        TState state,
        Func<RoutedDeployment, AttemptInfo, TState, CancellationToken, ValueTask<AttemptResult<T>>> send,
        CancellationToken cancellationToken,
        RouteGroup? canary = null,
        bool countsAsEvidence = true,
        IReadOnlyCollection<string>? tags = null)
        where T : class
    {
        var router = table.Config.Router;
        var group = table.Resolve(requested) ?? throw new ArgumentException("unknown route " + requested, nameof(requested));
        var totalAttempts = 0;

        // An alias's outcomes per group are canary evidence (alias status, promote checks, auto_rollback); a smoke
        // request's are not, and neither are they breaker evidence.
        var evidence = countsAsEvidence && router.ModelGroupAlias.ContainsKey(requested) ? table.Ledger.For(requested) : null;
        var canaryConfig = table.Config.Canaries.Count == 0 ? null : table.Config.Canaries.GetValueOrDefault(requested);
        var run = new GroupRun<T, TState>(table, state, send, countsAsEvidence, evidence, tags ?? [], cancellationToken);
        if (canary is not null)
        {
            // The canary goes first; if it fails (but not because the caller's request is wrong) the primary takes over.
            var c = await RunObservedAsync(run, canary, false, totalAttempts, canaryConfig).ConfigureAwait(false);
            if (c.Value is not null || c.FailureKind == FailureKind.CallerError)
            {
                return WithRoute(c, requested);
            }

            totalAttempts = c.Attempts;
        }

        var result = await RunObservedAsync(run, group, false, totalAttempts, null).ConfigureAwait(false);
        if (result.Value is not null || result.FailureKind == FailureKind.CallerError)
        {
            return WithRoute(result, requested);
        }

        totalAttempts = result.Attempts;
        var contextWindow = result.FailureKind == FailureKind.ContextWindowExceeded;
        var tried = new HashSet<RouteGroup> { group };
        var last = result;

        // After a promotion, the alias's previous group backs it up for the grace period, before any fallback chain.
        if (!contextWindow && canaryConfig?.GraceFallback(time.GetUtcNow()) is { } previous && table.Resolve(previous) is { } graceGroup && tried.Add(graceGroup))
        {
            var g = await RunObservedAsync(run, graceGroup, true, totalAttempts, null).ConfigureAwait(false);
            totalAttempts = g.Attempts;
            if (g.Value is not null)
            {
                return g;
            }

            last = Merge(last, g);
            if (g.FailureKind == FailureKind.CallerError)
            {
                return WithRoute(last, requested);
            }
        }

        var chain = table.FallbacksFor(requested, contextWindow);
        if (chain.Count == 0 && contextWindow)
        {
            return WithRoute(result, requested);
        }

        var used = 0;
        foreach (var name in chain)
        {
            if (used >= router.MaxFallbacks)
            {
                break;
            }

            var fallbackGroup = table.Resolve(name);
            if (fallbackGroup is null || !tried.Add(fallbackGroup))
            {
                continue;
            }

            used++;
            var r = await RunObservedAsync(run, fallbackGroup, true, totalAttempts, null).ConfigureAwait(false);
            totalAttempts = r.Attempts;
            if (r.Value is not null)
            {
                return r;
            }

            last = Merge(last, r);
            if (r.FailureKind == FailureKind.CallerError)
            {
                break;
            }
        }

        return WithRoute(last, requested);
    }

    private static RouteResult<T> WithRoute<T>(RouteResult<T> r, string requested)
        where T : class
        => r.Failure is null ? r : new RouteResult<T>
        {
            Failure = r.Failure with { Route = requested },
            FailureKind = r.FailureKind,
            Attempts = r.Attempts,
            FallbackUsed = r.FallbackUsed,
            GroupUsed = r.GroupUsed,
        };

    /// <summary>
    /// Keeps the most telling failure of a chain: what a deployment could not honour (a parameter or operation its
    /// provider lacks) over what failed after it, a timeout or upstream error over "all unavailable", the soonest retry.
    /// </summary>
    private static RouteResult<T> Merge<T>(RouteResult<T> first, RouteResult<T> next)
        where T : class
    {
        var a = first.Failure!;
        var b = next.Failure!;
        var pick = (first.FailureKind == FailureKind.Unsupported && next.FailureKind != FailureKind.Unsupported)
            || (b.Type == FailureType.RouteUnavailable && a.Type != FailureType.RouteUnavailable) ? a : b;
        var retry = (a.RetryAfterMs, b.RetryAfterMs) switch
        {
            (null, _) or (_, null) => pick.RetryAfterMs,
            ({ } x, { } y) => Math.Min(x, y),
        };
        return new RouteResult<T>
        {
            Failure = pick with { RetryAfterMs = retry },
            FailureKind = ReferenceEquals(pick, a) ? first.FailureKind : next.FailureKind,
            Attempts = next.Attempts,
            FallbackUsed = true,
            GroupUsed = next.GroupUsed,
        };
    }

    /// <summary>
    /// Runs one group and, for an alias, records the outcome in its evidence for that group: answered (with the time to
    /// the answer, retries included) or failed (an upstream failure, or no deployment could be tried). The caller's own
    /// errors and what a deployment cannot honour are no evidence. A canary's outcome may trip its auto_rollback.
    /// </summary>
    private async ValueTask<RouteResult<T>> RunObservedAsync<T, TState>(GroupRun<T, TState> run, RouteGroup group, bool isFallback, int attemptsSoFar, CanaryConfig? canary)
        where T : class
    {
        var window = run.Evidence?.For(group.Name);
        var started = time.GetTimestamp();
        var r = await RunGroupAsync(run.Table, group, isFallback, run.State, run.Send, attemptsSoFar, run.CountsAsEvidence, window, run.Tags, run.CancellationToken).ConfigureAwait(false);
        if (window is not null && (r.Value is not null || r.FailureKind is not (FailureKind.CallerError or FailureKind.ContextWindowExceeded or FailureKind.Unsupported)))
        {
            var now = time.GetUtcNow();
            window.Record(now, r.Value is null, time.GetElapsedTime(started));
            if (canary?.AutoRollback is not null)
            {
                run.Evidence!.Evaluate(canary, window, now);
            }
        }

        return r;
    }

    private async ValueTask<RouteResult<T>> RunGroupAsync<T, TState>(
        RouteTable table,
        RouteGroup group,
        bool isFallback,
        TState state,
        Func<RoutedDeployment, AttemptInfo, TState, CancellationToken, ValueTask<AttemptResult<T>>> send,
        int attemptsSoFar,
        bool countsAsEvidence,
        Canaries.OutcomeWindow? evidence,
        IReadOnlyCollection<string> tags,
        CancellationToken cancellationToken)
        where T : class
    {
        var router = table.Config.Router;
        if (router.EnableTagFiltering && group.Deployments.Count > 0)
        {
            var selected = TagFilter.Select(group.Deployments, tags, router.TagFilteringMatchAny);
            if (selected is null)
            {
                return NoDeploymentForTags<T>(group, tags, attemptsSoFar, isFallback);
            }

            if (selected.Count != group.Deployments.Count)
            {
                group = new RouteGroup(group.Name, selected) { Pattern = group.Pattern };
            }
        }

        var count = group.Deployments.Count;
        var attemptsById = new int[count];
        var banned = new bool[count];
        var attempts = attemptsSoFar;
        var retries = 0;
        UpstreamFailure? lastFailure = null;
        RoutedDeployment? lastDeployment = null;

        // The first deployment that cannot honour the request (an operation or parameter its provider lacks): when the
        // others fail too, the caller hears what could not be honoured rather than a transient error that hides it.
        (RoutedDeployment Deployment, UpstreamFailure Failure)? cannotHonour = null;

        // The instant the last backoff wait was meant to end. Timers may fire a little before the clock reaches it;
        // picking "as of" this instant keeps a deployment whose Retry-After we just waited out from still looking blocked.
        var resumeAt = DateTimeOffset.MinValue;

        if (count == 0)
        {
            return Unavailable<T>(group, null, attempts, isFallback, "has no enabled deployment (missing provider keys?)");
        }

        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var now = time.GetUtcNow();
            if (now < resumeAt)
            {
                now = resumeAt;
            }

            var picked = DeploymentSelector.Pick(group, router.Strategy, now, attemptsById, (d, tried) => !banned[IndexOf(group, d)] && (d.Config.MaxRetries is not { } max || tried <= max), random);
            if (picked is not null && !picked.State.TryTakeRequestSlot(now))
            {
                continue; // a concurrent request took the deployment's last rpm slot; it is now blocked
            }

            if (picked is null || !picked.State.Breaker.TryAcquire())
            {
                if (picked is not null)
                {
                    continue; // another caller took the last half-open probe slot; pick again (it is now blocked)
                }

                var earliest = DeploymentSelector.EarliestRetry(group, now);
                if (cannotHonour is { } ch)
                {
                    return Failed<T>(group, ch.Deployment, ch.Failure, attempts, isFallback, null);
                }

                if (lastFailure is not null)
                {
                    return Failed<T>(group, lastDeployment!, lastFailure, attempts, isFallback, earliest is { } e ? e - now : null);
                }

                if (group.Deployments.All(d => d.State.Breaker.BlockedUntil() is null && d.State.CooldownUntil(now) is null && d.State.LimitedUntil(now) is not null))
                {
                    return RateLimited<T>(group, earliest is { } l ? l - now : null, attempts, isFallback);
                }

                var wait = earliest is { } t ? t - now : (TimeSpan?)null;
                var (code, message) = BlockedReasons.Describe(group, now, wait);
                return Blocked<T>(group, wait, attempts, isFallback, 503, FailureType.RouteUnavailable, code, message);
            }

            var index = IndexOf(group, picked);
            attemptsById[index]++;
            attempts++;
            var lease = new DeploymentLease(picked.State);
            var started = time.GetTimestamp();
            AttemptResult<T> outcome;
            try
            {
                outcome = await send(picked, new AttemptInfo(attempts, group.Name, isFallback), state, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                // Cancelled, or the send threw (a bug, not an upstream answer): no outcome to record, but the lease
                // and a half-open probe slot must not leak, or the deployment stays busy and its breaker stuck.
                lease.Dispose();
                picked.State.Breaker.ReleaseWithoutOutcome();
                throw;
            }

            var elapsed = time.GetElapsedTime(started);
            if (outcome.Value is { } value)
            {
                if (countsAsEvidence)
                {
                    picked.State.Breaker.RecordSuccess(elapsed);
                    picked.State.ObserveLatency(elapsed);
                }
                else
                {
                    picked.State.Breaker.ReleaseWithoutOutcome();
                }

                return new RouteResult<T>
                {
                    Value = value, Deployment = picked, GroupUsed = group.Name, Attempts = attempts, FallbackUsed = isFallback, Lease = lease,
                    CountsAsEvidence = countsAsEvidence, Evidence = evidence,
                };
            }

            lease.Dispose();
            var failure = outcome.Failure!;
            lastFailure = failure;
            lastDeployment = picked;
            if (countsAsEvidence && failure.Kind.CountsAgainstBreaker())
            {
                picked.State.Breaker.RecordFailure(failure.Detail);
            }
            else
            {
                picked.State.Breaker.ReleaseWithoutOutcome();
            }

            if (failure.RetryAfter is { } ra && failure.Kind is FailureKind.RateLimited or FailureKind.ServerError)
            {
                picked.State.CoolDown(time.GetUtcNow() + ra, failure.UpstreamStatus);
            }

            if (failure.Kind is FailureKind.UpstreamAuth or FailureKind.Unsupported)
            {
                banned[index] = true;
            }

            if (failure.Kind is FailureKind.Unsupported)
            {
                cannotHonour ??= (picked, failure);
                continue; // another deployment of the group may do it; this costs no retry
            }

            if (failure.Kind is FailureKind.CallerError or FailureKind.ContextWindowExceeded)
            {
                return Failed<T>(group, picked, failure, attempts, isFallback, null);
            }

            var allowedRetries = AllowedRetries(router, failure.Kind);
            if (cannotHonour is { } honour && retries >= allowedRetries)
            {
                return Failed<T>(group, honour.Deployment, honour.Failure, attempts, isFallback, null);
            }

            if (retries >= allowedRetries)
            {
                var blocked = DeploymentSelector.EarliestRetry(group, time.GetUtcNow());
                return Failed<T>(group, picked, failure, attempts, isFallback, blocked is { } b ? b - time.GetUtcNow() : failure.RetryAfter);
            }

            // Wait before retrying: honour Retry-After when no other deployment is free; never wait past the cap.
            now = time.GetUtcNow();
            var anyFree = group.Deployments.Any(d => !banned[IndexOf(group, d)] && d.State.BlockedUntil(now) is null);
            var retryAfter = anyFree ? null : failure.RetryAfter;
            if (retryAfter > router.RetryMaxDelay)
            {
                if (cannotHonour is { } h)
                {
                    return Failed<T>(group, h.Deployment, h.Failure, attempts, isFallback, null);
                }

                return Failed<T>(group, picked, failure, attempts, isFallback, retryAfter);
            }

#pragma warning disable CA5394 // backoff jitter, not a secret: System.Random is right here
            var delay = Backoff.Delay(retries, router.RetryBaseDelay, router.RetryMaxDelay, router.RetryAfter, retryAfter, random.NextDouble());
#pragma warning restore CA5394
            retries++;
            resumeAt = time.GetUtcNow() + delay;
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static int AllowedRetries(RouterSettings router, FailureKind kind)
    {
        var p = router.RetryPolicy;
        var specific = kind switch
        {
            FailureKind.Timeout => p.TimeoutErrorRetries,
            FailureKind.RateLimited => p.RateLimitErrorRetries,
            FailureKind.ServerError or FailureKind.ConnectionError or FailureKind.InvalidResponse => p.InternalServerErrorRetries,
            FailureKind.UpstreamAuth => p.AuthenticationErrorRetries,
            _ => null,
        };
        return specific ?? router.NumRetries;
    }

    private static int IndexOf(RouteGroup group, RoutedDeployment d)
    {
        var list = group.Deployments;
        for (var i = 0; i < list.Count; i++)
        {
            if (ReferenceEquals(list[i], d))
            {
                return i;
            }
        }

        return -1;
    }

    private static RouteResult<T> Unavailable<T>(RouteGroup group, TimeSpan? retryAfter, int attempts, bool isFallback, string why)
        where T : class
        => Blocked<T>(group, retryAfter, attempts, isFallback, 503, FailureType.RouteUnavailable, "all_deployments_unavailable", $"model group '{group.Name}' {why}");

    private static RouteResult<T> RateLimited<T>(RouteGroup group, TimeSpan? retryAfter, int attempts, bool isFallback)
        where T : class
        => Blocked<T>(group, retryAfter, attempts, isFallback, 429, FailureType.RateLimited, "deployment_rate_limited",
            $"every deployment of model group '{group.Name}' is at its rpm/tpm limit (model_list rpm/tpm)");

    /// <summary>
    /// Tag-based routing found no deployment for the request's tags: refused as LiteLLM refuses it ("not allowed to
    /// access model due to tags configuration"). Kind Unsupported: a fallback group may still serve the tags, and if none
    /// does this is the failure the caller hears; no breaker or canary evidence.
    /// </summary>
    private static RouteResult<T> NoDeploymentForTags<T>(RouteGroup group, IReadOnlyCollection<string> tags, int attempts, bool isFallback)
        where T : class
        => new()
        {
            Attempts = attempts,
            FallbackUsed = isFallback,
            GroupUsed = group.Name,
            FailureKind = FailureKind.Unsupported,
            Failure = new FailureSummary
            {
                Status = 403,
                Type = FailureType.PermissionDenied,
                Code = "no_deployment_for_tags",
                Message = tags.Count == 0
                    ? $"model group '{group.Name}' has no deployment for requests without tags (router_settings.enable_tag_filtering)"
                    : $"no deployment of model group '{group.Name}' serves the tags {string.Join(", ", tags.Select(t => "'" + t + "'"))} (the request's, its key's and its team's; router_settings.enable_tag_filtering)",
                ProviderFamily = group.Family,
            },
        };

    /// <summary>No deployment of the group may be tried now: answered at once, with the time until one may.</summary>
    private static RouteResult<T> Blocked<T>(RouteGroup group, TimeSpan? retryAfter, int attempts, bool isFallback, int status, string type, string code, string message)
        where T : class
        => new()
        {
            Attempts = attempts,
            FallbackUsed = isFallback,
            GroupUsed = group.Name,
            Failure = new FailureSummary
            {
                Status = status,
                Type = type,
                Code = code,
                Message = message,
                ProviderFamily = group.Family,
                RetryAfterMs = retryAfter is { } r ? (long)Math.Ceiling(Math.Max(1, r.TotalMilliseconds)) : null,
            },
        };

    /// <summary>
    /// The answer for a failed attempt. retry_after_ms is the given wait (the provider's Retry-After, or the soonest
    /// reopening when every deployment is open or cooling down), else the summary's own default (502/504: a short hint).
    /// </summary>
    private static RouteResult<T> Failed<T>(RouteGroup group, RoutedDeployment d, UpstreamFailure f, int attempts, bool isFallback, TimeSpan? retryAfter)
        where T : class
    {
        var summary = FailureMapping.ToSummary(f, d.Config, attempts);
        return new()
        {
            Attempts = attempts,
            FallbackUsed = isFallback,
            GroupUsed = group.Name,
            Failure = retryAfter is { } r && r > TimeSpan.Zero ? summary with { RetryAfterMs = (long)Math.Ceiling(r.TotalMilliseconds) } : summary,
            FailureKind = f.Kind,
        };
    }

    /// <summary>What every group run of one request shares.</summary>
    private readonly record struct GroupRun<T, TState>(
        RouteTable Table,
        TState State,
        Func<RoutedDeployment, AttemptInfo, TState, CancellationToken, ValueTask<AttemptResult<T>>> Send,
        bool CountsAsEvidence,
        Canaries.AliasEvidence? Evidence,
        IReadOnlyCollection<string> Tags,
        CancellationToken CancellationToken)
        where T : class;
}
