using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;

namespace Switchyard.Tests.Infrastructure;

/// <summary>
/// The real executable (src/Switchyard/bin/&lt;Configuration&gt;/net10.0/switchyard.dll) as a child process on a free
/// loopback port, for tests that kill it. Its output is drained into <see cref="Output"/>.
/// </summary>
public sealed class ChildGateway : IAsyncDisposable
{
    private readonly Process _process;

    private ChildGateway(Process process, int port)
    {
        _process = process;
        Port = port;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
    }

    public int Port { get; }

    public HttpClient Http { get; }

    public ConcurrentQueue<string> Output { get; } = new();

    public bool HasExited => _process.HasExited;

    /// <summary>The built gateway next to this test assembly's configuration (Debug or Release).</summary>
    public static string GatewayDll
    {
        get
        {
            // <repo>/tests/Switchyard.Tests/bin/<Configuration>/net10.0/
            var tfm = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var configuration = tfm.Parent!.Name;
            var repo = tfm.Parent.Parent!.Parent!.Parent!.Parent!.FullName;
            return Path.Combine(repo, "src", "Switchyard", "bin", configuration, tfm.Name, "switchyard.dll");
        }
    }

    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <param name="environment">Extra environment variables for the child (e.g. HOME, so default paths under ~ stay in a temp folder).</param>
    public static async Task<ChildGateway> StartAsync(string configPath, IReadOnlyDictionary<string, string>? environment = null)
    {
        var dll = GatewayDll;
        Assert.True(File.Exists(dll), $"build the gateway first: {dll} is missing");
        var port = FreePort();
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
        var start = new ProcessStartInfo(dotnet)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        foreach (var a in new[] { dll, "--config", configPath, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(a);
        }

        var process = Process.Start(start)!;
        var child = new ChildGateway(process, port);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) child.Output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) child.Output.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            Assert.False(process.HasExited, "the gateway exited at start:\n" + string.Join("\n", child.Output));
            Assert.True(DateTime.UtcNow < deadline, "the gateway did not answer /health/liveliness:\n" + string.Join("\n", child.Output));
            try
            {
                using var r = await child.Http.GetAsync("/health/liveliness");
                if (r.IsSuccessStatusCode)
                {
                    return child;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(50);
        }
    }

    public async Task<(int Status, string Body, string? CorrelationId)> PostAsync(string path, string token, string json)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await Http.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(), response.Headers.TryGetValues("X-Correlation-Id", out var v) ? v.First() : null);
    }

    /// <summary>SIGKILL: no shutdown hooks, no final flush.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: false);
        _process.WaitForExit();
    }

    public ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!_process.HasExited)
        {
            Kill();
        }

        _process.Dispose();
        return ValueTask.CompletedTask;
    }
}
