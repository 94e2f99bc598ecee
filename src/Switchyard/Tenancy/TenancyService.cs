using Switchyard.Core.Admission;
using Switchyard.Core.Config;
using Switchyard.Core.Tenancy;

namespace Switchyard.Tenancy;

/// <summary>
/// Keys and tenants: loads them from the store into the in-memory directory at start, applies tenants declared in
/// the config file (the file wins, and says so), and performs admin changes store-first, then in memory. With a
/// shared store it also reloads what other replicas changed (<see cref="RefreshIfChangedAsync"/>).
/// </summary>
public sealed partial class TenancyService(IGatewayStore store, TenantDirectory directory, AdmissionController admission, TimeProvider time, ILogger<TenancyService> logger) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private long _directoryVersion = -1;

    public void Dispose() => _gate.Dispose();

    public IGatewayStore Store => store;

    public TenantDirectory Directory => directory;

    public async Task LoadAsync(GatewayConfig config, CancellationToken ct)
    {
        await store.InitializeAsync(ct);
        if (store is ISharedGatewayStore shared)
        {
            Interlocked.Exchange(ref _directoryVersion, await shared.DirectoryVersionAsync(ct)); // before the lists: a change made meanwhile is reloaded
        }

        foreach (var t in await store.ListTenantsAsync(ct))
        {
            directory.SetTenant(t);
        }

        foreach (var u in await store.ListUsersAsync(ct))
        {
            directory.SetUser(u);
        }

        foreach (var k in await store.ListKeysAsync(ct))
        {
            directory.SetKey(k);
        }

        await ApplyConfigTenantsAsync(config, ct);
        admission.BudgetReset += (kind, id, next) => _ = PersistResetAsync(kind, id, next);
    }

    /// <summary>Declared tenants replace what the admin API set for the same id, keeping their spend.</summary>
    public async Task ApplyConfigTenantsAsync(GatewayConfig config, CancellationToken ct)
    {
        foreach (var declared in config.Tenants)
        {
            var existing = directory.FindTenant(declared.TenantId)?.Record;
            var merged = declared with
            {
                Spend = existing?.Spend ?? 0,
                BudgetResetAt = existing?.BudgetResetAt,
                CreatedAt = existing?.CreatedAt ?? time.GetUtcNow(),
            };
            if (existing is not null && existing.Source == "api" && !SameSettings(existing, merged))
            {
                LogConfigWins(logger, declared.TenantId);
            }

            if (existing is null || !SameSettings(existing, merged) || existing.Source != "config")
            {
                await store.UpsertTenantAsync(merged, ct);
            }

            directory.SetTenant(merged);
        }

        // A tenant the file no longer declares keeps its settings and spend but becomes the admin API's to manage.
        var declaredIds = config.Tenants.Select(t => t.TenantId).ToHashSet(StringComparer.Ordinal);
        foreach (var orphan in directory.Tenants.Select(t => t.Record).Where(t => t.Source == "config" && !declaredIds.Contains(t.TenantId)).ToArray())
        {
            var released = orphan with { Source = "api" };
            await store.UpsertTenantAsync(released, ct);
            directory.SetTenant(released);
            LogReleased(logger, orphan.TenantId);
        }
    }

    public async Task<(string Token, KeyRecord Record)> CreateKeyAsync(KeyRecord template, CancellationToken ct, LimitState? inherit = null)
    {
        var token = TokenHash.NewToken();
        var record = template with
        {
            TokenHash = TokenHash.Of(token).ToHex(),
            KeyName = TokenHash.Mask(token),
            CreatedAt = time.GetUtcNow(),
        };
        await Locked(async () =>
        {
            await store.UpsertKeyAsync(record, ct);
            directory.SetKey(record, inherit);
        });
        return (token, record);
    }

    public async Task<KeyRecord> UpdateKeyAsync(KeyRecord record, CancellationToken ct)
    {
        await Locked(async () =>
        {
            await store.UpsertKeyAsync(record, ct);
            directory.SetKey(record);
        });
        return record;
    }

    public async Task<bool> DeleteKeyAsync(string tokenHash, CancellationToken ct)
    {
        var deleted = false;
        await Locked(async () =>
        {
            deleted = await store.DeleteKeyAsync(tokenHash, ct);
            directory.RemoveKey(tokenHash);
        });
        return deleted;
    }

    /// <summary>
    /// Issues a new token with the old one's settings and its spend in the current budget period (rotating a
    /// credential is no budget reset); the old one keeps working for the grace period.
    /// </summary>
    public async Task<(string Token, KeyRecord Record)> RotateKeyAsync(KeyRecord old, TimeSpan grace, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var live = TokenHash.TryParse(old.TokenHash, out var h) ? directory.FindKey(h)?.Limits : null;
        var (token, record) = await CreateKeyAsync(old with
        {
            RotatedFrom = old.TokenHash,
            GraceUntil = null,
            Spend = live is null ? old.Spend : LiveSpend(live),
            BudgetResetAt = live is null ? old.BudgetResetAt : live.Budget.ResetAt,
        }, ct, live);
        var retired = grace > TimeSpan.Zero ? old with { GraceUntil = now + grace } : old with { Revoked = true };
        await UpdateKeyAsync(retired, ct);
        return (token, record);
    }

    public async Task<TenantRecord> UpsertTenantAsync(TenantRecord record, CancellationToken ct)
    {
        await Locked(async () =>
        {
            await store.UpsertTenantAsync(record, ct);
            directory.SetTenant(record);
        });
        return record;
    }

    /// <summary>
    /// Deletes a tenant and its keys (as LiteLLM's /team/delete does): a key must not outlive the tenant whose limits and
    /// models bound it. Its members stay users, without this membership.
    /// </summary>
    public async Task<bool> DeleteTenantAsync(string tenantId, CancellationToken ct)
    {
        var deleted = false;
        await Locked(async () =>
        {
            foreach (var member in directory.Users.Where(u => u.Record.Teams.ContainsKey(tenantId)).ToArray())
            {
                var left = member.Record with { Teams = member.Record.Teams.Where(t => t.Key != tenantId).ToDictionary(StringComparer.Ordinal) };
                await store.UpsertUserAsync(left, ct);
                directory.SetUser(left);
            }

            foreach (var key in directory.Keys.Where(k => k.Record.TenantId == tenantId).ToArray())
            {
                await store.DeleteKeyAsync(key.Record.TokenHash, ct);
                directory.RemoveKey(key.Record.TokenHash);
            }

            deleted = await store.DeleteTenantAsync(tenantId, ct);
            directory.RemoveTenant(tenantId);
        });
        return deleted;
    }

    public async Task<UserRecord> UpsertUserAsync(UserRecord record, CancellationToken ct)
    {
        await Locked(async () =>
        {
            await store.UpsertUserAsync(record, ct);
            directory.SetUser(record);
        });
        return record;
    }

    /// <summary>
    /// Deletes a user and every key the user owns, as LiteLLM's /user/delete does: a key must not outlive the user whose
    /// budget bounds it (the authenticator would refuse it anyway). Returns the deleted keys' hashes.
    /// </summary>
    public async Task<IReadOnlyList<string>> DeleteUserAsync(string userId, CancellationToken ct)
    {
        var keys = new List<string>();
        await Locked(async () =>
        {
            foreach (var key in directory.Keys.Where(k => k.Record.UserId == userId).ToArray())
            {
                await store.DeleteKeyAsync(key.Record.TokenHash, ct);
                directory.RemoveKey(key.Record.TokenHash);
                keys.Add(key.Record.TokenHash);
            }

            await store.DeleteUserAsync(userId, ct);
            directory.RemoveUser(userId);
        });
        return keys;
    }

    /// <summary>
    /// Reloads keys, tenants and users from a shared store when its directory version moved (a key or tenant written by any
    /// replica): new ones are added, changed ones replaced (keeping their live counters), deleted ones removed. A rotated
    /// key seen for the first time shares its predecessor's counters, as on the replica that rotated it. Returns how many
    /// entries changed here; 0 when the version had not moved or the store is not shared.
    /// </summary>
    public async Task<int> RefreshIfChangedAsync(CancellationToken ct)
    {
        if (store is not ISharedGatewayStore shared || await shared.DirectoryVersionAsync(ct) == Interlocked.Read(ref _directoryVersion))
        {
            return 0;
        }

        var changed = 0;
        await Locked(async () =>
        {
            var version = await shared.DirectoryVersionAsync(ct);
            var tenants = await store.ListTenantsAsync(ct);
            var users = await store.ListUsersAsync(ct);
            var keys = await store.ListKeysAsync(ct);
            changed = DirectorySync.Apply(directory, tenants, keys) + DirectorySync.ApplyUsers(directory, users);
            Interlocked.Exchange(ref _directoryVersion, version);
        });
        if (changed > 0)
        {
            LogRefreshed(logger, changed);
        }

        return changed;
    }

    /// <summary>The live spend of a subject (persisted spend plus what the writer has not flushed yet is in memory).</summary>
    public static decimal LiveSpend(LimitState limits) => limits.Budget.SpentNanos / 1_000_000_000m;

    /// <summary>A key as it is now: live spend and budget period (the cached record holds them as loaded).</summary>
    public static KeyRecord Live(KeyEntry k) => k.Record with { Spend = LiveSpend(k.Limits), BudgetResetAt = k.Limits.Budget.ResetAt };

    /// <summary>A tenant as it is now: live spend and budget period.</summary>
    public static TenantRecord Live(TenantEntry t) => t.Record with { Spend = LiveSpend(t.Limits), BudgetResetAt = t.Limits.Budget.ResetAt };

    /// <summary>A user as they are now: live spend and budget period.</summary>
    public static UserRecord Live(UserEntry u) => u.Record with { Spend = LiveSpend(u.Limits), BudgetResetAt = u.Limits.Budget.ResetAt };

    private async Task PersistResetAsync(string kind, string id, DateTimeOffset next)
    {
        try
        {
            if (kind is "key" or "tenant" or "user")
            {
                await store.ResetBudgetAsync(kind, id, next, CancellationToken.None);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogResetFailed(logger, e, kind, id);
        }
    }

    private async Task Locked(Func<Task> work)
    {
        await _gate.WaitAsync();
        try
        {
            await work();
        }
        finally
        {
            _gate.Release();
        }
    }

    internal static bool SameSettings(TenantRecord a, TenantRecord b)
        => a.Alias == b.Alias && a.Models.SequenceEqual(b.Models) && a.Limits == b.Limits && a.Blocked == b.Blocked && a.MetadataJson == b.MetadataJson
            && a.AliasLimits.Count == b.AliasLimits.Count && a.AliasLimits.All(kv => b.AliasLimits.TryGetValue(kv.Key, out var v) && v == kv.Value);

    [LoggerMessage(EventId = 40, Level = LogLevel.Warning, Message = "tenant {TenantId} is declared in the config file; the file's settings replace those set through the admin API")]
    private static partial void LogConfigWins(ILogger logger, string tenantId);

    [LoggerMessage(EventId = 42, Level = LogLevel.Information, Message = "tenant {TenantId} is no longer declared in the config file; the admin API may now change or delete it")]
    private static partial void LogReleased(ILogger logger, string tenantId);

    [LoggerMessage(EventId = 43, Level = LogLevel.Information, Message = "keys and tenants changed in the shared store; {Count} entries reloaded")]
    private static partial void LogRefreshed(ILogger logger, int count);

    [LoggerMessage(EventId = 41, Level = LogLevel.Error, Message = "persisting the budget reset of {Kind} {Id} failed")]
    private static partial void LogResetFailed(ILogger logger, Exception e, string kind, string id);
}
