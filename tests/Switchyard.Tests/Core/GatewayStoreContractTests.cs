using Switchyard.Core.Audit;
using Switchyard.Core.Tenancy;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Core;

/// <summary>
/// The IGatewayStore contract, run against every store (<see cref="SqliteStoreTests"/>, <see cref="PostgresStoreTests"/>):
/// versioned migrations, spend that is idempotent per request id, admin upserts that leave running spend alone,
/// spend queries, stored responses.
/// </summary>
public abstract class GatewayStoreContractTests
{
    protected static readonly CancellationToken Ct = CancellationToken.None;
    private static readonly DateTimeOffset T0 = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Where a fresh, empty store lives (a file path or a database_url).</summary>
    protected abstract Task<string> NewLocationAsync();

    protected abstract IGatewayStore Open(string location);

    protected abstract int CurrentSchemaVersion { get; }

    protected abstract Task<int> SchemaVersionAsync(IGatewayStore store);

    /// <summary>Runs SQL on the store's database directly; returns the first column of the first row as a number.</summary>
    protected abstract Task<long> SqlAsync(string location, string sql);

    /// <summary>SQL that counts the tables with this name.</summary>
    protected abstract string CountTableSql(string table);

    /// <summary>How the store's error messages name this location.</summary>
    protected abstract string Describe(string location);

    [Fact]
    public async Task InitializeAsync_FreshStore_CreatesCurrentSchemaVersionWithAllTables()
    {
        var location = await NewLocationAsync();
        await using (var store = Open(location))
        {
            await store.InitializeAsync(Ct);
            Assert.Equal(CurrentSchemaVersion, await SchemaVersionAsync(store));
            Assert.True(await store.PingAsync(Ct));
        }

        Assert.Equal(CurrentSchemaVersion, await SqlAsync(location, "SELECT COUNT(*) FROM schema_version")); // one row per migration
        foreach (var table in new[] { "tenants", "keys", "spend_logs", "responses", "deployments", "users", "audit_log" })
        {
            Assert.Equal(1, await SqlAsync(location, CountTableSql(table)));
        }
    }

    [Fact]
    public async Task InitializeAsync_Reopened_DoesNotRerunMigrationsAndKeepsData()
    {
        var location = await NewLocationAsync();
        var hash = GatewayApi.Sha256Hex("sk-reopen");
        await using (var store = Open(location))
        {
            await store.InitializeAsync(Ct);
            await store.UpsertTenantAsync(new TenantRecord { TenantId = "acme", Limits = new Limits { Rpm = 5 } }, Ct);
            await store.UpsertKeyAsync(new KeyRecord { TokenHash = hash, KeyName = "sk-...open", TenantId = "acme" }, Ct);
            await store.AppendSpendAsync([Spend("r1", hash, 0.5m)], Ct);
        }

        await using (var again = Open(location))
        {
            await again.InitializeAsync(Ct);
            await again.InitializeAsync(Ct);
            Assert.Equal(CurrentSchemaVersion, await SchemaVersionAsync(again));
            var tenant = Assert.Single(await again.ListTenantsAsync(Ct));
            Assert.Equal((5, 0.5m), (tenant.Limits.Rpm, tenant.Spend));
            Assert.Equal(0.5m, Assert.Single(await again.ListKeysAsync(Ct)).Spend);
            Assert.Single(await again.QuerySpendAsync(new SpendQuery(), Ct));
        }

        Assert.Equal(CurrentSchemaVersion, await SqlAsync(location, "SELECT COUNT(*) FROM schema_version")); // one row per migration
    }

    [Fact]
    public async Task InitializeAsync_DatabaseFromNewerVersion_RefusedWithClearError()
    {
        var location = await NewLocationAsync();
        await using (var store = Open(location))
        {
            await store.InitializeAsync(Ct);
        }

        var future = CurrentSchemaVersion + 1;
        await SqlAsync(location, $"INSERT INTO schema_version (version) VALUES ({future})");
        await SqlAsync(location, "CREATE TABLE from_the_future (x INTEGER)");

        await using var newer = Open(location);
        var e = await Assert.ThrowsAnyAsync<InvalidOperationException>(() => newer.InitializeAsync(Ct));
        Assert.Contains($"schema version {future}", e.Message, StringComparison.Ordinal);
        Assert.Contains($"newer than this Switchyard knows ({CurrentSchemaVersion})", e.Message, StringComparison.Ordinal);
        Assert.Contains(Describe(location), e.Message, StringComparison.Ordinal);
        Assert.Equal(future, await SchemaVersionAsync(newer)); // left as it was
    }

