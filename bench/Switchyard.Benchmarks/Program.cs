using BenchmarkDotNet.Running;

namespace Switchyard.Benchmarks;

public static class BenchmarkProgram
{
    public static void Main(string[] args)
    {
        if (args is ["alloc-types", ..])
        {
            AllocationTypes.Run(args);
            return;
        }

        BenchmarkSwitcher.FromAssembly(typeof(BenchmarkProgram).Assembly).Run(args);
    }
}
