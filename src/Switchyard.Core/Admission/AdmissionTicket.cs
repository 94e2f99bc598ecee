namespace Switchyard.Core.Admission;

/// <summary>
/// What one admitted request holds: up to three limited subjects (token, tenant, tenant's alias), the tokens and
/// cost it reserved, and the figures for the x-ratelimit-* headers. Settled exactly once.
/// </summary>
public struct AdmissionTicket
{
    internal LimitState? First;
    internal LimitState? Second;
    internal LimitState? Third;
    internal long TokensReserved;
    internal long CostReserved;
    internal DateTimeOffset At;
    internal int Settled;

    public long LimitRequests { get; internal set; }
    public long RemainingRequests { get; internal set; }
    public long LimitTokens { get; internal set; }
    public long RemainingTokens { get; internal set; }

    public readonly bool HasRequestLimit => LimitRequests > 0;
    public readonly bool HasTokenLimit => LimitTokens > 0;
}
