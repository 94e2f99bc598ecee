using BenchmarkDotNet.Attributes;
using Switchyard.AccessLog;
using Switchyard.Dashboard;

namespace Switchyard.Benchmarks;

/// <summary>
/// What the dashboard's recording costs every inference request once it ends (<see cref="DashboardRecorder.Complete"/>:
/// the replica's and the tenant's minute and quarter-hour buckets, today's totals, the recent-calls ring) and every
/// upstream attempt (<see cref="DashboardRecorder.RecordAttempt"/>), for a success and for a failure with a code.
/// Single-threaded and under contention (<see cref="CompleteParallel"/>: every core records into the same buckets).
/// Run: <c>dotnet run -c Release --project bench/Switchyard.Benchmarks -- --filter *DashboardRecorderBenchmarks* --job short</c>
/// </summary>
[MemoryDiagnoser]
public class DashboardRecorderBenchmarks
{
    private const int ParallelCalls = 1_024;
    private DashboardRecorder _recorder = null!;
    private AccessRecord _ok = null!;
    private AccessRecord _failed = null!;
    private AttemptRecord _attempt = null!;

    [GlobalSetup]
    public void Setup()
    {
        _recorder = new DashboardRecorder(TimeProvider.System);
        _ok = Record(200, null);
        _failed = Record(502, "upstream_server_error");
        _failed.Failure = new Core.Failures.FailureSummary { Status = 502, Type = "upstream_error", Code = "upstream_server_error", Message = "boom" };
        _attempt = new AttemptRecord("gpt-4o-east", "openai", "chat", false, AttemptRecord.Ok, 200, 180);
    }

    private static AccessRecord Record(int status, string? code) => new()
    {
        Time = DateTimeOffset.UtcNow,
        Method = "POST",
        Path = "/v1/chat/completions",
        CorrelationId = "01JD0000000000000000000000",
        Operation = "chat",
        Status = status,
        Code = code,
        TenantId = "acme",
        TokenId = "3f1c0e5b",
        Alias = "chat",
        Deployment = "gpt-4o-east",
        PromptTokens = 1_200,
        CompletionTokens = 300,
        Cost = 0.0042m,
        LatencyMs = 420,
        UpstreamMs = 417,
    };

    [Benchmark(Baseline = true)]
    public void CompleteSuccess() => _recorder.Complete(_ok);

    [Benchmark]
    public void CompleteFailure() => _recorder.Complete(_failed);

    [Benchmark]
    public void RecordAttempt() => _recorder.RecordAttempt(null, _attempt);

    /// <summary><see cref="ParallelCalls"/> successes recorded from every core at once (divide by it for the per-request cost).</summary>
    [Benchmark(OperationsPerInvoke = ParallelCalls)]
    public void CompleteParallel() => Parallel.For(0, ParallelCalls, _ => _recorder.Complete(_ok));
}
