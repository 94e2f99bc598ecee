using System.Collections.Concurrent;
using Switchyard.Core.Admission.Shared;
using Switchyard.Core.Config;

namespace Switchyard.Core.Admission;

/// <summary>
/// The shared path: the in-process counters record the request (enforcing only what is not shared), then the shared
/// limiter checks and takes every subject's shared limits in one atomic step. A refusal there rolls the local record
/// back; an unreachable store opens the breaker and the failure policy decides (fail closed: a typed 503; fail open:
/// the in-process counters with every shared limit divided by the replica count).
/// </summary>
public sealed partial class AdmissionController
{
    /// <summary>At most this many settlements wait for the shared store to come back; older ones beyond are dropped.</summary>
    internal const int MaxPendingSettlements = 100_000;

    private readonly ISharedAdmission? _shared;
    private readonly SharedStateSettings? _settings;
    private readonly ConcurrentQueue<SharedSettleRequest> _pending = new();
    private int _pendingCount;
    private int _draining;
    private long _sharedFailures;
    private long _droppedSettlements;

    /// <summary>The breaker in front of the shared limiter; null when limits are in process only.</summary>
    public SharedStateBreaker? Breaker { get; }

    /// <summary>Whether a shared limiter is configured.</summary>
    public bool IsShared => _shared is not null;

    /// <summary>Calls to the shared limiter that failed (errors and timeouts), since start.</summary>
    public long SharedFailures => Interlocked.Read(ref _sharedFailures);

    /// <summary>Settlements waiting for the shared store to come back.</summary>
    public int PendingSettlements => Volatile.Read(ref _pendingCount);

    /// <summary>A call to the shared limiter failed (the reason, for logs and metrics).</summary>
    public event Action<string>? SharedStateFailed;

    /// <summary>
    /// Admits against every limit of the request; with a shared limiter its shared limits are checked there (one round
    /// trip). In process only, or when no subject has a shared limit, this completes synchronously without allocating.
    /// </summary>
    public ValueTask<AdmissionOutcome> AdmitAsync(LimitState? key, LimitState? tenant, LimitState? alias, long estimatedTokens, long estimatedCostNanos, CancellationToken cancellationToken = default)
        => AdmitAsync(key, tenant, alias, null, estimatedTokens, estimatedCostNanos, cancellationToken);

    /// <summary>As above, with the owning user's limits (budget above all) checked after the key's, tenant's and alias'.</summary>
    public ValueTask<AdmissionOutcome> AdmitAsync(LimitState? key, LimitState? tenant, LimitState? alias, LimitState? user, long estimatedTokens, long estimatedCostNanos, CancellationToken cancellationToken = default)
    {
        var mask = _shared is null ? (byte)0 : SharedMask(key, tenant, alias, user);
        if (mask == 0)
        {
            var ticket = default(AdmissionTicket);
            var rejection = TryAdmit(ref ticket, key, tenant, alias, user, estimatedTokens, estimatedCostNanos);
            return new ValueTask<AdmissionOutcome>(new AdmissionOutcome(ticket, rejection));
        }

        return AdmitSharedAsync(key, tenant, alias, user, estimatedTokens, estimatedCostNanos, mask, cancellationToken);
    }

