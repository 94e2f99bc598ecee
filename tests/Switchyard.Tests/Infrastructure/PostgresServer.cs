using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace Switchyard.Tests.Infrastructure;

/// <summary>
/// A throwaway PostgreSQL server for this test run: initdb into a temp folder, a free loopback port, its unix socket
/// in that folder, password authentication over TCP (so the tests go through a real postgresql:// URL with
/// credentials). Started once, on first use, and stopped when the test process exits; a server left behind by a run
/// that was killed is stopped by the next one. As root it runs as the <c>postgres</c> system user (PostgreSQL refuses
/// root). If it cannot start, every test that needs it fails with the reason and the server's log.
/// </summary>
public sealed class PostgresServer
{
    public const string User = "switchyard";

    /// <summary>Has characters a URL must percent-encode, so the tests prove the URL reader decodes them.</summary>
    public const string Password = "pw:with@odd/chars";

    private const string FolderPrefix = "switchyard-pg-";
    private const string ServiceUser = "postgres";

    private static readonly Lazy<Task<PostgresServer>> Shared = new(StartAsync);

    private readonly string _folder;

    private PostgresServer(string folder, int port)
    {
        _folder = folder;
        Port = port;
    }

    public int Port { get; }

    private string DataDir => Path.Combine(_folder, "data");

    /// <summary>The server of this run, started on first call.</summary>
    public static Task<PostgresServer> GetAsync() => Shared.Value;

    /// <summary>A database_url (postgresql://user:password@127.0.0.1:port/db, password percent-encoded).</summary>
    public string Url(string database) => $"postgresql://{User}:{Uri.EscapeDataString(Password)}@127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}/{database}";

    /// <summary>An Npgsql connection string to the same database (for the tests' own checks).</summary>
    public string ConnectionString(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = User,
        Password = Password,
        Database = database,
        Pooling = false,
    }.ConnectionString;

    /// <summary>Creates an empty database and returns its name.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = "t_" + Guid.NewGuid().ToString("N")[..20];
        await using var c = new NpgsqlConnection(ConnectionString("postgres"));
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand($"CREATE DATABASE {name}", c);
        await cmd.ExecuteNonQueryAsync();
        return name;
    }

    /// <summary>Runs SQL on a database and returns the first column of the first row.</summary>
    public async Task<object?> ScalarAsync(string database, string sql)
    {
        await using var c = new NpgsqlConnection(ConnectionString(database));
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, c);
        return await cmd.ExecuteScalarAsync();
    }

    private static async Task<PostgresServer> StartAsync()
    {
        var bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0).FirstOrDefault()
            : null;
        if (bin is null)
        {
            throw new InvalidOperationException("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb); ./scripts/test.sh installs the Debian package postgresql");
        }

        var runAs = Environment.UserName == "root" ? ServiceUser : null;
        if (runAs is not null)
        {
            await EnsureServiceUserAsync();
        }

        StopLeftovers(bin, runAs);
        var folder = Path.Combine(Path.GetTempPath(), FolderPrefix + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "owner.pid"), Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        File.WriteAllText(Path.Combine(folder, "pwfile"), Password + "\n");
        if (runAs is not null)
        {
            await RunAsync("chown", ["-R", $"{runAs}:", folder]);
        }

        var log = Path.Combine(folder, "server.log");
        await RunAsync(Tool(bin, "initdb", runAs), Args(runAs, Path.Combine(bin, "initdb"),
            ["-D", Path.Combine(folder, "data"), "-U", User, "--pwfile", Path.Combine(folder, "pwfile"), "--auth-local=trust", "--auth-host=scram-sha-256",
             "-E", "UTF8", "--locale=C", "--no-sync"]));

        // A free port can be taken between choosing and binding it: try a few.
        for (var attempt = 1; ; attempt++)
        {
            var port = ChildGateway.FreePort();
            var options = $"-c listen_addresses=127.0.0.1 -p {port.ToString(CultureInfo.InvariantCulture)} -k {folder} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300";
            var (code, output) = await TryRunAsync(Tool(bin, "pg_ctl", runAs), Args(runAs, Path.Combine(bin, "pg_ctl"),
                ["-D", Path.Combine(folder, "data"), "-l", log, "-w", "-t", "60", "-o", options, "start"]));
            if (code == 0)
            {
                var server = new PostgresServer(folder, port);
                AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Stop();
                return server;
            }

            if (attempt == 3)
            {
                var serverLog = File.Exists(log) ? File.ReadAllText(log) : "(no server log)";
                throw new InvalidOperationException($"PostgreSQL did not start (pg_ctl exited {code}):\n{output}\n{serverLog}");
            }
        }
    }

    /// <summary>
    /// Runs while the test process exits, which may be cut short: so no waiting here. SIGQUIT is PostgreSQL's immediate
    /// shutdown; a detached shell (its own session, outside the test process's tree) removes the folder once the server
    /// is gone. A folder left anyway is removed by the next run (<see cref="StopLeftovers"/>).
    /// </summary>
    private void Stop()
    {
        try
        {
            var pid = int.Parse(File.ReadLines(Path.Combine(DataDir, "postmaster.pid")).First(), CultureInfo.InvariantCulture);
            _ = Kill(pid, SigQuit);
            using var cleanup = Process.Start(new ProcessStartInfo("setsid")
            {
                ArgumentList = { "-f", "sh", "-c", $"while kill -0 {pid.ToString(CultureInfo.InvariantCulture)} 2>/dev/null; do sleep 0.1; done; rm -rf '{_folder}'" },
                UseShellExecute = false,
            });
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException or FormatException or System.ComponentModel.Win32Exception)
        {
            Console.Error.WriteLine($"stopping the test PostgreSQL server in {_folder} failed: {e.Message}");
        }
    }

    private const int SigQuit = 3;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    /// <summary>Servers of earlier runs whose test process is gone (killed before it could stop them).</summary>
    private static void StopLeftovers(string bin, string? runAs)
    {
        foreach (var folder in Directory.GetDirectories(Path.GetTempPath(), FolderPrefix + "*"))
        {
            var owner = Path.Combine(folder, "owner.pid");
            if (File.Exists(owner) && int.TryParse(File.ReadAllText(owner), out var pid) && IsAlive(pid))
            {
                continue;
            }

            if (File.Exists(Path.Combine(folder, "data", "postmaster.pid")))
            {
                _ = TryRunAsync(Tool(bin, "pg_ctl", runAs), Args(runAs, Path.Combine(bin, "pg_ctl"), ["-D", Path.Combine(folder, "data"), "-m", "immediate", "-w", "stop"])).GetAwaiter().GetResult();
            }

            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var p = Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static async Task EnsureServiceUserAsync()
    {
        var (code, _) = await TryRunAsync("id", ["-u", ServiceUser]);
        if (code != 0)
        {
            await RunAsync("useradd", ["--system", "--no-create-home", "--shell", "/usr/sbin/nologin", ServiceUser]);
        }
    }

    private static string Tool(string bin, string name, string? runAs) => runAs is null ? Path.Combine(bin, name) : "runuser";

    private static string[] Args(string? runAs, string tool, string[] args) => runAs is null ? args : ["-u", runAs, "--", tool, .. args];

    private static async Task RunAsync(string file, string[] args)
    {
        var (code, output) = await TryRunAsync(file, args);
        if (code != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {code}:\n{output}");
        }
    }

    private static async Task<(int Code, string Output)> TryRunAsync(string file, string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = "/" };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, (await stdout) + (await stderr));
    }
}
