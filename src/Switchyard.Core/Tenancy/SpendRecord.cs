namespace Switchyard.Core.Tenancy;

/// <summary>One spend log row: who called what, what it cost, how it went.</summary>
public sealed record SpendRecord
{
    private readonly string? _rowId;

    /// <summary>
    /// The id of the answer as the caller saw it (the response body's <c>id</c>: <c>chatcmpl-...</c>, <c>msg_...</c>,
    /// <c>resp_...</c>); for a request no answer carried an id for (a refusal, a failure, an embedding), the row's own id.
    /// Not unique: what makes a row unique is <see cref="RowId"/>.
    /// </summary>
    public required string RequestId { get; init; }

    /// <summary>
    /// The row's own id, made by the gateway: the store and the spend journal's replay key on it, so a row replayed or
    /// retried is stored and counted once. Defaults to <see cref="RequestId"/> (rows journaled before the two were apart).
    /// </summary>
    public string RowId
    {
        get => _rowId ?? RequestId;
        init => _rowId = value;
    }

    public required string CorrelationId { get; init; }
    public string? TenantId { get; init; }
    public string? TokenHash { get; init; }

    /// <summary>The user who owns the calling key, when it has one; the cost settles to their spend too.</summary>
    public string? UserId { get; init; }

    public required string Alias { get; init; }
    public string? Deployment { get; init; }
    public string? ProviderFamily { get; init; }
    public string? Model { get; init; }
    public long PromptTokens { get; init; }
    public long CompletionTokens { get; init; }
    public decimal Cost { get; init; }
    public int Status { get; init; }
    public double LatencyMs { get; init; }
    public DateTimeOffset StartTime { get; init; }
}

/// <summary>Filter for spend log queries.</summary>
public sealed record SpendQuery
{
    public string? TenantId { get; init; }
    public string? TokenHash { get; init; }

    /// <summary>Rows whose <see cref="SpendRecord.RequestId"/> (the response id the caller saw) is this.</summary>
    public string? RequestId { get; init; }

    /// <summary>
    /// Rows of this call (<see cref="SpendRecord.CorrelationId"/>). No index covers it alone: bound the query with
    /// <see cref="From"/>/<see cref="To"/> and the token (or tenant) so the (token_hash, start_time) index serves it.
    /// </summary>
    public string? CorrelationId { get; init; }

    public string? UserId { get; init; }
    public DateTimeOffset? From { get; init; }
    public DateTimeOffset? To { get; init; }
    public int Limit { get; init; } = 1000;
}
