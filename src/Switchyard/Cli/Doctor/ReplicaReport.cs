namespace Switchyard.Cli.Doctor;

/// <summary>
/// What one replica's /health/readiness says: its status, live config hash, version, store and Redis; or why it could
/// not be read (<see cref="Error"/>).
/// </summary>
public sealed record ReplicaReport(string Url)
{
    public string? Status { get; init; }

    public string? ConfigHash { get; init; }

    public string? Version { get; init; }

    /// <summary>The store's kind and status when the replica reports them ("sqlite", "postgresql healthy", ...).</summary>
    public string? Store { get; init; }

    public string? Redis { get; init; }

    public string? Error { get; init; }

    /// <summary>Whether <see cref="Store"/> names a SQLite file (kept by this replica alone).</summary>
    public bool LocalStore => Store?.StartsWith("sqlite", StringComparison.Ordinal) == true;
}