    [Fact]
    public async Task UpsertAsync_ExistingKeyAndTenant_DoesNotOverwriteRunningSpendOrResetTime()
    {
        var hash = GatewayApi.Sha256Hex("sk-upsert");
        var reset = new DateTimeOffset(2030, 2, 1, 0, 0, 0, TimeSpan.Zero);
        await using var store = await OpenFreshAsync();
        var tenant = new TenantRecord { TenantId = "acme" };
        var key = new KeyRecord { TokenHash = hash, KeyName = "sk-...sert", TenantId = "acme" };
        await store.UpsertTenantAsync(tenant, Ct);
        await store.UpsertKeyAsync(key, Ct);
        await store.AppendSpendAsync([Spend("r1", hash, 0.25m)], Ct);
        await store.ResetBudgetAsync("key", hash, reset, Ct);
        await store.AppendSpendAsync([Spend("r2", hash, 0.125m)], Ct);

        // an admin update carries the record as it was loaded (spend 0, no reset time)
        await store.UpsertKeyAsync(key with { KeyAlias = "renamed", Limits = new Limits { Rpm = 3 } }, Ct);
        await store.UpsertTenantAsync(tenant with { Alias = "Acme" }, Ct);

        var k = Assert.Single(await store.ListKeysAsync(Ct));
        Assert.Equal(("renamed", 3, 0.125m, reset), (k.KeyAlias, k.Limits.Rpm, k.Spend, k.BudgetResetAt));
        var t = Assert.Single(await store.ListTenantsAsync(Ct));
        Assert.Equal(("Acme", 0.375m), (t.Alias, t.Spend));
    }

    [Fact]
    public async Task Users_EveryFieldRoundTrips_SpendSettlesToTheOwner_ResetAndFilterByUser()
    {
        var hash = GatewayApi.Sha256Hex("sk-user");
        var reset = new DateTimeOffset(2030, 3, 1, 0, 0, 0, TimeSpan.Zero);
        await using var store = await OpenFreshAsync();
        var user = new UserRecord
        {
            UserId = "u-1",
            UserEmail = "ada@example.com",
            UserRole = UserRoles.InternalUserViewer,
            Teams = new Dictionary<string, string> { ["acme"] = TeamRoles.Admin, ["blue"] = TeamRoles.User },
            Models = ["chat"],
            Limits = new Limits { Rpm = 4, Tpm = 400, MaxParallelRequests = 2, MaxBudget = 1.5m, SoftBudget = 1m, BudgetDuration = BudgetDuration.TryParse("30d", out var d) ? d : null },
            MetadataJson = "{\"team\":\"ml\"}",
            CreatedAt = T0,
        };
        await store.UpsertTenantAsync(new TenantRecord { TenantId = "acme" }, Ct);
        await store.UpsertUserAsync(user, Ct);
        await store.UpsertKeyAsync(new KeyRecord { TokenHash = hash, KeyName = "sk-...user", TenantId = "acme", UserId = "u-1", CreatedAt = T0 }, Ct);
        Assert.Equal("u-1", Assert.Single(await store.ListKeysAsync(Ct)).UserId);

        await store.AppendSpendAsync([Spend("r1", hash, 0.5m) with { UserId = "u-1" }, Spend("r2", hash, 0.25m) with { UserId = "u-1" }, Spend("r3", null, 2m)], Ct);
        await store.AppendSpendAsync([Spend("r1", hash, 0.5m) with { UserId = "u-1" }], Ct); // a replay counts nothing twice
        var u = Assert.Single(await store.ListUsersAsync(Ct));
        Assert.Equal(user with { Spend = 0.75m }, u with { Teams = user.Teams, Models = user.Models });
        Assert.Equal(user.Teams.OrderBy(t => t.Key), u.Teams.OrderBy(t => t.Key));
        Assert.Equal(["chat"], u.Models);

        Assert.Equal(["r1", "r2"], (await store.QuerySpendAsync(new SpendQuery { UserId = "u-1" }, Ct)).Select(r => r.RequestId).Order(StringComparer.Ordinal));
        Assert.All(await store.QuerySpendAsync(new SpendQuery { UserId = "u-1" }, Ct), r => Assert.Equal("u-1", r.UserId));
        Assert.Null((await store.QuerySpendAsync(new SpendQuery(), Ct)).Single(r => r.RequestId == "r3").UserId);

        // an admin update leaves the running spend alone; a reset zeroes it
        await store.UpsertUserAsync(user with { UserRole = UserRoles.ProxyAdmin, Teams = new Dictionary<string, string>() }, Ct);
        Assert.Equal((UserRoles.ProxyAdmin, 0, 0.75m), (await store.ListUsersAsync(Ct)).Select(x => (x.UserRole, x.Teams.Count, x.Spend)).Single());
        await store.ResetBudgetAsync("user", "u-1", reset, Ct);
        Assert.Equal((0m, reset), (await store.ListUsersAsync(Ct)).Select(x => (x.Spend, x.BudgetResetAt)).Single());

        Assert.True(await store.DeleteUserAsync("u-1", Ct));
        Assert.False(await store.DeleteUserAsync("u-1", Ct));
        Assert.Empty(await store.ListUsersAsync(Ct));
    }