    private async ValueTask<AdmissionOutcome> AdmitSharedAsync(LimitState? key, LimitState? tenant, LimitState? alias, LimitState? user, long tokens, long cost, byte mask, CancellationToken cancellationToken)
    {
        var settings = _settings!;
        var breaker = Breaker!;
        var ticket = default(AdmissionTicket);
        if (!breaker.TryEnter())
        {
            return Fallback(key, tenant, alias, user, tokens, cost);
        }

        // This replica's own record of the request (what failing open needs), enforcing what is not shared.
        var local = new LocalChecks(settings.Budgets ? 0 : 1, settings.Limits ? 0 : 1);
        if (TryAdmitLocal(ref ticket, key, tenant, alias, user, tokens, cost, local) is { } refused)
        {
            breaker.Abandon();
            return new AdmissionOutcome(ticket, refused);
        }

        var request = new SharedAdmitRequest { EstimatedTokens = tokens, EstimatedCostNanos = cost, Rates = settings.Limits, Budgets = settings.Budgets };
        for (var i = 0; i < AdmissionTicket.Subjects; i++)
        {
            if ((mask & (1 << i)) != 0)
            {
                request.Subjects[i] = i switch { 0 => key, 1 => tenant, 2 => alias, _ => user };
            }
        }

        var started = _time.GetTimestamp();
        SharedVerdict verdict;
        try
        {
            verdict = await _shared!.AdmitAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (SharedStateException e)
        {
            Failed(e.Message);
            Rollback(ref ticket);
            return Fallback(key, tenant, alias, user, tokens, cost);
        }
        catch
        {
            breaker.Abandon();
            Rollback(ref ticket);
            throw;
        }

        breaker.Record(_time.GetElapsedTime(started));
        ObserveBudgets(request.Subjects, verdict.Budgets, settings.Budgets);
        if (verdict.Refusal is { } r)
        {
            Rollback(ref ticket);
            ticket.LimitRequests = verdict.LimitRequests;
            ticket.RemainingRequests = verdict.RemainingRequests;
            ticket.LimitTokens = verdict.LimitTokens;
            ticket.RemainingTokens = verdict.RemainingTokens;
            return new AdmissionOutcome(ticket, Rejection(request, r));
        }

        ticket.SharedReplica = verdict.Replica;
        ticket.SharedTicket = verdict.Ticket;
        ticket.SharedAtMs = verdict.AtMs;
        ticket.SharedMask = mask;
        ticket.SharedBudgets = settings.Budgets;
        if (verdict.LimitRequests > 0)
        {
            ticket.LimitRequests = verdict.LimitRequests;
            ticket.RemainingRequests = verdict.RemainingRequests;
        }

        if (verdict.LimitTokens > 0)
        {
            ticket.LimitTokens = verdict.LimitTokens;
            ticket.RemainingTokens = verdict.RemainingTokens;
        }

        DrainPending();
        return new AdmissionOutcome(ticket, null);
    }

    /// <summary>The shared limiter is unreachable (or its breaker is open): the failure policy decides.</summary>
    private AdmissionOutcome Fallback(LimitState? key, LimitState? tenant, LimitState? alias, LimitState? user, long tokens, long cost)
    {
        var settings = _settings!;
        var ticket = default(AdmissionTicket);
        if (settings.OnRedisFailure == RedisFailurePolicy.FailClosed)
        {
            ticket.Settled = 1;
            var retry = Breaker!.RetryAfter;
            return new AdmissionOutcome(ticket, new AdmissionRejection(LimitCodes.SharedStateUnavailable, "shared state",
                $"the shared limits (Redis) cannot be reached, and this gateway refuses limited requests until they can (on_redis_failure: fail_closed); retry in {Math.Ceiling(retry.TotalSeconds):0} s", retry)
            { Status = 503 });
        }

        var replicas = Math.Max(1, settings.Replicas);
        var checks = new LocalChecks(settings.Budgets ? replicas : 1, settings.Limits ? replicas : 1);
        var rejection = TryAdmitLocal(ref ticket, key, tenant, alias, user, tokens, cost, checks);
        return new AdmissionOutcome(ticket, rejection);
    }

    /// <summary>Which subjects have a limit the shared limiter keeps (bit 0: key, 1: tenant, 2: alias, 3: user).</summary>
    private byte SharedMask(LimitState? key, LimitState? tenant, LimitState? alias, LimitState? user)
    {
        var settings = _settings!;
        byte mask = 0;
        for (var i = 0; i < AdmissionTicket.Subjects; i++)
        {
            var s = i switch { 0 => key, 1 => tenant, 2 => alias, _ => user };
            if (s is null)
            {
                continue;
            }

            var l = s.Limits;
            if ((settings.Limits && (l.Rpm is not null || l.Tpm is not null || l.MaxParallelRequests is not null))
                || (settings.Budgets && (l.MaxBudget is not null || l.SoftBudget is not null)))
            {
                mask |= (byte)(1 << i);
            }
        }

        return mask;
    }

    /// <summary>Undoes the in-process record of a request the shared limiter did not take (or could not be asked about).</summary>
    private void Rollback(ref AdmissionTicket ticket)
    {
        if (ticket.First is { } a)
        {
            Release(a, ref ticket, 0, 0, refundRequest: true, alert: false);
        }

        if (ticket.Second is { } b)
        {
            Release(b, ref ticket, 0, 0, refundRequest: true, alert: false);
        }

        if (ticket.Third is { } c)
        {
            Release(c, ref ticket, 0, 0, refundRequest: true, alert: false);
        }

        if (ticket.Fourth is { } d)
        {
            Release(d, ref ticket, 0, 0, refundRequest: true, alert: false);
        }

        ticket.Settled = 1;
    }

    private static AdmissionRejection Rejection(SharedAdmitRequest request, SharedRefusal r)
    {
        var s = request.Subjects[r.Subject]!;
        var limits = s.Limits;
        return r.Kind switch
        {
            SharedRefusalKind.BudgetExhausted or SharedRefusalKind.BudgetReserved => AdmissionRejections.Budget(s.Kind, s.Id, limits, limits.MaxBudget ?? 0, request.EstimatedCostNanos,
                new BudgetRefusal(r.Kind == SharedRefusalKind.BudgetExhausted, r.Used, r.Reserved, r.Reservations, r.RetryAfter)),
            SharedRefusalKind.Concurrency => AdmissionRejections.Concurrency(s.Kind, s.Id, (int)r.Limit),
            SharedRefusalKind.Rpm => AdmissionRejections.Rpm(s.Kind, s.Id, r.Limit, r.RetryAfter ?? TimeSpan.FromSeconds(SlidingWindow.Buckets)),
            _ => AdmissionRejections.Tpm(s.Kind, s.Id, r.Limit, request.EstimatedTokens, r.Used, r.Reserved, r.RetryAfter ?? TimeSpan.FromSeconds(SlidingWindow.Buckets)),
        };
    }

    /// <summary>Mirrors the shared spend into the in-process meters and reports a period the shared store rolled (once across replicas).</summary>
    private void ObserveBudgets(LimitState?[] subjects, SharedBudgetView[] views, bool budgetsShared)
    {
        if (!budgetsShared)
        {
            return;
        }

        for (var i = 0; i < AdmissionTicket.Subjects; i++)
        {
            if (subjects[i] is not { } s || !views[i].Known)
            {
                continue;
            }

            s.MirrorShared(views[i].SpentNanos, views[i].ResetAt);
            if (views[i].Rolled && views[i].ResetAt is { } next)
            {
                s.SoftBudgetAlerted = false;
                BudgetReset?.Invoke(s.Kind, s.Id, next);
            }
        }
    }

    private static SharedSettleRequest SettleRequest(in AdmissionTicket ticket, long actualTokens, long actualCostNanos)
    {
        var request = new SharedSettleRequest
        {
            Replica = ticket.SharedReplica!,
            Ticket = ticket.SharedTicket,
            AtMs = ticket.SharedAtMs,
            ReservedTokens = ticket.TokensReserved,
            ReservedCostNanos = ticket.CostReserved,
            ActualTokens = actualTokens,
            ActualCostNanos = actualCostNanos,
            Budgets = ticket.SharedBudgets,
        };
        for (var i = 0; i < AdmissionTicket.Subjects; i++)
        {
            if ((ticket.SharedMask & (1 << i)) != 0)
            {
                request.Subjects[i] = i switch { 0 => ticket.First, 1 => ticket.Second, 2 => ticket.Third, _ => ticket.Fourth };
            }
        }

        return request;
    }

    /// <summary>Settles in the shared store; never throws. Unreachable: queued and replayed when it answers again.</summary>
    private async Task SettleSharedAsync(SharedSettleRequest request)
    {
        var breaker = Breaker!;
        if (!breaker.TryEnter())
        {
            Enqueue(request);
            return;
        }

        var started = _time.GetTimestamp();
        try
        {
            var settlement = await _shared!.SettleAsync(request, CancellationToken.None).ConfigureAwait(false);
            breaker.Record(_time.GetElapsedTime(started));
            Observe(request, settlement);
        }
        catch (SharedStateException e)
        {
            // settling is idempotent per ticket, so replaying one that did run (a timeout after sending) changes nothing
            Failed(e.Message);
            Enqueue(request);
            return;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            breaker.Abandon();
            Failed(e.Message);
            Enqueue(request);
            return;
        }

        DrainPending();
    }

    private void Observe(SharedSettleRequest request, SharedSettlement settlement)
    {
        if (!request.Budgets || !settlement.Applied)
        {
            return;
        }

        for (var i = 0; i < AdmissionTicket.Subjects; i++)
        {
            if (request.Subjects[i] is not { } s || settlement.SpentNanos[i] < 0)
            {
                continue;
            }

            s.MirrorShared(settlement.SpentNanos[i], null);
            if (settlement.SoftBudgetReached[i])
            {
                s.SoftBudgetAlerted = true;
                SoftBudgetReached?.Invoke(s, settlement.SpentNanos[i]);
            }
        }
    }

    private void Enqueue(SharedSettleRequest request)
    {
        if (Interlocked.Increment(ref _pendingCount) > MaxPendingSettlements && _pending.TryDequeue(out _))
        {
            Interlocked.Decrement(ref _pendingCount);
            Interlocked.Increment(ref _droppedSettlements);
        }

        _pending.Enqueue(request);
    }

    /// <summary>Settlements dropped because too many waited for the shared store (their reservations expire with this replica's id only).</summary>
    public long DroppedSettlements => Interlocked.Read(ref _droppedSettlements);

    /// <summary>Replays queued settlements, one drainer at a time, while the shared store answers.</summary>
    private void DrainPending()
    {
        if (Volatile.Read(ref _pendingCount) == 0 || Interlocked.CompareExchange(ref _draining, 1, 0) != 0)
        {
            return;
        }

        _ = DrainAsync();
    }

    private async Task DrainAsync()
    {
        try
        {
            while (_pending.TryPeek(out var request))
            {
                if (!Breaker!.TryEnter())
                {
                    return;
                }

                var started = _time.GetTimestamp();
                SharedSettlement settlement;
                try
                {
                    settlement = await _shared!.SettleAsync(request, CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    if (e is SharedStateException)
                    {
                        Failed(e.Message);
                    }
                    else
                    {
                        Breaker.Abandon();
                    }

                    return;
                }

                Breaker.Record(_time.GetElapsedTime(started));
                if (_pending.TryDequeue(out _))
                {
                    Interlocked.Decrement(ref _pendingCount);
                }

                Observe(request, settlement);
            }
        }
        finally
        {
            Volatile.Write(ref _draining, 0);
        }
    }

    private void Failed(string reason)
    {
        Interlocked.Increment(ref _sharedFailures);
        Breaker!.Fail(reason);
        SharedStateFailed?.Invoke(reason);
    }
}
