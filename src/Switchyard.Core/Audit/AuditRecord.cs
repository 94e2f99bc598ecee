namespace Switchyard.Core.Audit;

/// <summary>
/// One audit log row: an admin action (or its refusal), who did it, what it touched, how it ended and from where.
/// Never holds a token or a secret: <see cref="Actor"/> is a key's public id (its hash) or <c>master</c>.
/// </summary>
public sealed record AuditRecord
{
    /// <summary>The row's own id (time-ordered; unique).</summary>
    public required string Id { get; init; }

    public DateTimeOffset Time { get; init; }

    /// <summary>The caller: a key's token hash, <c>master</c>, or null when it could not be authenticated.</summary>
    public string? Actor { get; init; }

    /// <summary>The caller key's alias, when it has one.</summary>
    public string? ActorAlias { get; init; }

    /// <summary>The caller key's tenant (null for the master key and global admin tokens).</summary>
    public string? TenantId { get; init; }

    /// <summary>The caller key's owner (user id), when it has one.</summary>
    public string? UserId { get; init; }

    /// <summary>What was done, e.g. <c>key.generate</c>, <c>team.update</c>, <c>config.reload</c>, <c>session.sign_in</c>.</summary>
    public required string Action { get; init; }

    /// <summary>What it touched: a key id, team id, user id, model id, alias; null when not known (e.g. refused early).</summary>
    public string? Target { get; init; }

    /// <summary>The tenant the target belongs to, when known (a tenant admin also reads the rows about its tenant).</summary>
    public string? TargetTenantId { get; init; }

    /// <summary>The answer's HTTP status.</summary>
    public int Status { get; init; }

    /// <summary><c>ok</c> (2xx), <c>denied</c> (401/403) or <c>failed</c> (any other).</summary>
    public required string Outcome { get; init; }

    /// <summary>The failure summary's code when it was refused or failed.</summary>
    public string? ErrorCode { get; init; }

    public string? ClientAddress { get; init; }

    public string? UserAgent { get; init; }

    /// <summary>A short redacted description (field names and non-secret values; never a token).</summary>
    public string? Detail { get; init; }

    public string? CorrelationId { get; init; }

    /// <summary>The outcome of an HTTP status.</summary>
    public static string OutcomeOf(int status) => status switch
    {
        >= 200 and < 300 => "ok",
        401 or 403 => "denied",
        _ => "failed",
    };
}