    [Fact]
    public async Task AppendSpendAsync_BatchRetriedWithNewRows_StoresEachRowOnceAndAddsOnlyNewCost()
    {
        var hash = GatewayApi.Sha256Hex("sk-retry");
        await using var store = await OpenFreshAsync();
        await store.UpsertTenantAsync(new TenantRecord { TenantId = "acme" }, Ct);
        await store.UpsertKeyAsync(new KeyRecord { TokenHash = hash, KeyName = "sk-...etry", TenantId = "acme" }, Ct);
        SpendRecord[] first = [Spend("r1", hash, 0.5m), Spend("r2", hash, 0.25m)];
        await store.AppendSpendAsync(first, Ct);

        // the same batch again (a retry after a timeout that had in fact committed; a journal replayed at start), then with one new row
        await store.AppendSpendAsync(first, Ct);
        await store.AppendSpendAsync([.. first, Spend("r3", hash, 0.125m)], Ct);

        Assert.Equal(["r1", "r2", "r3"], (await store.QuerySpendAsync(new SpendQuery(), Ct)).Select(s => s.RequestId).Order(StringComparer.Ordinal));
        Assert.Equal(0.875m, Assert.Single(await store.ListKeysAsync(Ct)).Spend);
        Assert.Equal(0.875m, Assert.Single(await store.ListTenantsAsync(Ct)).Spend);
    }

    [Fact]
    public async Task AppendSpendAsync_SameRequestIdTwiceInOneBatch_StoredAndCountedOnce()
    {
        var hash = GatewayApi.Sha256Hex("sk-twice");
        await using var store = await OpenFreshAsync();
        await store.UpsertTenantAsync(new TenantRecord { TenantId = "acme" }, Ct);
        await store.UpsertKeyAsync(new KeyRecord { TokenHash = hash, KeyName = "sk-...wice", TenantId = "acme" }, Ct);
        await store.AppendSpendAsync([Spend("r1", hash, 0.5m), Spend("r1", hash, 0.5m), Spend("r2", hash, 1m)], Ct);

        Assert.Equal(2, (await store.QuerySpendAsync(new SpendQuery(), Ct)).Count);
        Assert.Equal(1.5m, Assert.Single(await store.ListKeysAsync(Ct)).Spend);
        Assert.Equal(1.5m, Assert.Single(await store.ListTenantsAsync(Ct)).Spend);
    }

    [Fact]
    public async Task AppendSpendAsync_RowsShareAResponseId_EachStoredOnceAndFoundByIt()
    {
        var hash = GatewayApi.Sha256Hex("sk-lookup");
        await using var store = await OpenFreshAsync();
        await store.UpsertTenantAsync(new TenantRecord { TenantId = "acme" }, Ct);
        await store.UpsertKeyAsync(new KeyRecord { TokenHash = hash, KeyName = "sk-...okup", TenantId = "acme" }, Ct);
        // two rows the caller saw under one response id (a provider reusing ids), and one under another
        SpendRecord[] batch =
        [
            Spend("chatcmpl-a", hash, 0.5m) with { RowId = "row-1" },
            Spend("chatcmpl-a", hash, 0.25m) with { RowId = "row-2", StartTime = T0.AddSeconds(1) },
            Spend("msg_b", hash, 1m) with { RowId = "row-3" },
        ];
        await store.AppendSpendAsync(batch, Ct);
        await store.AppendSpendAsync(batch, Ct); // replayed from the journal: keyed by row id, nothing doubles

        var found = await store.QuerySpendAsync(new SpendQuery { RequestId = "chatcmpl-a" }, Ct);
        Assert.Equal(["row-2", "row-1"], found.Select(r => r.RowId));
        Assert.All(found, r => Assert.Equal("chatcmpl-a", r.RequestId));
        Assert.Equal("msg_b", Assert.Single(await store.QuerySpendAsync(new SpendQuery { RequestId = "msg_b", TokenHash = hash }, Ct)).RequestId);
        Assert.Empty(await store.QuerySpendAsync(new SpendQuery { RequestId = "msg_b", TenantId = "globex" }, Ct));
        Assert.Empty(await store.QuerySpendAsync(new SpendQuery { RequestId = "row-1" }, Ct)); // the row id is not the request id
        Assert.Equal(1.75m, Assert.Single(await store.ListKeysAsync(Ct)).Spend);
    }

