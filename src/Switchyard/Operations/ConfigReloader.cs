using System.Runtime.InteropServices;
using Switchyard.Core.Alerts;
using Switchyard.Core.Config;
using Switchyard.Hosting;
using Switchyard.Tenancy;

namespace Switchyard.Operations;

/// <summary>
/// The outcome of a reload: the new config with its warnings and the changes that wait for a restart, or every error
/// with its path (the old config stays live).
/// </summary>
public sealed record ReloadResult(bool Succeeded, IReadOnlyList<ConfigDiagnostic> Errors, IReadOnlyList<ConfigDiagnostic> Warnings, GatewayConfig? Config)
{
    /// <summary>Settings changed in the file that the running gateway keeps until a restart (<see cref="RestartRequired"/>).</summary>
    public IReadOnlyList<ConfigDiagnostic> RestartRequired { get; init; } = [];
}

/// <summary>
/// Swaps the configuration atomically from its file: on SIGHUP, on POST /config/reload, and (opt-in,
/// switchyard.reload.watch) when the file changes. In-flight requests finish on the snapshot they started with;
/// breaker, limiter and token state survive by id. A file that fails validation is refused with every error and the
/// old config stays live. The listening address cannot change without a restart.
/// </summary>
public sealed partial class ConfigReloader(GatewayState state, TenancyService tenancy, AlertService alerts, TimeProvider time, ILogger<ConfigReloader> logger) : IHostedService, IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private PosixSignalRegistration? _sighup;
    private FileSystemWatcher? _watcher;
    private ITimer? _debounce;

    /// <summary>Where the config is read from on reload (the path it was first loaded from).</summary>
    public string? ConfigPath { get; set; }

    /// <summary>The command line's --host, which wins over every file's (so a file's host is no address change).</summary>
    public string? HostOverride { get; init; }

    /// <summary>The command line's --port, which wins over every file's.</summary>
    public int? PortOverride { get; init; }

    /// <summary>Where each reload is remembered for the dashboard (GET /ui/api/reloads).</summary>
    public Dashboard.ReloadHistory? History { get; init; }

    public async Task<ReloadResult> ReloadAsync(string trigger, CancellationToken ct = default)
    {
        await _gate.WaitAsync(ct);
        try
        {
            var current = state.Current.Config;
            var path = ConfigPath ?? current.SourcePath;
            if (path is null)
            {
                return Fail(trigger, [new ConfigDiagnostic("(file)", "this gateway was not started from a config file; nothing to reload")]);
            }

            GatewayConfig next;
            try
            {
                next = ConfigLoader.LoadFile(path);
            }
            catch (ConfigException e)
            {
                return Fail(trigger, e.Errors);
            }

            if (next.Auth.MasterKeys.Any(k => k.IsShort) && MasterKey.ShortKeyRefusal(current.Server.Host) is { } refusal)
            {
                // the file may say loopback while this gateway was started with --host on another address
                return Fail(trigger, [new ConfigDiagnostic("general_settings.master_key", refusal)]);
            }

            if ((HostOverride ?? next.Server.Host) != current.Server.Host || (PortOverride ?? next.Server.Port) != current.Server.Port)
            {
                LogAddressChange(logger);
            }

            var restart = Operations.RestartRequired.Compare(current, next, HostOverride, PortOverride);
            next = Operations.RestartRequired.KeepStartupSettings(current, next);
            state.Swap(next);
            await tenancy.ApplyConfigTenantsAsync(next, ct);
#pragma warning disable CA1873 // once per reload, and Information is on in every shipped configuration
            LogReloaded(logger, trigger, path, next.Deployments.Count(d => d.Enabled), next.Warnings.Count);
            foreach (var w in next.Warnings)
            {
                LogReloadWarning(logger, w.ToString());
            }

            foreach (var r in restart)
            {
                LogRestartRequired(logger, r.ToString());
            }
#pragma warning restore CA1873

            Hosting.StartupNotices.Report(logger, next);
            History?.Add(new Dashboard.ReloadEntry(time.GetUtcNow(), trigger, true, next.ConfigHash, [], next.Warnings, restart));
            return new ReloadResult(true, [], next.Warnings, next) { RestartRequired = restart };
        }
        finally
        {
            _gate.Release();
        }
    }

    private ReloadResult Fail(string trigger, IReadOnlyList<ConfigDiagnostic> errors)
    {
        LogRefused(logger, trigger, errors.Count, string.Join("; ", errors.Take(5)));
        alerts.Publish(AlertKinds.ConfigReloadFailed, ConfigPath ?? state.Current.Config.SourcePath ?? "config", "critical", $"{errors.Count} error(s): {errors[0]}");
        History?.Add(new Dashboard.ReloadEntry(time.GetUtcNow(), trigger, false, state.Current.Config.ConfigHash, errors, [], []));
        return new ReloadResult(false, errors, [], null);
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        ConfigPath ??= state.Current.Config.SourcePath;
        if (!OperatingSystem.IsWindows())
        {
            _sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, ctx =>
            {
                ctx.Cancel = true;
                _ = ReloadAsync("SIGHUP");
            });
        }

        if (state.Current.Config.WatchConfigFile && ConfigPath is { } path)
        {
            _debounce = time.CreateTimer(_ => _ = ReloadAsync("file change"), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _watcher = new FileSystemWatcher(Path.GetDirectoryName(path)!, Path.GetFileName(path))
            {
                NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size | NotifyFilters.CreationTime,
            };
            _watcher.Changed += (_, _) => _debounce.Change(TimeSpan.FromMilliseconds(500), Timeout.InfiniteTimeSpan);
            _watcher.Created += (_, _) => _debounce.Change(TimeSpan.FromMilliseconds(500), Timeout.InfiniteTimeSpan);
            _watcher.Renamed += (_, _) => _debounce.Change(TimeSpan.FromMilliseconds(500), Timeout.InfiniteTimeSpan);
            _watcher.EnableRaisingEvents = true;
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _sighup?.Dispose();
        _sighup = null;
        _watcher?.Dispose();
        _watcher = null;
        _debounce?.Dispose();
        _debounce = null;
    }

    [LoggerMessage(EventId = 60, Level = LogLevel.Information, Message = "config reloaded ({Trigger}) from {Path}: {Enabled} deployments enabled, {Warnings} warnings")]
    private static partial void LogReloaded(ILogger logger, string trigger, string path, int enabled, int warnings);

    [LoggerMessage(EventId = 61, Level = LogLevel.Error, Message = "config reload ({Trigger}) refused, {Count} error(s); the previous config stays live: {Errors}")]
    private static partial void LogRefused(ILogger logger, string trigger, int count, string errors);

    [LoggerMessage(EventId = 63, Level = LogLevel.Warning, Message = "config warning: {Warning}")]
    private static partial void LogReloadWarning(ILogger logger, string warning);

    [LoggerMessage(EventId = 64, Level = LogLevel.Warning, Message = "needs a restart: {Change}")]
    private static partial void LogRestartRequired(ILogger logger, string change);

    [LoggerMessage(EventId = 62, Level = LogLevel.Warning, Message = "the listening address changed in the config; it takes effect only after a restart")]
    private static partial void LogAddressChange(ILogger logger);
}
