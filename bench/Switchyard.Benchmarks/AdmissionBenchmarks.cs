using BenchmarkDotNet.Attributes;
using Switchyard.Core.Admission;
using Switchyard.Core.Tenancy;

namespace Switchyard.Benchmarks;

/// <summary>
/// The per-request admission cost: TryAdmit + Complete for a token and its tenant, both with RPM, TPM,
/// max_parallel_requests and a budget with a period. Target: under 5 µs and no allocation.
/// Run: <c>dotnet run -c Release --project bench/Switchyard.Benchmarks -- --filter *AdmissionBenchmarks* --job short</c>
/// </summary>
[MemoryDiagnoser]
public class AdmissionBenchmarks
{
    private AdmissionController _admission = null!;
    private LimitState _key = null!;
    private LimitState _tenant = null!;

    [GlobalSetup]
    public void Setup()
    {
        // the clock moves 1 µs per reading, so the sliding windows slide as they do under real traffic;
        // limits are high enough that no request is ever rejected (a rejection allocates by design)
        _admission = new AdmissionController(new TickingTime(new DateTimeOffset(2030, 1, 15, 0, 0, 0, TimeSpan.Zero)));
        var limits = new Limits
        {
            Rpm = int.MaxValue,
            Tpm = int.MaxValue,
            MaxParallelRequests = 1_000,
            MaxBudget = 1_000_000_000m,
            BudgetDuration = new BudgetDuration(30, 'd'),
        };
        _key = new LimitState("key", new string('a', 64), limits, 0, null);
        _tenant = new LimitState("tenant", "acme", limits, 0, null);
    }

    [Benchmark]
    public long TryAdmitThenComplete()
    {
        var ticket = default(AdmissionTicket);
        if (_admission.TryAdmit(ref ticket, _key, _tenant, null, estimatedTokens: 356, estimatedCostNanos: 120_000) is not null)
        {
            throw new InvalidOperationException("rejected");
        }

        _admission.Complete(ref ticket, actualTokens: 101, actualCostNanos: 40_000);
        return ticket.RemainingRequests;
    }

    private sealed class TickingTime(DateTimeOffset start) : TimeProvider
    {
        private long _ticks;

        public override DateTimeOffset GetUtcNow() => start.AddTicks(Interlocked.Add(ref _ticks, TimeSpan.TicksPerMicrosecond));
    }
}
