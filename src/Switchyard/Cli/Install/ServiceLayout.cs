namespace Switchyard.Cli.Install;

/// <summary>
/// Where an installed Switchyard lives and who runs it. The seed playbook asks for a dedicated service user that
/// alone reads the keys: <c>switchyard</c> on Linux, <c>_switchyard</c> on macOS (system accounts there start with an
/// underscore). Paths are the platform's usual ones; every one can be changed on the command line.
/// </summary>
internal sealed record ServiceLayout
{
    public const string Linux = "linux";
    public const string MacOS = "macos";

    /// <summary>The systemd unit name and launchd label.</summary>
    public const string UnitName = "switchyard.service";

    public const string Label = "local.switchyard.gateway";

    public required string Platform { get; init; }

    public required string User { get; init; }

    public required string Group { get; init; }

    /// <summary>The program: the published folder (or single file) is copied here.</summary>
    public required string AppDir { get; init; }

    /// <summary>config.yaml, the environment file and relative secret files; writable by the service (alias promote rewrites the config).</summary>
    public required string ConfigDir { get; init; }

    /// <summary>The service user's home: the store, the generated master key (~/.switchyard/...), the spend journal.</summary>
    public required string DataDir { get; init; }

    /// <summary>macOS only: launchd writes stdout and stderr here (systemd sends them to the journal).</summary>
    public string LogDir { get; init; } = "/usr/local/var/log/switchyard";

    /// <summary>The command line the service runs, program first.</summary>
    public IReadOnlyList<string> Command { get; init; } = [];

    /// <summary>Further folders the service must write (a store or journal outside <see cref="DataDir"/>).</summary>
    public IReadOnlyList<string> ExtraWritePaths { get; init; } = [];

    public string ConfigPath => Path.Combine(ConfigDir, "config.yaml");

    /// <summary>Linux: provider keys as NAME=value lines, read by systemd (EnvironmentFile=).</summary>
    public string EnvFile => Path.Combine(ConfigDir, "switchyard.env");

    public string UnitPath => Platform == Linux ? "/etc/systemd/system/" + UnitName : $"/Library/LaunchDaemons/{Label}.plist";

    public string Owner => $"{User}:{Group}";

    public static ServiceLayout For(string platform, string? user) => platform == Linux
        ? new ServiceLayout
        {
            Platform = Linux,
            User = user ?? "switchyard",
            Group = user ?? "switchyard",
            AppDir = "/opt/switchyard",
            ConfigDir = "/etc/switchyard",
            DataDir = "/var/lib/switchyard",
        }
        : new ServiceLayout
        {
            Platform = MacOS,
            User = user ?? "_switchyard",
            Group = user ?? "_switchyard",
            AppDir = "/usr/local/lib/switchyard",
            ConfigDir = "/usr/local/etc/switchyard",
            DataDir = "/usr/local/var/switchyard",
        };

    /// <summary>Where a path in the config points for the service: <c>~/</c> is the service user's home, a relative path is beside the config.</summary>
    public string ForService(string path)
        => path.StartsWith("~/", StringComparison.Ordinal) ? Path.Combine(DataDir, path[2..]) : Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(ConfigDir, path));
}
