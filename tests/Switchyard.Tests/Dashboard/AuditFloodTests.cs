using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Switchyard.Audit;
using Switchyard.Core.Audit;
using Switchyard.Storage.Sqlite;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Dashboard;

/// <summary>
/// Anyone can send a bad token to an admin route, so rows without an actor are capped per minute: a flood of them
/// cannot fill the store, and the next row kept says how many were left out. Rows of authenticated callers are never capped.
/// </summary>
public sealed class AuditFloodTests
{
    [Fact]
    public async Task UnauthenticatedRefusals_PastTheCapAMinute_CountedNotStored_TheNextKeptRowSaysHowMany()
    {
        var path = GatewayFixture.NewSqlitePath();
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await using var store = new SqliteGatewayStore(path);
        await store.InitializeAsync(CancellationToken.None);
        var time = new FakeTimeProvider(new DateTimeOffset(2030, 1, 15, 10, 0, 5, TimeSpan.Zero));
        var writer = new AuditWriter(store, TimeSpan.FromMilliseconds(10), time, NullLogger<AuditWriter>.Instance);

        AuditRecord Row(string? actor) => new() { Id = writer.NextId(time.GetUtcNow()), Time = time.GetUtcNow(), Actor = actor, Action = "key.generate", Status = actor is null ? 401 : 200, Outcome = actor is null ? "denied" : "ok" };
        for (var i = 0; i < AuditWriter.UnauthenticatedPerMinute + 25; i++)
        {
            writer.Enqueue(Row(null));
        }

        writer.Enqueue(Row("master")); // an admin's own action in the same minute is kept whatever the flood
        time.Advance(TimeSpan.FromMinutes(1));
        writer.Enqueue(Row(null));
        await writer.FlushAsync();

        var all = await store.QueryAuditAsync(new AuditQuery { PageSize = 500 }, CancellationToken.None);
        Assert.Equal(AuditWriter.UnauthenticatedPerMinute + 2, all.Total);
        Assert.Equal(25, writer.SkippedUnauthenticated);
        Assert.Single(all.Rows, r => r.Actor == "master");
        var next = all.Rows[0]; // newest first: the first unauthenticated row of the next minute
        Assert.Null(next.Actor);
        Assert.Contains("25 unauthenticated refusals before this one were not recorded", next.Detail, StringComparison.Ordinal);
    }
}
