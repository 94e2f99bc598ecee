using Npgsql;
using Switchyard.Core.Tenancy;
using Switchyard.Storage.Postgres;

namespace Switchyard.Cli.Doctor;

/// <summary>doctor's store check when general_settings.database_url points at PostgreSQL: reachable, and at which schema version.</summary>
internal static class PostgresStoreCheck
{
    public static IEnumerable<Finding> Run(string databaseUrl)
    {
        string where;
        string? problem = null;
        var version = 0L;
        try
        {
            var b = PostgresConnectionString.Parse(databaseUrl);
            where = PostgresConnectionString.Describe(b);
            b.Timeout = Math.Min(b.Timeout, 5);
            b.Pooling = false;
            using var c = new NpgsqlConnection(b.ConnectionString);
            c.Open();
            using var exists = new NpgsqlCommand("SELECT to_regclass('schema_version') IS NOT NULL", c);
            if (exists.ExecuteScalar() is true)
            {
                using var cmd = new NpgsqlCommand("SELECT COALESCE(MAX(version), 0) FROM schema_version", c);
                version = Convert.ToInt64(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
            }
        }
        catch (StoreUnavailableException e)
        {
            return [new Finding("SY143", Finding.Error, e.Message, "fix general_settings.database_url (or DATABASE_URL); docs/configuration.md lists its forms")];
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            where = PostgresConnectionString.Describe(PostgresConnectionString.Parse(databaseUrl));
            problem = e.Message;
        }

        return problem is not null
            ? [new Finding("SY143", Finding.Error, $"PostgreSQL store {where} does not answer: {problem}", "check that the server runs, the address and credentials, and that this host may connect (pg_hba.conf)")]
            : [new Finding("SY144", Finding.Info, version == 0
                ? $"PostgreSQL store {where} answers; its tables are created on first start"
                : $"PostgreSQL store {where} is healthy (schema version {version})", "")];
    }
}
