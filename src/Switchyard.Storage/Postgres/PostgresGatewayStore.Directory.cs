using Npgsql;

namespace Switchyard.Storage.Postgres;

public sealed partial class PostgresGatewayStore
{
    private NpgsqlConnection? _listener;

    public async Task<long> DirectoryVersionAsync(CancellationToken ct)
    {
        await using var cmd = _db.CreateCommand("SELECT version FROM directory_version WHERE id = 1");
        return await cmd.ExecuteScalarAsync(ct) is long v ? v : 0;
    }

    /// <summary>
    /// LISTENs on a connection of its own (opened on first use, reopened after a failure) and waits for a key or tenant
    /// write's NOTIFY. One caller at a time (the directory refresher). A failure is thrown after the connection is
    /// dropped, so that the caller's next wait opens a new one.
    /// </summary>
    public async Task<bool> WaitForDirectoryChangeAsync(TimeSpan timeout, CancellationToken ct)
    {
        try
        {
            if (_listener is null)
            {
                var c = new NpgsqlConnection(_listenConnectionString);
                try
                {
                    await c.OpenAsync(ct);
                    await using var listen = new NpgsqlCommand($"LISTEN {PostgresMigrations.DirectoryChannel}", c);
                    await listen.ExecuteNonQueryAsync(ct);
                }
                catch
                {
                    await c.DisposeAsync();
                    throw;
                }

                _listener = c;
            }

            return await _listener.WaitAsync(timeout, ct);
        }
        catch
        {
            if (_listener is { } broken)
            {
                _listener = null;
                await broken.DisposeAsync();
            }

            throw;
        }
    }
}
