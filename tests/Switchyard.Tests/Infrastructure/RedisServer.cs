using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Switchyard.Tests.Infrastructure;

/// <summary>
/// A real <c>redis-server</c> on a free loopback port, in a temp dir, without persistence; stopped (and restarted on
/// the same port) by tests that take Redis away. scripts/test.sh installs Debian's redis-server when it is missing;
/// a test that needs one fails (never skips) when it cannot start.
/// </summary>
public sealed class RedisServer : IAsyncLifetime
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "switchyard-tests", "redis-" + Guid.NewGuid().ToString("N"));
    private Process? _process;
    private readonly StringBuilder _output = new();

    public int Port { get; private set; }

    public string Url => $"redis://127.0.0.1:{Port}";

    public bool IsRunning => _process is { HasExited: false };

    public static string Executable
    {
        get
        {
            foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Concat(["/usr/bin", "/usr/local/bin", "/usr/sbin"]))
            {
                var path = Path.Combine(dir, "redis-server");
                if (dir.Length > 0 && File.Exists(path))
                {
                    return path;
                }
            }

            Assert.Fail("redis-server is not installed: run ./scripts/test.sh (it installs Debian's redis-server package) or apt-get install -y redis-server");
            return "";
        }
    }

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dir);
        Port = ChildGateway.FreePort();
        await StartAsync();
    }

    /// <summary>Starts (again) on <see cref="Port"/>, empty, and waits until it answers PING.</summary>
    public async Task StartAsync()
    {
        var start = new ProcessStartInfo(Executable)
        {
            WorkingDirectory = _dir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", _dir, "--protected-mode", "no" })
        {
            start.ArgumentList.Add(a);
        }

        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, e) => { lock (_output) { _output.AppendLine(e.Data); } };
        _process.ErrorDataReceived += (_, e) => { lock (_output) { _output.AppendLine(e.Data); } };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!await PingAsync())
        {
            Assert.False(_process.HasExited, "redis-server exited at start:\n" + Output);
            Assert.True(DateTime.UtcNow < deadline, "redis-server did not answer PING:\n" + Output);
            await Task.Delay(20);
        }
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Kills the server (SIGKILL): what an outage looks like to the gateway.</summary>
    public void Stop()
    {
        if (_process is { HasExited: false } p)
        {
            p.Kill();
            p.WaitForExit();
        }

        _process?.Dispose();
        _process = null;
    }

    /// <summary>Sends one inline command and returns the raw reply (tests only: INFO, FLUSHALL, ...).</summary>
    public async Task<string> CommandAsync(string command)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", Port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(command + "\r\n"));
        var buffer = new byte[256 * 1024];
        var read = 0;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        do
        {
            read += await stream.ReadAsync(buffer.AsMemory(read));
            var text = Encoding.ASCII.GetString(buffer, 0, read);
            if (text.StartsWith('$') && text.IndexOf("\r\n", StringComparison.Ordinal) is var nl and > 0
                && int.Parse(text[1..nl], System.Globalization.CultureInfo.InvariantCulture) is var len && read >= nl + 2 + len + 2)
            {
                return text[(nl + 2)..(nl + 2 + len)];
            }

            if (!text.StartsWith('$') && text.EndsWith("\r\n", StringComparison.Ordinal))
            {
                return text.TrimEnd();
            }
        }
        while (DateTime.UtcNow < deadline);
        return Encoding.ASCII.GetString(buffer, 0, read);
    }

    private async Task<bool> PingAsync()
    {
        try
        {
            return (await CommandAsync("PING")) == "+PONG";
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public Task DisposeAsync()
    {
        Stop();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }

        return Task.CompletedTask;
    }
}
