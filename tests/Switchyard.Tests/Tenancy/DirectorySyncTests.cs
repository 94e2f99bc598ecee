using Switchyard.Core.Tenancy;
using Switchyard.Tenancy;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Tenancy;

/// <summary>Bringing a replica's directory in line with the shared store keeps the live counters of whatever still exists.</summary>
public sealed class DirectorySyncTests
{
    private static KeyRecord Key(string token, string? tenant = "acme") => new() { TokenHash = GatewayApi.Sha256Hex(token), KeyName = "sk-..." + token[^4..], TenantId = tenant };

    [Fact]
    public void Apply_StoreWithChangedNewRotatedAndDeletedEntries_KeepsCountersOfWhatStillExists()
    {
        var directory = new TenantDirectory();
        var acme = directory.SetTenant(new TenantRecord { TenantId = "acme", Limits = new Limits { Rpm = 10 } });
        var gone = directory.SetTenant(new TenantRecord { TenantId = "gone" });
        var same = directory.SetKey(Key("sk-same-0001"));
        var changed = directory.SetKey(Key("sk-changed-0002"));
        directory.SetKey(Key("sk-deleted-0003"));
        same.Limits.InFlight.TryEnter(5);
        changed.Limits.InFlight.TryEnter(5);
        var sameEntry = directory.FindKey(TokenHash.Of("sk-same-0001"));

        var n = DirectorySync.Apply(directory,
            [acme.Record with { Limits = new Limits { Rpm = 20 } }, new TenantRecord { TenantId = "new" }],
            [same.Record, changed.Record with { Limits = new Limits { Rpm = 3 } }, Key("sk-rotated-0004") with { RotatedFrom = same.Record.TokenHash }]);

        Assert.Equal(6, n); // acme changed, new added, gone removed; changed replaced, rotated added, deleted removed
        Assert.Same(sameEntry, directory.FindKey(TokenHash.Of("sk-same-0001"))); // unchanged: not even replaced
        var changedNow = directory.FindKey(TokenHash.Of("sk-changed-0002"))!;
        Assert.Same(changed.Limits, changedNow.Limits);
        Assert.Equal((3, 1), (changedNow.Limits.Limits.Rpm, changedNow.Limits.InFlight.Current));
        Assert.Same(same.Limits, directory.FindKey(TokenHash.Of("sk-rotated-0004"))!.Limits); // shares its predecessor's counters
        Assert.Null(directory.FindKey(TokenHash.Of("sk-deleted-0003")));
        Assert.Same(acme.Limits, directory.FindTenant("acme")!.Limits);
        Assert.Equal(20, directory.FindTenant("acme")!.Limits.Limits.Rpm);
        Assert.NotNull(directory.FindTenant("new"));
        Assert.Null(directory.FindTenant(gone.Record.TenantId));

        Assert.Equal(0, DirectorySync.Apply(directory,
            directory.Tenants.Select(t => t.Record).ToArray(), directory.Keys.Select(k => k.Record).ToArray())); // nothing left to do
    }
}