    [Fact]
    public async Task QuerySpend_ByCorrelationId_FindsTheCallsRows_WithinTokenAndTimeBounds()
    {
        var hash = GatewayApi.Sha256Hex("sk-call");
        await using var store = await OpenFreshAsync();
        await store.UpsertTenantAsync(new TenantRecord { TenantId = "acme" }, Ct);
        await store.UpsertKeyAsync(new KeyRecord { TokenHash = hash, KeyName = "sk-...call", TenantId = "acme" }, Ct);
        await store.AppendSpendAsync(
        [
            Spend("chatcmpl-x", hash, 0.5m) with { CorrelationId = "corr-1", RowId = "row-x" },
            Spend("chatcmpl-y", hash, 0.5m) with { CorrelationId = "corr-2", RowId = "row-y" },
        ], Ct);

        Assert.Equal("row-x", Assert.Single(await store.QuerySpendAsync(new SpendQuery { CorrelationId = "corr-1" }, Ct)).RowId);
        var bounded = new SpendQuery { CorrelationId = "corr-2", TokenHash = hash, From = T0.AddMinutes(-1), To = T0.AddHours(1) };
        Assert.Equal("row-y", Assert.Single(await store.QuerySpendAsync(bounded, Ct)).RowId);
        Assert.Empty(await store.QuerySpendAsync(bounded with { From = T0.AddSeconds(1) }, Ct));
        Assert.Empty(await store.QuerySpendAsync(new SpendQuery { CorrelationId = "corr-1", TenantId = "globex" }, Ct));
        Assert.Empty(await store.QuerySpendAsync(new SpendQuery { CorrelationId = "chatcmpl-x" }, Ct)); // a response id is not a correlation id
    }

    [Fact]
    public async Task KeyAndTenantAliases_RoundTripAndUpdate()
    {
        await using var store = await OpenFreshAsync();
        var hash = GatewayApi.Sha256Hex("sk-aliases");
        await store.UpsertTenantAsync(new TenantRecord { TenantId = "acme", ModelAliases = new Dictionary<string, string> { ["fast"] = "chat" } }, Ct);
        await store.UpsertKeyAsync(new KeyRecord { TokenHash = hash, KeyName = "sk-...ases", Aliases = new Dictionary<string, string> { ["mistral-7b"] = "gpt-3.5-turbo", ["b"] = "c" } }, Ct);

        Assert.Equal(new Dictionary<string, string> { ["fast"] = "chat" }, Assert.Single(await store.ListTenantsAsync(Ct)).ModelAliases);
        var k = Assert.Single(await store.ListKeysAsync(Ct));
        Assert.Equal(new Dictionary<string, string> { ["mistral-7b"] = "gpt-3.5-turbo", ["b"] = "c" }, k.Aliases);

        await store.UpsertKeyAsync(k with { Aliases = new Dictionary<string, string>() }, Ct);
        Assert.Empty(Assert.Single(await store.ListKeysAsync(Ct)).Aliases);
        Assert.Empty((await store.ListKeysAsync(Ct))[0].Models); // a key without aliases reads back as none, not null
    }

    [Fact]
    public async Task KeysAndTenants_EveryFieldRoundTrips_AndDeletesSayWhetherTheyFoundOne()
    {
        await using var store = await OpenFreshAsync();
        var tenant = new TenantRecord
        {
            TenantId = "acme", Alias = "Acme Inc", Models = ["chat", "embed"], Blocked = true, Source = "config", MetadataJson = """{"team":"a"}""",
            Limits = new Limits { Rpm = 10, Tpm = 1000, MaxParallelRequests = 3, MaxBudget = 12.5m, SoftBudget = 10m, BudgetDuration = new BudgetDuration(1, 'M') },
            AliasLimits = new Dictionary<string, AliasLimits> { ["chat"] = new(5, 500) },
            BudgetResetAt = T0.AddDays(30), CreatedAt = T0,
        };
        var key = new KeyRecord
        {
            TokenHash = GatewayApi.Sha256Hex("sk-fields"), KeyName = "sk-...elds", KeyAlias = "ci", TenantId = "acme", Models = ["chat"],
            Scopes = [Scopes.Invoke, Scopes.UsageRead], Limits = new Limits { Rpm = 2, BudgetDuration = new BudgetDuration(30, 's') },
            BudgetResetAt = T0.AddSeconds(30), ExpiresAt = T0.AddDays(7), Revoked = true, GraceUntil = T0.AddHours(1),
            RotatedFrom = GatewayApi.Sha256Hex("sk-before"), MetadataJson = """{"owner":"ci"}""", CreatedAt = T0.AddMinutes(1),
        };
        await store.UpsertTenantAsync(tenant, Ct);
        await store.UpsertKeyAsync(key, Ct);

        var t = Assert.Single(await store.ListTenantsAsync(Ct));
        Assert.Equal((tenant.Alias, tenant.Blocked, tenant.Source, tenant.MetadataJson, tenant.Limits, tenant.BudgetResetAt, tenant.CreatedAt),
            (t.Alias, t.Blocked, t.Source, t.MetadataJson, t.Limits, t.BudgetResetAt, t.CreatedAt));
        Assert.Equal(tenant.Models, t.Models);
        Assert.Equal(new AliasLimits(5, 500), Assert.Single(t.AliasLimits, kv => kv.Key == "chat").Value);
        var k = Assert.Single(await store.ListKeysAsync(Ct));
        Assert.Equal((key.KeyName, key.KeyAlias, key.TenantId, key.Limits, key.BudgetResetAt, key.ExpiresAt, key.Revoked, key.GraceUntil, key.RotatedFrom, key.MetadataJson, key.CreatedAt),
            (k.KeyName, k.KeyAlias, k.TenantId, k.Limits, k.BudgetResetAt, k.ExpiresAt, k.Revoked, k.GraceUntil, k.RotatedFrom, k.MetadataJson, k.CreatedAt));
        Assert.Equal(key.Models, k.Models);
        Assert.Equal(key.Scopes, k.Scopes);

        Assert.True(await store.DeleteKeyAsync(key.TokenHash, Ct));
        Assert.False(await store.DeleteKeyAsync(key.TokenHash, Ct));
        Assert.True(await store.DeleteTenantAsync("acme", Ct));
        Assert.False(await store.DeleteTenantAsync("acme", Ct));
        Assert.Empty(await store.ListKeysAsync(Ct));
        Assert.Empty(await store.ListTenantsAsync(Ct));
    }

