using Switchyard.Core.Admission.Shared;
using Switchyard.Core.Config;

namespace Switchyard.Core.Admission;

/// <summary>
/// Admits a request against its token's, tenant's, tenant-alias and owning user's limits: budget, concurrency, RPM and TPM, in that
/// order, rolling back what it took when a later check fails. In process, everything is counters under short locks,
/// with no allocation unless a request is rejected. With a shared limiter (Redis, several replicas) the shared limits
/// are checked there in one atomic step per admission (AdmissionController.Shared.cs), behind a breaker and the
/// configured failure policy; the in-process counters then keep this replica's own share, for failing open.
/// </summary>
public sealed partial class AdmissionController
{
    /// <summary>
    /// The retry hint when only requests in flight stand in the way (their reservations settle when they finish;
    /// an LLM call takes from a fraction of a second to a few seconds).
    /// </summary>
    public static readonly TimeSpan ReservationRetry = TimeSpan.FromSeconds(1);

    private readonly TimeProvider _time;

    public AdmissionController(TimeProvider time)
        : this(time, null, null)
    {
    }

    /// <param name="shared">The shared limiter; null keeps every limit in process.</param>
    /// <param name="settings">What is shared and the failure policy (needed with <paramref name="shared"/>).</param>
    /// <param name="breaker">The breaker in front of the shared limiter; default: <paramref name="settings"/>' timeout, 3 failures, 2 s cooldown.</param>
    public AdmissionController(TimeProvider time, ISharedAdmission? shared, SharedStateSettings? settings, SharedStateBreaker? breaker = null)
    {
        _time = time;
        if (shared is not null)
        {
            ArgumentNullException.ThrowIfNull(settings);
            _shared = shared;
            _settings = settings;
            Breaker = breaker ?? new SharedStateBreaker(time, settings.RedisTimeout);
        }
    }

    /// <summary>A budget period rolled over (kind, id, next reset): persist it.</summary>
    public event Action<string, string, DateTimeOffset>? BudgetReset;

    /// <summary>A subject's spend crossed its soft budget in this period.</summary>
    public event Action<LimitState, long>? SoftBudgetReached;

    public TimeProvider Time => _time;

    public AdmissionRejection? TryAdmit(ref AdmissionTicket ticket, LimitState? key, LimitState? tenant, LimitState? alias, long estimatedTokens, long estimatedCostNanos)
        => TryAdmitLocal(ref ticket, key, tenant, alias, null, estimatedTokens, estimatedCostNanos, LocalChecks.All);

    /// <summary>Admits against the token's, tenant's, tenant-alias and owning user's limits (checked in that order).</summary>
    public AdmissionRejection? TryAdmit(ref AdmissionTicket ticket, LimitState? key, LimitState? tenant, LimitState? alias, LimitState? user, long estimatedTokens, long estimatedCostNanos)
        => TryAdmitLocal(ref ticket, key, tenant, alias, user, estimatedTokens, estimatedCostNanos, LocalChecks.All);

    /// <summary>Settles an admitted request to what it really used (zero tokens and cost when it failed).</summary>
    public void Complete(ref AdmissionTicket ticket, long actualTokens, long actualCostNanos)
    {
        if (SettleLocal(ref ticket, actualTokens, actualCostNanos) is { } shared)
        {
            _ = SettleSharedAsync(shared);
        }
    }

    /// <summary>
    /// Settles like <see cref="Complete"/>; for a ticket held in the shared limiter the task ends once the shared
    /// settlement is done (or queued for replay when the store is unreachable), so another replica's next admission
    /// sees it. In process it is complete at once.
    /// </summary>
    public Task CompleteAsync(ref AdmissionTicket ticket, long actualTokens, long actualCostNanos)
        => SettleLocal(ref ticket, actualTokens, actualCostNanos) is { } shared ? SettleSharedAsync(shared) : Task.CompletedTask;

    private SharedSettleRequest? SettleLocal(ref AdmissionTicket ticket, long actualTokens, long actualCostNanos)
    {
        if (Interlocked.Exchange(ref ticket.Settled, 1) == 1)
        {
            return null;
        }

        // With shared budgets the soft budget alert is decided in the shared store, once for every replica.
        var alert = !(ticket.IsShared && ticket.SharedBudgets);
        if (ticket.First is { } a)
        {
            Release(a, ref ticket, actualTokens, actualCostNanos, refundRequest: false, alert);
        }

        if (ticket.Second is { } b)
        {
            Release(b, ref ticket, actualTokens, actualCostNanos, refundRequest: false, alert);
        }

        if (ticket.Third is { } c)
        {
            Release(c, ref ticket, actualTokens, actualCostNanos, refundRequest: false, alert);
        }

        if (ticket.Fourth is { } d)
        {
            Release(d, ref ticket, actualTokens, actualCostNanos, refundRequest: false, alert);
        }

        return ticket.IsShared ? SettleRequest(in ticket, actualTokens, actualCostNanos) : null;
    }

    private AdmissionRejection? TryAdmitLocal(ref AdmissionTicket ticket, LimitState? key, LimitState? tenant, LimitState? alias, LimitState? user, long estimatedTokens, long estimatedCostNanos, LocalChecks checks)
    {
        var now = _time.GetUtcNow();
        ticket = new AdmissionTicket { First = key, Second = tenant, Third = alias, Fourth = user, TokensReserved = estimatedTokens, CostReserved = estimatedCostNanos, At = now };
        var stage = 0;
        AdmissionRejection? rejection = null;
        for (; stage < AdmissionTicket.Subjects; stage++)
        {
            var s = stage switch { 0 => key, 1 => tenant, 2 => alias, _ => user };
            if (s is null)
            {
                continue;
            }

            rejection = TryTake(s, now, estimatedTokens, estimatedCostNanos, ref ticket, checks);
            if (rejection is not null)
            {
                break;
            }
        }

        if (rejection is null)
        {
            return null;
        }

        for (var undo = stage - 1; undo >= 0; undo--)
        {
            var s = undo switch { 0 => key, 1 => tenant, 2 => alias, _ => user };
            if (s is not null)
            {
                Release(s, ref ticket, actualTokens: 0, actualCost: 0, refundRequest: true, alert: true);
            }
        }

        ticket.Settled = 1;
        return rejection;
    }

