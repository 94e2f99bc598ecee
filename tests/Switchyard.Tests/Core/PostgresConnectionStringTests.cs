using Npgsql;
using Switchyard.Core.Tenancy;
using Switchyard.Storage.Postgres;

namespace Switchyard.Tests.Core;

public sealed class PostgresConnectionStringTests
{
    [Theory]
    [InlineData("postgresql://")]
    [InlineData("postgres://")]
    [InlineData("PostgreSQL://")]
    public void Parse_UrlWithEverything_ReadsUserPasswordHostPortDatabaseAndSslMode(string scheme)
    {
        var b = PostgresConnectionString.Parse(scheme + "gate%40way:p%40ss%3Aw%2Frd@db.internal:6432/switch%20yard?sslmode=verify-full&application_name=switchyard&connect_timeout=7");

        Assert.Equal(("gate@way", "p@ss:w/rd", "db.internal", 6432, "switch yard"), (b.Username, b.Password, b.Host, b.Port, b.Database));
        Assert.Equal((SslMode.VerifyFull, "switchyard", 7), (b.SslMode, b.ApplicationName, b.Timeout));
        Assert.Equal("db.internal:6432/switch yard", PostgresConnectionString.Describe(b));
    }

    [Fact]
    public void Parse_MinimalUrl_KeepsNpgsqlDefaults()
    {
        var b = PostgresConnectionString.Parse("postgresql://db/app");
        Assert.Equal(("db", 5432, "app", null, null), (b.Host, b.Port, b.Database, b.Username, b.Password));
        Assert.Equal(SslMode.Prefer, b.SslMode);
    }

    [Fact]
    public void Parse_PrismaStyleParameters_AsLiteLLMWritesThem_MapToSearchPathAndPool()
    {
        var b = PostgresConnectionString.Parse("postgresql://u:p@h:5432/litellm?schema=gateway&connection_limit=20&pool_timeout=9");
        Assert.Equal(("gateway", 20, 9), (b.SearchPath, b.MaxPoolSize, b.Timeout));
    }

    [Fact]
    public void Parse_SeveralHostsAndIPv6AndUnixSocketDirectory_AsLibpqAllows()
    {
        Assert.Equal("a:5433,b", PostgresConnectionString.Parse("postgresql://u@a:5433,b/db").Host);
        var v6 = PostgresConnectionString.Parse("postgresql://u@[::1]:5444/db");
        Assert.Equal(("::1", 5444), (v6.Host, v6.Port));
        var socket = PostgresConnectionString.Parse("postgresql:///db?host=%2Fvar%2Frun%2Fpostgresql&user=gw");
        Assert.Equal(("/var/run/postgresql", "db", "gw"), (socket.Host, socket.Database, socket.Username));
    }

    [Fact]
    public void Parse_NpgsqlConnectionString_TakenAsItIs()
    {
        var b = PostgresConnectionString.Parse("Host=db;Port=5433;Username=gw;Password=secret;Database=switchyard;SSL Mode=Require");
        Assert.Equal(("db", 5433, "gw", "secret", "switchyard", SslMode.Require), (b.Host, b.Port, b.Username, b.Password, b.Database, b.SslMode));
    }

    [Theory]
    [InlineData("postgresql://u:topsecret@h/db?sslmode=sometimes", "sslmode 'sometimes' is not one of")]
    [InlineData("postgresql://u:topsecret@h/db?sslmod=require", "the parameter 'sslmod' is not known")]
    [InlineData("postgresql://u:topsecret@h:99999/db", "the port must be a whole number")]
    [InlineData("postgresql://u:topsecret@h:abc/db", "the port must be a whole number")]
    [InlineData("postgresql://u:top#secret@h/db", "percent-encode a '#'")]
    [InlineData("postgresql://u:topsecret@h/a/b", "must be one segment")]
    [InlineData("postgresql://u:topsecret@[::1/db", "opens '[' without closing it")]
    [InlineData("mysql://u:topsecret@h/db", "the scheme 'mysql' is not postgresql:// or postgres://")]
    [InlineData("Host=h;Pasword=topsecret", "neither a postgresql:// URL nor a valid Npgsql connection string")]
    [InlineData("  ", "it is empty")]
    public void Parse_BadAddress_TypedErrorSayingWhatIsWrongWithoutThePassword(string value, string expected)
    {
        var e = Assert.Throws<StoreUnavailableException>(() => PostgresConnectionString.Parse(value));
        Assert.StartsWith("database_url is not a usable PostgreSQL address: ", e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("topsecret", e.Message, StringComparison.Ordinal);
    }
}