    [Fact]
    public async Task QuerySpendAsync_FiltersByTenantTokenAndTime_NewestFirstUpToTheLimit_AndPruneDeletesOlderRows()
    {
        var a = GatewayApi.Sha256Hex("sk-a");
        var b = GatewayApi.Sha256Hex("sk-b");
        await using var store = await OpenFreshAsync();
        await store.AppendSpendAsync(
        [
            Spend("r1", a, 0.1m) with { StartTime = T0, Deployment = "d1", ProviderFamily = "openai", Model = "gpt-x", PromptTokens = 7, CompletionTokens = 9, LatencyMs = 12.5, Status = 429 },
            Spend("r2", a, 0.2m) with { StartTime = T0.AddMinutes(1) },
            Spend("r3", b, 0.3m) with { StartTime = T0.AddMinutes(2), TenantId = "globex" },
            Spend("r4", null, 0m) with { StartTime = T0.AddMinutes(3), TenantId = null },
        ], Ct);

        var all = await store.QuerySpendAsync(new SpendQuery(), Ct);
        Assert.Equal(["r4", "r3", "r2", "r1"], all.Select(s => s.RequestId));
        var r1 = all[^1];
        Assert.Equal(("c-r1", "acme", a, "chat", "d1", "openai", "gpt-x", 7L, 9L, 0.1m, 429, 12.5, T0),
            (r1.CorrelationId, r1.TenantId, r1.TokenHash, r1.Alias, r1.Deployment, r1.ProviderFamily, r1.Model, r1.PromptTokens, r1.CompletionTokens, r1.Cost, r1.Status, r1.LatencyMs, r1.StartTime));
        Assert.Null(all[0].TokenHash);
        Assert.Equal(["r2", "r1"], (await store.QuerySpendAsync(new SpendQuery { TenantId = "acme" }, Ct)).Select(s => s.RequestId));
        Assert.Equal(["r3"], (await store.QuerySpendAsync(new SpendQuery { TokenHash = b }, Ct)).Select(s => s.RequestId));
        Assert.Equal(["r3", "r2"], (await store.QuerySpendAsync(new SpendQuery { From = T0.AddMinutes(1), To = T0.AddMinutes(3) }, Ct)).Select(s => s.RequestId));
        Assert.Equal(["r2"], (await store.QuerySpendAsync(new SpendQuery { TenantId = "acme", TokenHash = a, From = T0.AddSeconds(1), Limit = 5 }, Ct)).Select(s => s.RequestId));
        Assert.Equal(["r4"], (await store.QuerySpendAsync(new SpendQuery { Limit = 1 }, Ct)).Select(s => s.RequestId));

        Assert.Equal(2, await store.PruneSpendAsync(T0.AddMinutes(2), Ct));
        Assert.Equal(["r4", "r3"], (await store.QuerySpendAsync(new SpendQuery(), Ct)).Select(s => s.RequestId));
    }

