namespace Switchyard.Core.Audit;

/// <summary>A filter and page over the audit log, newest first.</summary>
public sealed record AuditQuery
{
    /// <summary>Rows whose actor (key id or <c>master</c>) or actor alias is this.</summary>
    public string? Actor { get; init; }

    /// <summary>Rows of this action (<c>key.generate</c>), or of every action under a prefix ending in a dot (<c>key.</c>).</summary>
    public string? Action { get; init; }

    public string? Target { get; init; }

    /// <summary>Rows made by this tenant's keys or about its keys and team (a tenant admin's view).</summary>
    public string? TenantId { get; init; }

    public DateTimeOffset? Since { get; init; }

    public DateTimeOffset? Until { get; init; }

    /// <summary>1-based page.</summary>
    public int Page { get; init; } = 1;

    public int PageSize { get; init; } = 50;
}

/// <summary>One page of rows and how many match in all.</summary>
public sealed record Paged<T>(IReadOnlyList<T> Rows, long Total);
