using Switchyard.Core.Audit;
using Switchyard.Tenancy;

namespace Switchyard.Audit;

/// <summary>
/// The audit row a request to an audited route (<see cref="AuditActions"/>) is building, as a request feature: the
/// <see cref="AuditMiddleware"/> creates it, <see cref="Authenticator"/> names the actor, the handler names the target
/// (<see cref="Describe"/>), and the middleware completes it with the answer's status once the handler returned.
/// Anything put here is stored: never a token or a secret.
/// </summary>
public sealed class AuditEntry
{
    private const int MaxDetail = 500;

    public required string Action { get; init; }

    public DateTimeOffset Time { get; init; }

    public string? Actor { get; private set; }

    public string? ActorAlias { get; private set; }

    public string? TenantId { get; private set; }

    public string? UserId { get; private set; }

    public string? Target { get; private set; }

    public string? TargetTenantId { get; private set; }

    public string? Detail { get; private set; }

    /// <summary>The failure summary's code when the answer was one (set by <see cref="Http.FailureResponses"/>).</summary>
    public string? ErrorCode { get; set; }

    /// <summary>The entry of this request, or null when its route is not audited.</summary>
    public static AuditEntry? Of(HttpContext context) => context.Features.Get<AuditEntry>();

    /// <summary>Names who called (the master key, or a key by its public id, alias, tenant and owner).</summary>
    public void SetActor(CallerIdentity caller)
    {
        Actor = caller.IsMaster ? "master" : caller.TokenHash;
        ActorAlias = caller.Key?.Record.KeyAlias;
        TenantId = caller.TenantId;
        UserId = caller.UserId;
    }

    /// <summary>Names a key that presented itself but was refused (revoked, expired, rotated): who tried is worth keeping.</summary>
    public void SetRefusedActor(Core.Tenancy.KeyRecord key)
    {
        Actor = key.TokenHash;
        ActorAlias = key.KeyAlias;
        TenantId = key.TenantId;
        UserId = key.UserId;
    }

    /// <summary>
    /// Names what the action touched and the tenant it belongs to, with a short redacted detail (field names and plain
    /// values; never a token). A null argument leaves what was set before.
    /// </summary>
    public void Describe(string? target = null, string? targetTenantId = null, string? detail = null)
    {
        Target = target ?? Target;
        TargetTenantId = targetTenantId ?? TargetTenantId;
        if (detail is not null)
        {
            Detail = detail.Length > MaxDetail ? detail[..MaxDetail] + "…" : detail;
        }
    }

    /// <summary>The row to store, with the answer's status.</summary>
    public AuditRecord Complete(string id, int status, string? clientAddress, string? userAgent, string? correlationId) => new()
    {
        Id = id,
        Time = Time,
        Actor = Actor,
        ActorAlias = ActorAlias,
        TenantId = TenantId,
        UserId = UserId,
        Action = Action,
        Target = Target,
        TargetTenantId = TargetTenantId,
        Status = status,
        Outcome = AuditRecord.OutcomeOf(status),
        ErrorCode = ErrorCode,
        ClientAddress = clientAddress,
        UserAgent = userAgent is { Length: > 256 } ua ? ua[..256] : userAgent,
        Detail = Detail,
        CorrelationId = correlationId,
    };
}