    [Fact]
    public async Task SummarizeSpendAsync_SumsPerUtcDayTenantTokenAliasAndModel_WithTheQuerysFilters()
    {
        var a = GatewayApi.Sha256Hex("sk-a");
        await using var store = await OpenFreshAsync();
        await store.AppendSpendAsync(
        [
            Spend("r1", a, 0.1m) with { StartTime = T0.AddHours(1), Model = "openai/gpt-x", PromptTokens = 10, CompletionTokens = 1 },
            Spend("r2", a, 0.2m) with { StartTime = T0.AddHours(23), Model = "openai/gpt-x", PromptTokens = 20, CompletionTokens = 2 },
            Spend("r3", a, 0.4m) with { StartTime = T0.AddDays(1), Model = "openai/gpt-x", PromptTokens = 40, CompletionTokens = 4 },
            Spend("r4", null, 0.8m) with { StartTime = T0.AddHours(2), TenantId = null, Model = "anthropic/claude-y" },
        ], Ct);

        var all = (await store.SummarizeSpendAsync(new SpendQuery(), Ct)).OrderBy(t => t.Day).ThenBy(t => t.Model, StringComparer.Ordinal).ToArray();
        var firstDay = await store.SummarizeSpendAsync(new SpendQuery { TenantId = "acme", To = T0.AddDays(1) }, Ct);

        Assert.Equal(3, all.Length);
        Assert.Equal((new DateOnly(2030, 1, 1), null, null, "anthropic/claude-y", 1L, 0.8m), (all[0].Day, all[0].TenantId, all[0].TokenHash, all[0].Model, all[0].Requests, all[0].Cost));
        Assert.Equal((new DateOnly(2030, 1, 1), "acme", a, "chat", "openai/gpt-x", 2L, 30L, 3L, 0.3m), (all[1].Day, all[1].TenantId, all[1].TokenHash, all[1].Alias, all[1].Model, all[1].Requests, all[1].PromptTokens, all[1].CompletionTokens, all[1].Cost));
        Assert.Equal((new DateOnly(2030, 1, 2), 1L, 0.4m), (all[2].Day, all[2].Requests, all[2].Cost));
        Assert.Equal((2L, 0.3m), (Assert.Single(firstDay).Requests, firstDay[0].Cost));
    }

    [Fact]
    public async Task AggregateSpendAsync_GroupsByModelTenantAliasAndDay_PagedBySpend_FlagsUnpricedRows()
    {
        var a = GatewayApi.Sha256Hex("sk-a");
        await using var store = await OpenFreshAsync();
        await store.AppendSpendAsync(
        [
            Spend("r1", a, 0.1m) with { StartTime = T0.AddHours(1), Model = "openai/gpt-x", Alias = "chat", Deployment = "d-gpt", PromptTokens = 10, CompletionTokens = 1 },
            Spend("r2", a, 0.2m) with { StartTime = T0.AddHours(23), Model = "openai/gpt-x", Alias = "fast", Deployment = "d-gpt", PromptTokens = 20, CompletionTokens = 2 },
            Spend("r3", a, 0m) with { StartTime = T0.AddDays(1), Model = "local/llama", Alias = "chat", Deployment = "d-free", PromptTokens = 40, CompletionTokens = 4 },
            Spend("r4", a, 0m) with { StartTime = T0.AddDays(1), Model = "local/llama", Alias = "chat", Deployment = "d-free", PromptTokens = 0, CompletionTokens = 0, Status = 500 },
            Spend("r5", null, 0.8m) with { StartTime = T0.AddHours(2), TenantId = "globex", Model = "anthropic/claude-y", Alias = "chat", Deployment = "d-claude", PromptTokens = 5, CompletionTokens = 5 },
            Spend("r6", null, 0m) with { StartTime = T0.AddHours(3), TenantId = null, Model = "local/llama", Alias = "chat", Deployment = "d-priced-free", PromptTokens = 3, CompletionTokens = 3 },
        ], Ct);
        var unpriced = new[] { "d-free" };

        var byModel = await store.AggregateSpendAsync(new SpendAggregateQuery { GroupBy = SpendGroupBy.Model, UnpricedDeployments = unpriced }, Ct);
        Assert.Equal(3, byModel.Total);
        Assert.Equal(["anthropic/claude-y", "openai/gpt-x", "local/llama"], byModel.Rows.Select(r => r.Key));
        var gpt = byModel.Rows[1];
        Assert.Equal((2L, 30L, 3L, 0.3m, 0L), (gpt.Requests, gpt.PromptTokens, gpt.CompletionTokens, gpt.Cost, gpt.Unpriced));
        var llama = byModel.Rows[2];
        Assert.Equal((3L, 43L, 7L, 0m, 1L), (llama.Requests, llama.PromptTokens, llama.CompletionTokens, llama.Cost, llama.Unpriced)); // r4 had no tokens, r6 is priced at 0

        var byTenant = await store.AggregateSpendAsync(new SpendAggregateQuery { GroupBy = SpendGroupBy.Tenant }, Ct);
        Assert.Equal(["globex", "acme", null], byTenant.Rows.Select(r => r.Key));
        Assert.Equal((0.8m, 0.3m, 0L), (byTenant.Rows[0].Cost, byTenant.Rows[1].Cost, byTenant.Rows[1].Unpriced));

        var byAlias = await store.AggregateSpendAsync(new SpendAggregateQuery { GroupBy = SpendGroupBy.Alias, TenantId = "acme" }, Ct);
        Assert.Equal([("fast", 1L, 0.2m), ("chat", 3L, 0.1m)], byAlias.Rows.Select(r => (r.Key, r.Requests, r.Cost)));

        var byDay = await store.AggregateSpendAsync(new SpendAggregateQuery { GroupBy = SpendGroupBy.Day, From = T0, To = T0.AddDays(2) }, Ct);
        Assert.Equal([("2030-01-02", 2L), ("2030-01-01", 4L)], byDay.Rows.Select(r => (r.Key, r.Requests)));
        var firstDay = await store.AggregateSpendAsync(new SpendAggregateQuery { GroupBy = SpendGroupBy.Day, To = T0.AddDays(1) }, Ct);
        Assert.Equal(("2030-01-01", 1.1m), (Assert.Single(firstDay.Rows).Key, firstDay.Rows[0].Cost));

        var page2 = await store.AggregateSpendAsync(new SpendAggregateQuery { GroupBy = SpendGroupBy.Model, Page = 2, PageSize = 2 }, Ct);
        Assert.Equal((3L, "local/llama"), (page2.Total, Assert.Single(page2.Rows).Key));
        var beyond = await store.AggregateSpendAsync(new SpendAggregateQuery { GroupBy = SpendGroupBy.Model, Page = 9, PageSize = 2 }, Ct);
        Assert.Equal(3, beyond.Total);
        Assert.Empty(beyond.Rows);
        var none = await store.AggregateSpendAsync(new SpendAggregateQuery { GroupBy = SpendGroupBy.Tenant, TenantId = "nobody" }, Ct);
        Assert.Equal(0, none.Total);
    }

