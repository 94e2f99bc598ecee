using BenchmarkDotNet.Attributes;
using Switchyard.Core.Canaries;

namespace Switchyard.Benchmarks;

/// <summary>
/// What canary evidence adds to a routed request: one outcome recorded in the alias's window for the group that
/// answered (the evidence is found by alias, then by group), next to the breaker's own per-attempt cost.
/// </summary>
[MemoryDiagnoser]
public class CanaryEvidenceBenchmarks
{
    private readonly CanaryLedger _ledger = new();
    private readonly TimeSpan _latency = TimeSpan.FromMilliseconds(120);

    [GlobalSetup]
    public void Setup() => _ledger.For("router.default").For("gpt4o-group");

    [Benchmark]
    public void LookUpAndRecordAnswer() => _ledger.For("router.default").For("gpt4o-group").Record(TimeProvider.System.GetUtcNow(), failed: false, _latency);

    [Benchmark]
    public OutcomeFigures FiguresOverFifteenMinutes() => _ledger.For("router.default").Figures("gpt4o-group", TimeProvider.System.GetUtcNow(), TimeSpan.FromMinutes(15));
}
