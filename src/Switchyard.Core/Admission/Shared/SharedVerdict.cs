namespace Switchyard.Core.Admission.Shared;

/// <summary>The shared limiter's answer to one admission.</summary>
public sealed class SharedVerdict
{
    /// <summary>The replica id (with its generation) the reservations are held under.</summary>
    public required string Replica { get; init; }

    /// <summary>The ticket's id under <see cref="Replica"/>.</summary>
    public long Ticket { get; init; }

    /// <summary>The shared store's clock at admission (Unix milliseconds).</summary>
    public long AtMs { get; init; }

    /// <summary>Null when admitted.</summary>
    public SharedRefusal? Refusal { get; init; }

    public long LimitRequests { get; init; }
    public long RemainingRequests { get; init; }
    public long LimitTokens { get; init; }
    public long RemainingTokens { get; init; }

    /// <summary>Per subject (same index as the request): its shared spend and budget period after this step.</summary>
    public SharedBudgetView[] Budgets { get; } = new SharedBudgetView[4];
}

/// <summary>Which limit of which subject refused, with the figures the rejection message needs.</summary>
/// <param name="Subject">Index into the request's subjects.</param>
/// <param name="Limit">The limit (rpm, tpm, max_parallel_requests; for budgets unused).</param>
/// <param name="Used">Budget: spend in the period; tpm: tokens used in the window (reservations left out).</param>
/// <param name="Reserved">Budget: cost reserved by requests in flight; tpm: tokens reserved by them.</param>
/// <param name="Reservations">Budget: how many requests in flight hold a reservation.</param>
/// <param name="RetryAfter">When a retry may pass (budget exhausted: until the reset; null if it never resets).</param>
public readonly record struct SharedRefusal(SharedRefusalKind Kind, int Subject, long Limit, long Used, long Reserved, int Reservations, TimeSpan? RetryAfter);

public enum SharedRefusalKind
{
    BudgetExhausted,
    BudgetReserved,
    Concurrency,
    Rpm,
    Tpm,
}

/// <summary>A subject's shared spend (nano-dollars) and budget reset; <see cref="Rolled"/>: this step started a new period.</summary>
public readonly record struct SharedBudgetView(bool Known, long SpentNanos, DateTimeOffset? ResetAt, bool Rolled);
