namespace Switchyard.Core.Tenancy;

/// <summary>
/// A store several replicas share (PostgreSQL). Every key, tenant, user or stored deployment write, by any replica, moves a directory version
/// forward and announces it, so each replica can reload its in-memory directory when, and only when, it changed.
/// Called from a background loop, never from a request.
/// </summary>
public interface ISharedGatewayStore : IGatewayStore
{
    /// <summary>A number that grows with every key, tenant or stored deployment write by any replica.</summary>
    Task<long> DirectoryVersionAsync(CancellationToken ct);

    /// <summary>
    /// Waits until a key or tenant write is announced or <paramref name="timeout"/> passes; true when one was announced.
    /// Announcements can be missed (a dropped connection), so callers also compare <see cref="DirectoryVersionAsync"/>.
    /// </summary>
    Task<bool> WaitForDirectoryChangeAsync(TimeSpan timeout, CancellationToken ct);
}
