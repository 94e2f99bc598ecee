using Microsoft.Extensions.Logging.Abstractions;
using Switchyard.Core.Tenancy;
using Switchyard.Storage.Sqlite;
using Switchyard.Tenancy.Journal;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Tenancy;

/// <summary>
/// The spend journal on its own: frames that read back, torn and corrupt tails skipped with a warning, group commit
/// under concurrent appends, segments deleted once committed, one slot per process, replay into a real SQLite store
/// that counts each request id once.
/// </summary>
public sealed class SpendJournalTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "switchyard-tests", "journal-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task Append_ManyConcurrentWriters_EveryRecordIsInTheSegmentsOnce()
    {
        List<SpendRecord> read;
        using (var journal = SpendJournal.Open(_root, "store-a", fsync: false, NullLogger.Instance))
        {
            var appended = await Task.WhenAll(Enumerable.Range(0, 64).Select(t => Task.Run(async () =>
            {
                var segments = new List<JournalSegment?>();
                for (var i = 0; i < 50; i++)
                {
                    segments.Add(await journal.AppendAsync(Record($"t{t}-{i}", 0.5m)));
                }

                return segments;
            })));
            Assert.All(appended.SelectMany(s => s), Assert.NotNull);
            await journal.CompleteAsync();
            read = ReadAll(journal.Directory);
        } // nothing committed: disposing keeps every segment

        Assert.Equal(64 * 50, read.Count);
        Assert.Equal(64 * 50, read.Select(r => r.RequestId).Distinct().Count());
        Assert.All(read, r => Assert.Equal(0.5m, r.Cost));
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(_root, "0"), "*.journal"));
    }

    [Fact]
    public async Task Record_RoundTrip_EveryFieldReadsBack()
    {
        var record = Record("r1", 0.0102m) with { Deployment = "mock-chat", ProviderFamily = "mock", Model = "mock/priced", TenantId = "acme", TokenHash = new string('a', 64), LatencyMs = 12.5, StartTime = new DateTimeOffset(2030, 1, 2, 3, 4, 5, 678, TimeSpan.Zero) };
        using (var journal = SpendJournal.Open(_root, "store-a", fsync: true, NullLogger.Instance))
        {
            await journal.AppendAsync(record);
            await journal.CompleteAsync();
        }

        Assert.Equal(record, Assert.Single(ReadAll(Path.Combine(_root, "0"))));
    }

    [Fact]
    public void Record_JournaledBeforeRowIds_ReadsBackKeyedByItsRequestId()
    {
        // a segment a previous version left (no row_id): replayed after the upgrade, it must key on what the migration
        // made that row's id, its request id, so a row already stored is not stored twice
        var old = System.Text.Json.JsonSerializer.Deserialize("""{"request_id":"0190ab","correlation_id":"c","alias":"chat","cost":0.5}""", JournalJson.Default.SpendRecord)!;
        var now = System.Text.Json.JsonSerializer.Serialize(Record("r9", 1m), JournalJson.Default.SpendRecord);

        Assert.Equal(("0190ab", "0190ab"), (old.RowId, old.RequestId));
        Assert.Contains("\"row_id\":\"r9\"", now, StringComparison.Ordinal);
        Assert.Contains("\"request_id\":\"chatcmpl-r9\"", now, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Segments_CommittedAndCheckpointed_AreDeletedAndOthersKept()
    {
        using var journal = SpendJournal.Open(_root, "store-a", fsync: false, NullLogger.Instance, segmentBytes: 2_000);
        var segments = new List<JournalSegment>();
        for (var i = 0; i < 40; i++)
        {
            segments.Add((await journal.AppendAsync(Record("r" + i, 1m)))!);
        }

        var files = segments.Select(s => s.Path).Distinct().ToList();
        Assert.True(files.Count > 3, $"segments rotate past segmentBytes: {files.Count}");
        Assert.All(files, f => Assert.True(File.Exists(f)));

        // the store has everything of the first segment and one record of the second
        var counts = segments.GroupBy(s => s).ToDictionary(g => g.Key, g => g.Count());
        var (first, second) = (segments[0], segments.First(s => s != segments[0]));
        first.MarkCommitted(counts[first]);
        second.MarkCommitted(1);
        journal.RequestCheckpoint();
        await GatewayApi.WaitUntilAsync(() => !File.Exists(files[0]), "the committed segment deleted");
        Assert.All(files.Skip(1), f => Assert.True(File.Exists(f), f));

        foreach (var (segment, count) in counts.Where(c => c.Key != first))
        {
            segment.MarkCommitted(segment == second ? count - 1 : count);
        }

        journal.RequestCheckpoint();
        await GatewayApi.WaitUntilAsync(() => Directory.GetFiles(journal.Directory, "*.journal").Length == 0, "every committed segment deleted, the active one too");
    }

    [Fact]
    public void Open_SameRootTwice_SecondTakesItsOwnSlot()
    {
        using var first = SpendJournal.Open(_root, "store-a", fsync: false, NullLogger.Instance);
        using var second = SpendJournal.Open(_root, "store-a", fsync: false, NullLogger.Instance);
        Assert.Equal(Path.Combine(_root, "0"), first.Directory);
        Assert.Equal(Path.Combine(_root, "1"), second.Directory);
    }

    [Fact]
    public void Open_RootOfAnotherStore_RefusedNamingBoth()
    {
        using (SpendJournal.Open(_root, "store-a", fsync: false, NullLogger.Instance))
        {
        }

        var e = Assert.Throws<InvalidOperationException>(() => SpendJournal.Open(_root, "store-b", fsync: false, NullLogger.Instance));
        Assert.Contains("belongs to another store", e.Message, StringComparison.Ordinal);
        Assert.Contains("store-a", e.Message, StringComparison.Ordinal);
        Assert.Contains("switchyard.spend.journal", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replay_TwiceAndWithRowsAlreadyStored_EachRequestCountedOnce()
    {
        var db = GatewayFixture.NewSqlitePath();
        await using var store = new SqliteGatewayStore(db);
        await store.InitializeAsync(CancellationToken.None);
        var hash = new string('b', 64);
        await store.UpsertKeyAsync(new KeyRecord { TokenHash = hash, KeyName = "sk-...bbbb", CreatedAt = DateTimeOffset.UnixEpoch }, CancellationToken.None);
        var records = Enumerable.Range(0, 10).Select(i => Record("q" + i, 0.25m) with { TokenHash = hash }).ToList();
        await WriteLeftoverAsync(records);
        await store.AppendSpendAsync(records.Take(4).ToList(), CancellationToken.None); // the store had some before the kill
        var segments = Directory.GetFiles(Path.Combine(_root, "0"), "*.journal");
        var copies = segments.Select(File.ReadAllBytes).ToList();

        using (var journal = SpendJournal.Open(_root, "store-a", fsync: false, NullLogger.Instance))
        {
            Assert.Equal(10, await journal.ReplayAsync(store.AppendSpendAsync, 3, CancellationToken.None));
        }

        Assert.Empty(Directory.GetFiles(Path.Combine(_root, "0"), "*.journal"));
        for (var i = 0; i < segments.Length; i++)
        {
            File.WriteAllBytes(segments[i], copies[i]); // killed after writing to the store, before deleting: replayed again
        }

        using (var journal = SpendJournal.Open(_root, "store-a", fsync: false, NullLogger.Instance))
        {
            Assert.Equal(10, await journal.ReplayAsync(store.AppendSpendAsync, 500, CancellationToken.None));
        }

        Assert.Equal(10, (await store.QuerySpendAsync(new SpendQuery { TokenHash = hash }, CancellationToken.None)).Count);
        var key = Assert.Single(await store.ListKeysAsync(CancellationToken.None));
        Assert.Equal(2.5m, key.Spend);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(30)]
    public async Task Replay_LastFrameTorn_WholeRecordsReplayedAndTheTailSkippedWithAWarning(int keptOfLastFrame)
    {
        var records = Enumerable.Range(0, 5).Select(i => Record("t" + i, 1m)).ToList();
        await WriteLeftoverAsync(records);
        var segment = Assert.Single(Directory.GetFiles(Path.Combine(_root, "0"), "*.journal"));
        var bytes = File.ReadAllBytes(segment);
        var lastFrame = LastFrameOffset(bytes);
        File.WriteAllBytes(segment, bytes[..(lastFrame + keptOfLastFrame)]);

        var (replayed, logs) = await ReplayIntoListAsync();
        Assert.Equal(records.Take(4).Select(r => r.RequestId), replayed.Select(r => r.RequestId));
        var warning = Assert.Single(logs.Entries, e => e.Level == LogLevel.Warning);
        Assert.Contains(Path.GetFileName(segment), warning.Message, StringComparison.Ordinal);
        Assert.Contains($"{keptOfLastFrame} bytes from offset {lastFrame} skipped", warning.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(Path.Combine(_root, "0"), "*.journal"));
    }

    [Fact]
    public async Task Replay_FlippedByteInAFrame_StopsThereWithACrcWarningAndKeepsWhatCameBefore()
    {
        var records = Enumerable.Range(0, 5).Select(i => Record("c" + i, 1m)).ToList();
        await WriteLeftoverAsync(records);
        var segment = Assert.Single(Directory.GetFiles(Path.Combine(_root, "0"), "*.journal"));
        var bytes = File.ReadAllBytes(segment);
        bytes[LastFrameOffset(bytes) + 20] ^= 0x01;
        File.WriteAllBytes(segment, bytes);

        var (replayed, logs) = await ReplayIntoListAsync();
        Assert.Equal(4, replayed.Count);
        Assert.Contains("CRC mismatch", Assert.Single(logs.Entries, e => e.Level == LogLevel.Warning).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replay_SegmentWithAGarbageHeader_SkippedWithAWarningNotACrash()
    {
        var slot = Path.Combine(_root, "0");
        using (SpendJournal.Open(_root, "store-a", fsync: false, NullLogger.Instance))
        {
        }

        File.WriteAllBytes(Path.Combine(slot, JournalSegment.FileName(3)), "garbage!garbage!"u8.ToArray());
        File.WriteAllBytes(Path.Combine(slot, JournalSegment.FileName(4)), [0x53, 0x57]);
        var (replayed, logs) = await ReplayIntoListAsync();
        Assert.Empty(replayed);
        Assert.Equal(2, logs.Entries.Count(e => e.Level == LogLevel.Warning));
    }

    [Fact]
    public async Task Replay_SlotLeftByAnotherProcess_IsAdoptedUnlessItsOwnerStillHoldsIt()
    {
        // slot 1 was left by a process that died with a record in it; slot 2 belongs to a running one; this process
        // gets slot 0 (free, empty), adopts slot 1 and leaves slot 2 alone
        using var empty = SpendJournal.Open(_root, "store-a", fsync: false, NullLogger.Instance);
        using var dead = SpendJournal.Open(_root, "store-a", fsync: false, NullLogger.Instance);
        await dead.AppendAsync(Record("dead", 1m));
        using var live = SpendJournal.Open(_root, "store-a", fsync: false, NullLogger.Instance);
        await live.AppendAsync(Record("live", 1m));
        empty.Dispose();
        dead.Dispose(); // its record never reached a store: the segment stays

        var (replayed, _) = await ReplayIntoListAsync();
        Assert.Equal(["dead"], replayed.Select(r => r.RowId));
        Assert.Equal(Path.Combine(_root, "2"), live.Directory);
        Assert.Single(Directory.GetFiles(live.Directory, "*.journal"));
        Assert.Empty(Directory.GetFiles(Path.Combine(_root, "1"), "*.journal"));
    }

    private async Task<(List<SpendRecord> Replayed, TestLogSink Logs)> ReplayIntoListAsync()
    {
        var logs = new TestLogSink();
        var replayed = new List<SpendRecord>();
        using var journal = SpendJournal.Open(_root, "store-a", fsync: false, logs.CreateLogger("journal"));
        await journal.ReplayAsync((batch, _) =>
        {
            replayed.AddRange(batch);
            return Task.CompletedTask;
        }, 500, CancellationToken.None);
        return (replayed, logs);
    }

    private async Task WriteLeftoverAsync(List<SpendRecord> records)
    {
        using var journal = SpendJournal.Open(_root, "store-a", fsync: false, NullLogger.Instance);
        foreach (var r in records)
        {
            await journal.AppendAsync(r);
        }

        await journal.CompleteAsync();
    }

    private static int LastFrameOffset(byte[] segment)
    {
        var offset = 8;
        var last = offset;
        while (offset < segment.Length)
        {
            last = offset;
            offset += 8 + BitConverter.ToInt32(segment, offset);
        }

        return last;
    }

    private static List<SpendRecord> ReadAll(string directory)
        => Directory.GetFiles(directory, "*.journal").Order(StringComparer.Ordinal)
            .SelectMany(f => JournalFrames.Read(File.ReadAllBytes(f)).Records).ToList();

    /// <summary>A record as the gateway makes it: its own row id, and the response id the caller saw as its request id.</summary>
    private static SpendRecord Record(string id, decimal cost) => new()
    {
        RowId = id,
        RequestId = "chatcmpl-" + id,
        CorrelationId = "corr-" + id,
        Alias = "chat",
        PromptTokens = 100,
        CompletionTokens = 1,
        Cost = cost,
        Status = 200,
        StartTime = DateTimeOffset.UnixEpoch,
    };
}
