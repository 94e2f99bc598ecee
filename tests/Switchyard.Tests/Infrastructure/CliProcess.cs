using System.Diagnostics;

namespace Switchyard.Tests.Infrastructure;

/// <summary>The built <c>switchyard</c> executable run once as a child process, with a clean environment of its own.</summary>
public static class CliProcess
{
    /// <summary>
    /// Runs <c>switchyard args</c> with HOME set to a fresh empty folder (so no real ~/.switchyard is read) and no
    /// inherited SWITCHYARD_* variables; <paramref name="env"/> adds or overrides variables. SWITCHYARD_TEST_CLI_DLL
    /// points it at another build (to watch a test fail against an older one).
    /// </summary>
    public static async Task<(int Code, string Stdout, string Stderr)> RunAsync(IEnumerable<string> args, IDictionary<string, string>? env = null, string? home = null)
    {
        var dll = Environment.GetEnvironmentVariable("SWITCHYARD_TEST_CLI_DLL") is { Length: > 0 } other ? other : ChildGateway.GatewayDll;
        Assert.True(File.Exists(dll), $"build the gateway first: {dll} is missing");
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
        var start = new ProcessStartInfo(dotnet) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("SWITCHYARD_", StringComparison.Ordinal)).ToArray())
        {
            start.Environment.Remove(name);
        }

        start.Environment["HOME"] = home ?? NewFolder();
        foreach (var (k, v) in env ?? new Dictionary<string, string>())
        {
            start.Environment[k] = v;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(120)); // a bound against hanging, not a timing assertion
        await process.WaitForExitAsync(limit.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    public static string NewFolder()
    {
        var dir = Path.Combine(Path.GetTempPath(), "switchyard-tests", "cli-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}
