using Switchyard.Cli.Doctor;
using Switchyard.Core.Config;
using Switchyard.Storage.Postgres;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Operations;

/// <summary>switchyard doctor's store check on a PostgreSQL database_url.</summary>
public sealed class DoctorPostgresTests(PostgresDatabase db) : IClassFixture<PostgresDatabase>
{
    private static GatewayConfig Config(string databaseUrl)
    {
        var config = ConfigLoader.Load("""
            model_list:
              - model_name: a
                litellm_params: { model: mock/a }
            general_settings: { master_key: sk-doctor-1234 }
            """, Path.GetTempPath(), _ => null);
        return config with { Store = config.Store with { DatabaseUrl = databaseUrl } };
    }

    [Fact]
    public async Task Store_PostgresBeforeAndAfterFirstStart_IsSY144WithItsSchemaVersion()
    {
        var before = Assert.Single(DoctorChecks.Store(Config(db.Url)));
        Assert.Equal(("SY144", Finding.Info), (before.Id, before.Severity));
        Assert.Contains("its tables are created on first start", before.Message, StringComparison.Ordinal);

        await using (var store = new PostgresGatewayStore(db.Url))
        {
            await store.InitializeAsync(CancellationToken.None);
        }

        var after = Assert.Single(DoctorChecks.Store(Config(db.Url)));
        Assert.Equal("SY144", after.Id);
        Assert.Contains($"127.0.0.1:{db.Server.Port}/{db.Name} is healthy (schema version {Switchyard.Storage.Postgres.PostgresMigrations.Steps.Length})", after.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(PostgresServer.Password, after.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("postgresql://gw:hunter2-secret@127.0.0.1:PORT/switchyard", "does not answer")]
    [InlineData("postgresql://gw:hunter2-secret@127.0.0.1:PORT/switchyard?sslmode=always", "sslmode 'always'")]
    public void Store_PostgresUnreachableOrMalformed_IsSY143WithoutThePassword(string url, string expected)
    {
        var finding = Assert.Single(DoctorChecks.Store(Config(url.Replace("PORT", ChildGateway.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal))));
        Assert.Equal(("SY143", Finding.Error), (finding.Id, finding.Severity));
        Assert.Contains(expected, finding.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", finding.Message, StringComparison.Ordinal);
    }
}
