namespace Switchyard.Core.Admission;

/// <summary>
/// What one admitted request holds: up to four limited subjects (token, tenant, tenant's alias, the token's owning user), the tokens and
/// cost it reserved, and the figures for the x-ratelimit-* headers. Settled exactly once. A ticket admitted through
/// the shared limiter also names the replica (and its generation) that holds its reservations there.
/// </summary>
public struct AdmissionTicket
{
    internal LimitState? First;
    internal LimitState? Second;
    internal LimitState? Third;
    internal LimitState? Fourth;

    /// <summary>How many subjects a ticket can hold: token, tenant, tenant alias, owning user (in the order they are checked).</summary>
    internal const int Subjects = 4;
    internal long TokensReserved;
    internal long CostReserved;
    internal DateTimeOffset At;
    internal int Settled;

    /// <summary>The replica id the shared reservations are held under; null for a ticket admitted in process only.</summary>
    internal string? SharedReplica;

    /// <summary>The ticket's id under <see cref="SharedReplica"/> (settling twice is a no-op there too).</summary>
    internal long SharedTicket;

    /// <summary>The shared limiter's clock (Redis server time) when it admitted the ticket, in Unix milliseconds.</summary>
    internal long SharedAtMs;

    /// <summary>Which of First, Second, Third, Fourth (bits 0, 1, 2, 3) hold shared reservations.</summary>
    internal byte SharedMask;

    /// <summary>Whether the budgets of the shared subjects are shared (else only their rates are).</summary>
    internal bool SharedBudgets;

    public long LimitRequests { get; internal set; }
    public long RemainingRequests { get; internal set; }
    public long LimitTokens { get; internal set; }
    public long RemainingTokens { get; internal set; }

    public readonly bool HasRequestLimit => LimitRequests > 0;
    public readonly bool HasTokenLimit => LimitTokens > 0;

    /// <summary>Whether the ticket holds reservations in the shared limiter (Redis).</summary>
    public readonly bool IsShared => SharedReplica is not null;
}
