using System.Globalization;
using Switchyard.Core.Tenancy;

namespace Switchyard.Core.Admission;

/// <summary>
/// The rejections admission answers with, built from a limit's figures, so the in-process counters and the shared
/// (Redis) ones word them alike: same codes, messages and retry hints.
/// </summary>
internal static class AdmissionRejections
{
    /// <summary>The retry hint of a concurrency refusal (one of the requests in flight is likely to finish by then).</summary>
    public static readonly TimeSpan ConcurrencyRetry = TimeSpan.FromMilliseconds(250);

    public static AdmissionRejection Concurrency(string kind, string id, int parallel)
        => new(LimitCodes.Concurrency, Describe(kind, id), $"{Describe(kind, id)} already has {parallel} requests in flight (max_parallel_requests)", ConcurrencyRetry);

    public static AdmissionRejection Rpm(string kind, string id, long rpm, TimeSpan retry)
        => new(LimitCodes.Rpm, Describe(kind, id), $"{Describe(kind, id)} reached its limit of {rpm} requests per minute", retry);

    /// <summary>
    /// A spent budget (budget_exceeded, retry at the reset) or one whose remaining room is held by requests in flight
    /// (budget_reserved, retry when they settle).
    /// </summary>
    public static AdmissionRejection Budget(string kind, string id, Limits limits, decimal max, long cost, BudgetRefusal refused)
    {
        var who = Describe(kind, id);
        var period = limits.BudgetDuration is { } d ? $" for this {d} period" : "";
        if (refused.Exhausted)
        {
            return new AdmissionRejection(LimitCodes.Budget, who, $"{LiteLlmExceeded(kind, id, refused.SpentNanos, limits.MaxBudget ?? max)}; {who} has spent its budget of ${max}{period}", refused.UntilReset);
        }

        // A period reset clears the spend, not the reservations: only their settling frees the room.
        return new AdmissionRejection(LimitCodes.BudgetReserved, who,
            $"{who} has ${Dollars(AdmissionController.ToNanos(max) - refused.SpentNanos)} of its ${max} budget{period} left, but {refused.Reservations} request(s) in flight "
            + $"have reserved ${Dollars(refused.ReservedNanos)} of it and this request may cost up to ${Dollars(cost)}; retry when they finish", AdmissionController.ReservationRetry);
    }

    /// <summary>
    /// A TPM refusal says whether tokens used in the window or reservations of requests in flight fill it; the latter
    /// settle (usually to less) when those requests finish, so the retry hint is short.
    /// </summary>
    /// <param name="settled">Tokens used in the window, reservations of requests in flight left out.</param>
    /// <param name="inFlight">Tokens reserved by requests in flight.</param>
    public static AdmissionRejection Tpm(string kind, string id, long tpm, long tokens, long settled, long inFlight, TimeSpan windowRetry)
    {
        var who = Describe(kind, id);
        if (inFlight > 0 && settled + tokens <= tpm)
        {
            return new AdmissionRejection(LimitCodes.Tpm, who,
                $"{who} has {tpm} tokens per minute; {settled} were used in the last minute and requests in flight have reserved {inFlight} more "
                + $"(this request reserves about {tokens}); retry when they finish", windowRetry < AdmissionController.ReservationRetry ? windowRetry : AdmissionController.ReservationRetry);
        }

        return new AdmissionRejection(LimitCodes.Tpm, who,
            $"{who} reached its limit of {tpm} tokens per minute: {settled} used in the last minute, {inFlight} reserved by requests in flight "
            + $"(this request reserves about {tokens})", windowRetry);
    }

    /// <summary>
    /// LiteLLM's own budget-exceeded wording for a key, team or user (litellm/proxy/auth/auth_checks.py), so clients
    /// and tests that match it keep working; the figures are Python-style floats (at least one decimal).
    /// </summary>
    public static string LiteLlmExceeded(string kind, string id, long spentNanos, decimal max)
    {
        var spend = Float(spentNanos / 1_000_000_000m);
        return kind switch
        {
            "tenant" => $"Budget has been exceeded! Team={id} Current cost: {spend}, Max budget: {Float(max)}",
            "user" => $"ExceededBudget: User={id} over budget. Spend={spend}, Budget={Float(max)}",
            _ => $"Budget has been exceeded! Current cost: {spend}, Max budget: {Float(max)}",
        };
    }

    private static string Float(decimal v) => Math.Max(0, v).ToString("0.0#########", CultureInfo.InvariantCulture);

    public static string Describe(string kind, string id) => kind switch
    {
        "key" => "this token",
        "tenant" => $"tenant '{id}'",
        "user" => $"user '{id}'",
        _ => $"tenant alias limit '{id}'",
    };

    private static string Dollars(long nanos) => (Math.Max(0, nanos) / 1_000_000_000m).ToString("0.#########", CultureInfo.InvariantCulture);
}
