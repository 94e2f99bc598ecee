namespace Switchyard.Core.Admission;

/// <summary>
/// Admits a request against its token's, tenant's and tenant-alias limits: budget, concurrency, RPM and TPM, in that
/// order, rolling back what it took when a later check fails. Everything is in-process counters under short locks;
/// no allocation unless a request is rejected.
/// </summary>
public sealed class AdmissionController(TimeProvider time)
{
    /// <summary>A budget period rolled over (kind, id, next reset): persist it.</summary>
    public event Action<string, string, DateTimeOffset>? BudgetReset;

    /// <summary>A subject's spend crossed its soft budget in this period.</summary>
    public event Action<LimitState, long>? SoftBudgetReached;

    public TimeProvider Time => time;

    public AdmissionRejection? TryAdmit(ref AdmissionTicket ticket, LimitState? key, LimitState? tenant, LimitState? alias, long estimatedTokens, long estimatedCostNanos)
    {
        var now = time.GetUtcNow();
        ticket = new AdmissionTicket { First = key, Second = tenant, Third = alias, TokensReserved = estimatedTokens, CostReserved = estimatedCostNanos, At = now };
        var stage = 0;
        AdmissionRejection? rejection = null;
        for (; stage < 3; stage++)
        {
            var s = stage switch { 0 => key, 1 => tenant, _ => alias };
            if (s is null)
            {
                continue;
            }

            rejection = TryTake(s, now, estimatedTokens, estimatedCostNanos, ref ticket);
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
            var s = undo switch { 0 => key, 1 => tenant, _ => alias };
            if (s is not null)
            {
                Release(s, ref ticket, actualTokens: 0, actualCost: 0, refundRequest: true);
            }
        }

        ticket.Settled = 1;
        return rejection;
    }

    /// <summary>Settles an admitted request to what it really used (zero tokens and cost when it failed).</summary>
    public void Complete(ref AdmissionTicket ticket, long actualTokens, long actualCostNanos)
    {
        if (Interlocked.Exchange(ref ticket.Settled, 1) == 1)
        {
            return;
        }

        if (ticket.First is { } a)
        {
            Release(a, ref ticket, actualTokens, actualCostNanos, refundRequest: false);
        }

        if (ticket.Second is { } b)
        {
            Release(b, ref ticket, actualTokens, actualCostNanos, refundRequest: false);
        }

        if (ticket.Third is { } c)
        {
            Release(c, ref ticket, actualTokens, actualCostNanos, refundRequest: false);
        }
    }

    private AdmissionRejection? TryTake(LimitState s, DateTimeOffset now, long tokens, long cost, ref AdmissionTicket ticket)
    {
        var limits = s.Limits;
        if (limits.MaxBudget is { } max)
        {
            if (s.Budget.Roll(limits.BudgetDuration, now) is { } next)
            {
                s.SoftBudgetAlerted = false;
                BudgetReset?.Invoke(s.Kind, s.Id, next);
            }

            if (!s.Budget.TryReserve(cost, ToNanos(max), now, out var budgetRetry))
            {
                return new AdmissionRejection(LimitCodes.Budget, Describe(s),
                    $"{Describe(s)} has spent its budget of ${max}" + (limits.BudgetDuration is { } d ? $" for this {d} period" : ""), budgetRetry);
            }
        }
        else
        {
            s.Budget.Reserve(cost);
        }

        if (limits.MaxParallelRequests is { } parallel)
        {
            if (!s.InFlight.TryEnter(parallel))
            {
                s.Budget.Settle(cost, 0);
                return new AdmissionRejection(LimitCodes.Concurrency, Describe(s), $"{Describe(s)} already has {parallel} requests in flight (max_parallel_requests)", TimeSpan.FromMilliseconds(250));
            }
        }
        else
        {
            s.InFlight.Enter();
        }

        if (limits.Rpm is { } rpm)
        {
            if (!s.Requests.TryAdd(1, rpm, now, out var rpmRetry, out var remaining))
            {
                s.InFlight.Exit();
                s.Budget.Settle(cost, 0);
                ticket.LimitRequests = rpm;
                ticket.RemainingRequests = 0;
                return new AdmissionRejection(LimitCodes.Rpm, Describe(s), $"{Describe(s)} reached its limit of {rpm} requests per minute", rpmRetry);
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

        if (limits.Tpm is { } tpm)
        {
            if (!s.Tokens.TryAdd(tokens, tpm, now, out var tpmRetry, out var remaining))
            {
                s.Requests.Adjust(-1, now, now);
                s.InFlight.Exit();
                s.Budget.Settle(cost, 0);
                ticket.LimitTokens = tpm;
                ticket.RemainingTokens = remaining;
                return new AdmissionRejection(LimitCodes.Tpm, Describe(s), $"{Describe(s)} reached its limit of {tpm} tokens per minute (this request reserves about {tokens})", tpmRetry);
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

        return null;
    }

    private void Release(LimitState s, ref AdmissionTicket ticket, long actualTokens, long actualCost, bool refundRequest)
    {
        var now = time.GetUtcNow();
        s.InFlight.Exit();
        s.Budget.Settle(ticket.CostReserved, actualCost);
        s.Tokens.Adjust(actualTokens - ticket.TokensReserved, ticket.At, now);
        if (refundRequest)
        {
            s.Requests.Adjust(-1, ticket.At, now);
        }

        if (s.Limits.SoftBudget is { } soft && !s.SoftBudgetAlerted && s.Budget.SpentNanos >= ToNanos(soft))
        {
            s.SoftBudgetAlerted = true;
            SoftBudgetReached?.Invoke(s, s.Budget.SpentNanos);
        }
    }

    public static long ToNanos(decimal dollars) => (long)decimal.Round(dollars * 1_000_000_000m);

    private static string Describe(LimitState s) => s.Kind switch
    {
        "key" => "this token",
        "tenant" => $"tenant '{s.Id}'",
        _ => $"tenant alias limit '{s.Id}'",
    };
}
