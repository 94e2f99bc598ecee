using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace Switchyard.Benchmarks;

/// <summary>
/// Which types a pipeline request allocates: runs <see cref="PipelineBenchmarks.Request"/> many times under the runtime's
/// allocation-tick events (one sample per ~100 KB allocated, with the type of the object that crossed it) and prints each
/// type's estimated bytes per request. A guide to where allocations come from, not a measurement (BenchmarkDotNet's is).
/// Run: <c>dotnet run -c Release --project bench/Switchyard.Benchmarks -- alloc-types master 48KB true [requests]</c>
/// </summary>
internal static class AllocationTypes
{
    public static void Run(string[] args)
    {
        var bench = new PipelineBenchmarks { Key = args[1], Body = args[2], Stream = bool.Parse(args[3]) };
        var count = args.Length > 4 ? int.Parse(args[4], System.Globalization.CultureInfo.InvariantCulture) : 20_000;
        bench.Setup();
        for (var i = 0; i < 2_000; i++)
        {
            bench.Request().GetAwaiter().GetResult();
        }

        using var listener = new TickListener();
        var before = GC.GetTotalAllocatedBytes(precise: true);
        for (var i = 0; i < count; i++)
        {
            bench.Request().GetAwaiter().GetResult();
        }

        var total = GC.GetTotalAllocatedBytes(precise: true) - before;
        Thread.Sleep(1_000); // the listener's events arrive asynchronously
        bench.Cleanup();
        var sampled = listener.Bytes.Values.Sum();
        Console.WriteLine($"{total / (double)count:F0} bytes per request ({count} requests); by type, scaled to that total:");
        foreach (var (type, bytes) in listener.Bytes.OrderByDescending(p => p.Value).Take(40))
        {
            Console.WriteLine($"{bytes * (total / (double)sampled) / count,10:F0}  {type}");
        }
    }

    private sealed class TickListener : EventListener
    {
        public ConcurrentDictionary<string, long> Bytes { get; } = new();

        protected override void OnEventSourceCreated(EventSource source)
        {
            if (source.Name == "Microsoft-Windows-DotNETRuntime")
            {
                EnableEvents(source, EventLevel.Verbose, (EventKeywords)0x1); // GC keyword: AllocationTick at verbose
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs e)
        {
            if (e.EventName is not { } name || !name.StartsWith("GCAllocationTick", StringComparison.Ordinal) || e.Payload is null)
            {
                return;
            }

            var type = e.PayloadNames!.IndexOf("TypeName") is >= 0 and var t ? e.Payload[t] as string ?? "?" : "?";
            var amount = e.PayloadNames.IndexOf("AllocationAmount64") is >= 0 and var a ? Convert.ToInt64(e.Payload[a], System.Globalization.CultureInfo.InvariantCulture) : 100_000;
            Bytes.AddOrUpdate(type, amount, (_, v) => v + amount);
        }
    }
}