    [Fact]
    public async Task AuditLog_RoundTripsEveryField_FiltersAndPagesNewestFirst_SkipsRetriedIds_Prunes()
    {
        await using var store = await OpenFreshAsync();
        var first = new AuditRecord
        {
            Id = "a1", Time = T0, Actor = "master", Action = "team.new", Target = "acme", TargetTenantId = "acme", Status = 200, Outcome = "ok",
            ClientAddress = "10.0.0.1", UserAgent = "curl/8", Detail = "models=1", CorrelationId = "c1",
        };
        var second = new AuditRecord
        {
            Id = "a2", Time = T0.AddMinutes(1), Actor = "abc", ActorAlias = "ops", TenantId = "acme", UserId = "u1", Action = "key.generate", Target = "k1",
            TargetTenantId = "acme", Status = 200, Outcome = "ok",
        };
        var third = new AuditRecord
        {
            Id = "a3", Time = T0.AddMinutes(2), Actor = "def", TenantId = "globex", Action = "key.delete", Status = 403, Outcome = "denied", ErrorCode = "outside_tenant",
        };
        await store.AppendAuditAsync([first, second], Ct);
        await store.AppendAuditAsync([second, third], Ct); // a retried batch: a2 once

        var all = await store.QueryAuditAsync(new AuditQuery(), Ct);
        Assert.Equal(3, all.Total);
        Assert.Equal(["a3", "a2", "a1"], all.Rows.Select(r => r.Id));
        Assert.Equal(first, all.Rows[2]);
        Assert.Equal(second, all.Rows[1]);
        Assert.Equal(third, all.Rows[0]);

        Assert.Equal(["a2", "a1"], (await store.QueryAuditAsync(new AuditQuery { TenantId = "acme" }, Ct)).Rows.Select(r => r.Id)); // by its keys or about its team
        Assert.Equal(["a2"], (await store.QueryAuditAsync(new AuditQuery { Actor = "ops" }, Ct)).Rows.Select(r => r.Id));
        Assert.Equal(["a3", "a2"], (await store.QueryAuditAsync(new AuditQuery { Action = "key." }, Ct)).Rows.Select(r => r.Id));
        Assert.Empty((await store.QueryAuditAsync(new AuditQuery { Action = "key%" }, Ct)).Rows);
        Assert.Equal(["a1"], (await store.QueryAuditAsync(new AuditQuery { Action = "team.new" }, Ct)).Rows.Select(r => r.Id));
        Assert.Equal(["a2"], (await store.QueryAuditAsync(new AuditQuery { Target = "k1" }, Ct)).Rows.Select(r => r.Id));
        Assert.Equal(["a2"], (await store.QueryAuditAsync(new AuditQuery { Since = T0.AddSeconds(1), Until = T0.AddMinutes(2) }, Ct)).Rows.Select(r => r.Id));
        var page = await store.QueryAuditAsync(new AuditQuery { Page = 2, PageSize = 2 }, Ct);
        Assert.Equal((3L, "a1"), (page.Total, Assert.Single(page.Rows).Id));

        Assert.Equal(2, await store.PruneAuditAsync(T0.AddMinutes(2), Ct));
        Assert.Equal(["a3"], (await store.QueryAuditAsync(new AuditQuery(), Ct)).Rows.Select(r => r.Id));
    }