    private AdmissionRejection? TryTake(LimitState s, DateTimeOffset now, long tokens, long cost, ref AdmissionTicket ticket, LocalChecks checks)
    {
        var limits = s.Limits;
        if (limits.MaxBudget is { } max && checks.BudgetDivisor > 0)
        {
            if (s.Budget.Roll(limits.BudgetDuration, now) is { } next)
            {
                s.SoftBudgetAlerted = false;
                BudgetReset?.Invoke(s.Kind, s.Id, next);
            }

            var maxNanos = ToNanos(max);
            if (checks.BudgetDivisor > 1)
            {
                // failing open: the room left when the shared store was last heard from, divided between the replicas
                var seen = s.SharedSpentNanos >= 0 ? s.SharedSpentNanos : s.Budget.SpentNanos;
                maxNanos = seen + (Math.Max(0, maxNanos - seen) / checks.BudgetDivisor);
                max = maxNanos / 1_000_000_000m;
            }

            if (s.Budget.TryReserve(cost, maxNanos, now) is { } refused)
            {
                return AdmissionRejections.Budget(s.Kind, s.Id, limits, max, cost, refused);
            }
        }
        else
        {
            s.Budget.Reserve(cost);
        }

        var rates = checks.RateDivisor;
        if (limits.MaxParallelRequests is { } p && rates > 0)
        {
            var parallel = Divide(p, rates);
            if (!s.InFlight.TryEnter(parallel))
            {
                s.Budget.Settle(cost, 0);
                return AdmissionRejections.Concurrency(s.Kind, s.Id, parallel);
            }
        }
        else
        {
            s.InFlight.Enter();
        }

        if (limits.Rpm is { } r && rates > 0)
        {
            var rpm = Divide(r, rates);
            if (!s.Requests.TryAdd(1, rpm, now, out var rpmRetry, out var remaining))
            {
                s.InFlight.Exit();
                s.Budget.Settle(cost, 0);
                ticket.LimitRequests = rpm;
                ticket.RemainingRequests = 0;
                return AdmissionRejections.Rpm(s.Kind, s.Id, rpm, rpmRetry);
            }

            if (ticket.LimitRequests == 0 || remaining < ticket.RemainingRequests)
            {
                ticket.LimitRequests = rpm;
                ticket.RemainingRequests = remaining;
            }
        }
        else
        {
            s.Requests.TryAdd(1, long.MaxValue, now, out _, out _);
        }

        if (limits.Tpm is { } t && rates > 0)
        {
            var tpm = Divide(t, rates);
            if (!s.Tokens.TryAdd(tokens, tpm, now, out var tpmRetry, out var remaining))
            {
                s.Requests.Adjust(-1, now, now);
                s.InFlight.Exit();
                s.Budget.Settle(cost, 0);
                ticket.LimitTokens = tpm;
                ticket.RemainingTokens = remaining;

                // Reservations older than the window have left it already, so this undercounts settled use only for
                // requests in flight for over a minute.
                var inFlight = s.TokensInFlight;
                return AdmissionRejections.Tpm(s.Kind, s.Id, tpm, tokens, Math.Max(0, s.Tokens.Current(now) - inFlight), inFlight, tpmRetry);
            }

            if (ticket.LimitTokens == 0 || remaining < ticket.RemainingTokens)
            {
                ticket.LimitTokens = tpm;
                ticket.RemainingTokens = remaining;
            }
        }
        else
        {
            s.Tokens.TryAdd(tokens, long.MaxValue, now, out _, out _);
        }

        s.AddTokensInFlight(tokens);
        return null;
    }

    private void Release(LimitState s, ref AdmissionTicket ticket, long actualTokens, long actualCost, bool refundRequest, bool alert)
    {
        var now = _time.GetUtcNow();
        s.InFlight.Exit();
        s.Budget.Settle(ticket.CostReserved, actualCost);
        s.Tokens.Adjust(actualTokens - ticket.TokensReserved, ticket.At, now);
        s.AddTokensInFlight(-ticket.TokensReserved);
        if (refundRequest)
        {
            s.Requests.Adjust(-1, ticket.At, now);
        }

        if (alert && s.Limits.SoftBudget is { } soft && !s.SoftBudgetAlerted && s.Budget.SpentNanos >= ToNanos(soft))
        {
            s.SoftBudgetAlerted = true;
            SoftBudgetReached?.Invoke(s, s.Budget.SpentNanos);
        }
    }

    /// <summary>A limit divided between replicas (at least 1, so a small limit does not become a ban).</summary>
    private static int Divide(int limit, int divisor) => divisor <= 1 ? limit : Math.Max(1, limit / divisor);

    public static long ToNanos(decimal dollars) => (long)decimal.Round(dollars * 1_000_000_000m);

    /// <summary>
    /// Which limits the in-process pass enforces: 0 records only (the shared limiter decides), 1 enforces as
    /// configured, n > 1 enforces the limit divided by n (failing open with n replicas).
    /// </summary>
    private readonly record struct LocalChecks(int BudgetDivisor, int RateDivisor)
    {
        public static readonly LocalChecks All = new(1, 1);
    }
}
