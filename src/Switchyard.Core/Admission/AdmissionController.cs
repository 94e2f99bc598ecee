using System.Globalization;
using Switchyard.Core.Tenancy;

namespace Switchyard.Core.Admission;

/// <summary>
/// Admits a request against its token's, tenant's and tenant-alias limits: budget, concurrency, RPM and TPM, in that
/// order, rolling back what it took when a later check fails. Everything is in-process counters under short locks;
/// no allocation unless a request is rejected.
/// </summary>
public sealed class AdmissionController(TimeProvider time)
{
    /// <summary>
    /// The retry hint when only requests in flight stand in the way (their reservations settle when they finish;
    /// an LLM call takes from a fraction of a second to a few seconds).
    /// </summary>
    public static readonly TimeSpan ReservationRetry = TimeSpan.FromSeconds(1);

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

            if (s.Budget.TryReserve(cost, ToNanos(max), now) is { } refused)
            {
                return BudgetRejection(s, limits, max, cost, refused);
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
                return TpmRejection(s, now, tpm, tokens, tpmRetry);
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

    private void Release(LimitState s, ref AdmissionTicket ticket, long actualTokens, long actualCost, bool refundRequest)
    {
        var now = time.GetUtcNow();
        s.InFlight.Exit();
        s.Budget.Settle(ticket.CostReserved, actualCost);
        s.Tokens.Adjust(actualTokens - ticket.TokensReserved, ticket.At, now);
        s.AddTokensInFlight(-ticket.TokensReserved);
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

    /// <summary>
    /// A spent budget (budget_exceeded, retry at the reset) or one whose remaining room is held by requests in flight
    /// (budget_reserved, retry when they settle).
    /// </summary>
    private static AdmissionRejection BudgetRejection(LimitState s, Limits limits, decimal max, long cost, BudgetRefusal refused)
    {
        var period = limits.BudgetDuration is { } d ? $" for this {d} period" : "";
        if (refused.Exhausted)
        {
            return new AdmissionRejection(LimitCodes.Budget, Describe(s), $"{Describe(s)} has spent its budget of ${max}{period}", refused.UntilReset);
        }

        // A period reset clears the spend, not the reservations: only their settling frees the room.
        return new AdmissionRejection(LimitCodes.BudgetReserved, Describe(s),
            $"{Describe(s)} has ${Dollars(ToNanos(max) - refused.SpentNanos)} of its ${max} budget{period} left, but {refused.Reservations} request(s) in flight "
            + $"have reserved ${Dollars(refused.ReservedNanos)} of it and this request may cost up to ${Dollars(cost)}; retry when they finish", ReservationRetry);
    }

    /// <summary>
    /// A TPM refusal says whether tokens used in the window or reservations of requests in flight fill it; the latter
    /// settle (usually to less) when those requests finish, so the retry hint is short.
    /// </summary>
    private static AdmissionRejection TpmRejection(LimitState s, DateTimeOffset now, long tpm, long tokens, TimeSpan windowRetry)
    {
        // Reservations older than the window have left it already, so this undercounts settled use only for requests
        // in flight for over a minute.
        var inFlight = s.TokensInFlight;
        var settled = Math.Max(0, s.Tokens.Current(now) - inFlight);
        if (inFlight > 0 && settled + tokens <= tpm)
        {
            return new AdmissionRejection(LimitCodes.Tpm, Describe(s),
                $"{Describe(s)} has {tpm} tokens per minute; {settled} were used in the last minute and requests in flight have reserved {inFlight} more "
                + $"(this request reserves about {tokens}); retry when they finish", windowRetry < ReservationRetry ? windowRetry : ReservationRetry);
        }

        return new AdmissionRejection(LimitCodes.Tpm, Describe(s),
            $"{Describe(s)} reached its limit of {tpm} tokens per minute: {settled} used in the last minute, {inFlight} reserved by requests in flight "
            + $"(this request reserves about {tokens})", windowRetry);
    }

    private static string Dollars(long nanos) => (Math.Max(0, nanos) / 1_000_000_000m).ToString("0.#########", CultureInfo.InvariantCulture);

    public static long ToNanos(decimal dollars) => (long)decimal.Round(dollars * 1_000_000_000m);

    private static string Describe(LimitState s) => s.Kind switch
    {
        "key" => "this token",
        "tenant" => $"tenant '{s.Id}'",
        _ => $"tenant alias limit '{s.Id}'",
    };
}
