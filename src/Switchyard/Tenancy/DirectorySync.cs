using Switchyard.Core.Tenancy;

namespace Switchyard.Tenancy;

/// <summary>
/// Brings the in-memory directory in line with the keys and tenants a shared store holds. Only entries whose settings
/// differ are replaced (the directory keeps their live counters either way); spend and budget period are not settings:
/// the running counters own them.
/// </summary>
internal static class DirectorySync
{
    /// <returns>How many entries were added, replaced or removed.</returns>
    public static int Apply(TenantDirectory directory, IReadOnlyList<TenantRecord> tenants, IReadOnlyList<KeyRecord> keys)
    {
        var changed = 0;
        var tenantIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in tenants)
        {
            tenantIds.Add(t.TenantId);
            if (directory.FindTenant(t.TenantId)?.Record is not { } existing || existing.Source != t.Source || !TenancyService.SameSettings(existing, t))
            {
                directory.SetTenant(t);
                changed++;
            }
        }

        foreach (var gone in directory.Tenants.Where(e => !tenantIds.Contains(e.Record.TenantId)).ToArray())
        {
            directory.RemoveTenant(gone.Record.TenantId);
            changed++;
        }

        var hashes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var k in keys)
        {
            if (!TokenHash.TryParse(k.TokenHash, out var hash))
            {
                continue; // not a token this gateway wrote; the SQLite store would refuse it at load the same way
            }

            hashes.Add(k.TokenHash);
            var existing = directory.FindKey(hash)?.Record;
            if (existing is not null && SameSettings(existing, k))
            {
                continue;
            }

            var inherit = existing is null && k.RotatedFrom is { } from && TokenHash.TryParse(from, out var old) ? directory.FindKey(old)?.Limits : null;
            directory.SetKey(k, inherit);
            changed++;
        }

        foreach (var gone in directory.Keys.Where(e => !hashes.Contains(e.Record.TokenHash)).ToArray())
        {
            directory.RemoveKey(gone.Record.TokenHash);
            changed++;
        }

        return changed;
    }

    /// <returns>How many users were added, replaced or removed.</returns>
    public static int ApplyUsers(TenantDirectory directory, IReadOnlyList<UserRecord> users)
    {
        var changed = 0;
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var u in users)
        {
            ids.Add(u.UserId);
            if (directory.FindUser(u.UserId)?.Record is not { } existing || !SameSettings(existing, u))
            {
                directory.SetUser(u);
                changed++;
            }
        }

        foreach (var gone in directory.Users.Where(e => !ids.Contains(e.Record.UserId)).ToArray())
        {
            directory.RemoveUser(gone.Record.UserId);
            changed++;
        }

        return changed;
    }

    private static bool SameSettings(UserRecord a, UserRecord b)
        => a.UserEmail == b.UserEmail && a.UserRole == b.UserRole && a.Models.SequenceEqual(b.Models) && a.Limits == b.Limits && a.MetadataJson == b.MetadataJson
            && a.Teams.Count == b.Teams.Count && a.Teams.All(kv => b.Teams.TryGetValue(kv.Key, out var v) && v == kv.Value);

    private static bool SameSettings(KeyRecord a, KeyRecord b)
        => a.KeyName == b.KeyName && a.KeyAlias == b.KeyAlias && a.TenantId == b.TenantId && a.UserId == b.UserId && a.Models.SequenceEqual(b.Models) && a.Scopes.SequenceEqual(b.Scopes)
            && a.Limits == b.Limits && a.ExpiresAt == b.ExpiresAt && a.Revoked == b.Revoked && a.GraceUntil == b.GraceUntil && a.RotatedFrom == b.RotatedFrom
            && a.MetadataJson == b.MetadataJson;
}
