using System.Collections.Concurrent;
using System.Globalization;
using CsCheck;

namespace Switchyard.Tests.Fuzz;

/// <summary>
/// Runs a property over generated cases, reproducibly: one master seed (fixed unless SWITCHYARD_FUZZ_SEED says
/// otherwise) gives every case its own CsCheck seed, so a failure names the case's seed for
/// <c>gen.Sample(property, seed: "...")</c> (which also shrinks it). Each case runs under a hang detector (a generous
/// bound that only a hang reaches, not a timing assertion), and the run fails if any task's exception went unobserved.
/// </summary>
/// <remarks>
/// SWITCHYARD_FUZZ_SEED: a number, or "random" for a fresh seed per run (printed in a failure).
/// SWITCHYARD_FUZZ_SCALE: multiplies every test's number of cases (default 1). See docs/testing.md.
/// </remarks>
public static class FuzzRun
{
    public const ulong DefaultSeed = 20261202;

    public static readonly TimeSpan HangLimit = TimeSpan.FromSeconds(30);

    public static ulong MasterSeed { get; } = Environment.GetEnvironmentVariable("SWITCHYARD_FUZZ_SEED") switch
    {
        null or "" => DefaultSeed,
        "random" => (ulong)Random.Shared.NextInt64(),
        var s => ulong.Parse(s, CultureInfo.InvariantCulture),
    };

    public static double Scale { get; } = double.TryParse(Environment.GetEnvironmentVariable("SWITCHYARD_FUZZ_SCALE"), NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && s > 0 ? s : 1;

    public static Task CheckAsync<T>(Gen<T> gen, Action<T> property, int cases, Func<T, string>? describe = null)
        => CheckAsync(gen, v =>
        {
            property(v);
            return Task.CompletedTask;
        }, cases, describe, offThread: true);

    public static async Task CheckAsync<T>(Gen<T> gen, Func<T, Task> property, int cases, Func<T, string>? describe = null, bool offThread = false)
    {
        var unobserved = new ConcurrentQueue<Exception>();
        void OnUnobserved(object? sender, UnobservedTaskExceptionEventArgs e) => unobserved.Enqueue(e.Exception);
        TaskScheduler.UnobservedTaskException += OnUnobserved;
        try
        {
            var master = new PCG(1, MasterSeed);
            var total = Math.Max(1, (int)(cases * Scale));
            for (var i = 0; i < total; i++)
            {
                var caseSeed = master.Next64();
                var pcg = new PCG(1, caseSeed);
                var value = gen.Generate(pcg, null, out _);
                try
                {
                    var run = offThread ? Task.Run(() => property(value)) : property(value);
                    await run.WaitAsync(HangLimit);
                }
                catch (Exception e)
                {
                    var what = e is TimeoutException ? $"did not finish within {HangLimit.TotalSeconds} s (a hang)" : "failed";
                    throw new FuzzFailureException(
                        $"case {i} of {total} {what}; master seed {MasterSeed}, case seed \"{new PCG(1, caseSeed)}\"\ninput: {Describe(value, describe)}", e);
                }
            }

            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
        }
        finally
        {
            TaskScheduler.UnobservedTaskException -= OnUnobserved;
        }

        Assert.True(unobserved.IsEmpty, "unobserved task exceptions: " + string.Join("\n", unobserved));
    }

    private static string Describe<T>(T value, Func<T, string>? describe)
    {
        var text = describe?.Invoke(value) ?? value switch
        {
            byte[] b => Convert.ToBase64String(b),
            _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "null",
        };
        return text.Length > 2000 ? text[..2000] + "…" : text;
    }
}

/// <summary>A fuzz case that failed, with its seed and input in the message.</summary>
public sealed class FuzzFailureException(string message, Exception inner) : Exception(message, inner);
