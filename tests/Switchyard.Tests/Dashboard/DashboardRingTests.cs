using Microsoft.Extensions.Time.Testing;
using Switchyard.AccessLog;
using Switchyard.Dashboard;

namespace Switchyard.Tests.Dashboard;

/// <summary>The dashboard's in-memory series and rings keep a fixed size however much traffic they see.</summary>
public sealed class DashboardRingTests
{
    private static readonly DateTimeOffset Start = new(2030, 1, 15, 23, 58, 0, TimeSpan.Zero);

    private static AccessRecord Record(DateTimeOffset time, string id, int status = 200, string? tenant = null, string? code = null, string? fallback = null) => new()
    {
        Time = time,
        Method = "POST",
        Path = "/v1/chat/completions",
        CorrelationId = id,
        Operation = "chat",
        Status = status,
        Code = code,
        TenantId = tenant,
        Fallback = fallback,
        Failure = code is null ? null : new Switchyard.Core.Failures.FailureSummary { Status = status, Type = "upstream_error", Code = code, Message = "boom" },
        PromptTokens = 10,
        CompletionTokens = 5,
        Cost = 0.001m,
        LatencyMs = 12,
    };

    [Fact]
    public void BoundedRing_KeepsTheLastCapacityItems_NewestFirst()
    {
        var ring = new BoundedRing<string>(4);
        Assert.Empty(ring.NewestFirst());
        for (var i = 0; i < 11; i++)
        {
            ring.Add("item" + i);
        }

        Assert.Equal(["item10", "item9", "item8", "item7"], ring.NewestFirst());
        Assert.Equal(11, ring.Added);
    }

    [Fact]
    public void Recorder_RecentCallsFailuresAndFallbacks_StayWithinTheirRings()
    {
        var recorder = new DashboardRecorder(new FakeTimeProvider(Start));
        var total = DashboardRecorder.RecentCalls + 100;
        for (var i = 0; i < total; i++)
        {
            recorder.Complete(Record(Start, "c" + i, i % 2 == 0 ? 502 : 200, code: i % 2 == 0 ? "upstream_server_error" : null, fallback: "backup"));
        }

        Assert.Equal(DashboardRecorder.RecentCalls, recorder.Calls.NewestFirst().Count);
        Assert.Equal("c" + (total - 1), recorder.Calls.NewestFirst()[0].CorrelationId);
        Assert.Equal(DashboardRecorder.RecentFailures, recorder.Failures.NewestFirst().Count);
        Assert.Equal(DashboardRecorder.RecentFallbacks, recorder.Fallbacks.NewestFirst().Count);
        Assert.Equal(total, Interlocked.Read(ref recorder.Global.Minutes.Find(recorder.Global.Minutes.PeriodOf(Start))!.Requests));
    }

    [Fact]
    public void Recorder_RequestsOutsideInference_AreNotCounted()
    {
        var recorder = new DashboardRecorder(new FakeTimeProvider(Start));
        var admin = Record(Start, "admin");
        admin.Operation = null;
        recorder.Complete(admin);
        Assert.Empty(recorder.Calls.NewestFirst());
        Assert.Null(recorder.Global.Minutes.Find(recorder.Global.Minutes.PeriodOf(Start)));
    }

    [Fact]
    public void Recorder_TenantSeries_OnlyForTenantsSeen_UpToTheCap()
    {
        var recorder = new DashboardRecorder(new FakeTimeProvider(Start));
        recorder.Complete(Record(Start, "a", tenant: "acme"));
        Assert.Equal(1, recorder.TenantCount);
        Assert.Null(recorder.Tenant("globex"));
        for (var i = 0; i < DashboardRecorder.MaxTenants + 50; i++)
        {
            recorder.Complete(Record(Start, "t" + i, tenant: "tenant-" + i));
        }

        Assert.Equal(DashboardRecorder.MaxTenants, recorder.TenantCount);
        Assert.Null(recorder.Tenant("tenant-" + (DashboardRecorder.MaxTenants + 10)));
        Assert.Equal(DashboardRecorder.MaxTenants + 51, Interlocked.Read(ref recorder.Global.Minutes.Find(recorder.Global.Minutes.PeriodOf(Start))!.Requests));
    }

    [Fact]
    public void SeriesRing_OldPeriodsAreOverwritten_AndTodayStartsAgainAtMidnight()
    {
        var series = new OverviewSeries();
        var time = Start;
        for (var minute = 0; minute < 200; minute++)
        {
            series.Add(time, minute % 3 == 0 ? "timeout" : null, 5, 1, 1_000);
            time += TimeSpan.FromMinutes(1);
        }

        var last = time - TimeSpan.FromMinutes(1);
        var minutes = series.Minutes;
        Assert.Null(minutes.Find(minutes.PeriodOf(Start))); // 200 minutes ago: overwritten
        Assert.Null(minutes.Find(minutes.PeriodOf(last) - minutes.Length)); // exactly one ring back: overwritten
        Assert.NotNull(minutes.Find(minutes.PeriodOf(last) - 60)); // the hour the overview shows is all there
        Assert.Equal(1, Interlocked.Read(ref minutes.Find(minutes.PeriodOf(last))!.Requests));

        // the day rolled over at midnight, two minutes after Start: today counts from there
        var (requests, tokens, spend) = series.Today.Read(last);
        Assert.Equal(198, requests);
        Assert.Equal(198, tokens);
        Assert.Equal(198_000, spend);
        Assert.Equal((0, 0, 0), series.Today.Read(last.AddDays(1)));
    }

    [Fact]
    public void SeriesBucket_CountsErrorsPerCode_CapsDistinctCodes_AndHistogramQuantiles()
    {
        var bucket = new SeriesBucket();
        bucket.Reset(1);
        for (var i = 0; i < SeriesBucket.MaxCodes + 10; i++)
        {
            bucket.Add("code" + i, 1, 0, 0);
        }

        for (var i = 0; i < 99; i++)
        {
            bucket.Add(null, 4, 0, 0); // the 5 ms bin
        }

        bucket.Add(null, 900, 0, 0);
        var codes = new Dictionary<string, long>();
        bucket.CopyCodes(codes);
        Assert.Equal(SeriesBucket.MaxCodes + 1, codes.Count);
        Assert.Equal(10, codes["other"]);
        Assert.Equal(SeriesBucket.MaxCodes + 10, bucket.Errors);
        Assert.Equal(1, LatencyHistogram.Quantile(bucket.Latency, 0.3));
        Assert.Equal(5, LatencyHistogram.Quantile(bucket.Latency, 0.9));
        Assert.Equal(1_000, LatencyHistogram.Quantile(bucket.Latency, 1.0));
        Assert.Null(LatencyHistogram.Quantile(new long[LatencyHistogram.Bins], 0.5));

        bucket.Reset(2);
        codes.Clear();
        bucket.CopyCodes(codes);
        Assert.Empty(codes);
        Assert.Equal(0, bucket.Requests);
    }
}