    [Fact]
    public async Task Responses_TenantScoped_ExpiredNotServed_PrunedAndDeleted()
    {
        static StoredResponse Row(string tenant, string id, TimeSpan life) => new()
        {
            Id = id, TenantId = tenant, CreatedAt = T0, ExpiresAt = T0 + life, Response = "{\"id\":\"x\"}"u8.ToArray(), Conversation = "[]"u8.ToArray(),
        };

        await using var store = await OpenFreshAsync();
        await store.SaveResponseAsync(Row("acme", "resp_1", TimeSpan.FromDays(1)), Ct);
        await store.SaveResponseAsync(Row("acme", "resp_2", TimeSpan.FromHours(1)), Ct);
        await store.SaveResponseAsync(Row("acme", "resp_2", TimeSpan.FromHours(1)) with { Conversation = "[1]"u8.ToArray() }, Ct); // replaced

        var found = await store.GetResponseAsync("acme", "resp_1", T0.AddHours(2), Ct);
        Assert.Equal("{\"id\":\"x\"}"u8.ToArray(), found!.Response);
        Assert.Equal((T0, T0.AddDays(1)), (found.CreatedAt, found.ExpiresAt));
        Assert.Equal("[1]"u8.ToArray(), (await store.GetResponseAsync("acme", "resp_2", T0, Ct))!.Conversation);
        Assert.Null(await store.GetResponseAsync("globex", "resp_1", T0, Ct));
        Assert.Null(await store.GetResponseAsync("acme", "resp_2", T0.AddHours(2), Ct)); // expired: not served before the prune
        Assert.Equal(1, await store.PruneResponsesAsync(T0.AddHours(2), Ct));
        Assert.Null(await store.GetResponseAsync("acme", "resp_2", T0, Ct));
        Assert.False(await store.DeleteResponseAsync("globex", "resp_1", Ct));
        Assert.True(await store.DeleteResponseAsync("acme", "resp_1", Ct));
        Assert.Null(await store.GetResponseAsync("acme", "resp_1", T0, Ct));
    }

    protected async Task<IGatewayStore> OpenFreshAsync()
    {
        var store = Open(await NewLocationAsync());
        await store.InitializeAsync(Ct);
        return store;
    }

    [Fact]
    public async Task Deployments_UpsertListDelete_ReplaceKeepsCreatedAtAndTheJsonAsWritten()
    {
        var location = await NewLocationAsync();
        await using var store = Open(location);
        await store.InitializeAsync(Ct);
        Assert.Empty(await store.ListDeploymentsAsync(Ct));

        var first = new StoredDeployment
        {
            ModelId = "m-1", ModelName = "byo", LitellmParamsJson = """{"model":"openai/gpt-4o","api_key":"sy-enc:v1:AAAA"}""", ModelInfoJson = """{"mode":"chat"}""",
            CreatedAt = T0, UpdatedAt = T0,
        };
        await store.UpsertDeploymentAsync(first, Ct);
        await store.UpsertDeploymentAsync(first with { ModelId = "m-2", CreatedAt = T0.AddMinutes(1), UpdatedAt = T0.AddMinutes(1) }, Ct);
        await store.UpsertDeploymentAsync(first with { ModelName = "renamed", LitellmParamsJson = """{"model":"openai/gpt-4o-mini"}""", CreatedAt = T0.AddDays(9), UpdatedAt = T0.AddHours(1) }, Ct);

        var list = await store.ListDeploymentsAsync(Ct);
        Assert.Equal(["m-1", "m-2"], list.Select(d => d.ModelId).ToArray());
        var m1 = list[0];
        Assert.Equal(("renamed", T0, T0.AddHours(1)), (m1.ModelName, m1.CreatedAt, m1.UpdatedAt));
        Assert.Equal("openai/gpt-4o-mini", System.Text.Json.JsonDocument.Parse(m1.LitellmParamsJson).RootElement.GetProperty("model").GetString());
        Assert.Equal("sy-enc:v1:AAAA", System.Text.Json.JsonDocument.Parse(list[1].LitellmParamsJson).RootElement.GetProperty("api_key").GetString());
        Assert.Equal("chat", System.Text.Json.JsonDocument.Parse(m1.ModelInfoJson).RootElement.GetProperty("mode").GetString());

        Assert.True(await store.DeleteDeploymentAsync("m-1", Ct));
        Assert.False(await store.DeleteDeploymentAsync("m-1", Ct));
        Assert.Equal(["m-2"], (await store.ListDeploymentsAsync(Ct)).Select(d => d.ModelId).ToArray());
    }

    protected static SpendRecord Spend(string requestId, string? tokenHash, decimal cost) => new()
    {
        RequestId = requestId, CorrelationId = "c-" + requestId, TenantId = "acme", TokenHash = tokenHash, Alias = "chat", Cost = cost, Status = 200, StartTime = T0,
    };
}
