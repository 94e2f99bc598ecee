using System.CommandLine;
using Switchyard.Cli.Install;

namespace Switchyard.Cli;

/// <summary>
/// <c>switchyard install</c> and <c>switchyard uninstall</c>: Switchyard as a service under its own user (systemd on
/// Linux, launchd on macOS), its config, keys and store readable by that user alone. <c>--dry-run</c> prints every file
/// and command without doing any of it; <c>--root DIR</c> stages the files under DIR.
/// </summary>
public static class InstallCommand
{
    private static readonly Option<string?> Platform = new("--platform") { Description = "linux (systemd) or macos (launchd); default: this machine's" };
    private static readonly Option<string?> User = new("--user") { Description = "Service user (default switchyard on Linux, _switchyard on macOS)" };
    private static readonly Option<string?> AppDir = new("--app-dir") { Description = "Where the program goes (default /opt/switchyard; macOS /usr/local/lib/switchyard)" };
    private static readonly Option<string?> ConfigDir = new("--config-dir") { Description = "Config, environment and secret files (default /etc/switchyard; macOS /usr/local/etc/switchyard)" };
    private static readonly Option<string?> DataDir = new("--data-dir") { Description = "The service user's home: store, master key (default /var/lib/switchyard; macOS /usr/local/var/switchyard)" };
    private static readonly Option<bool> DryRun = new("--dry-run") { Description = "Print every file and command, change nothing" };
    private static readonly Option<string?> Root = new("--root") { Description = "Stage the files under this folder (packaging, tests): no user is created, no service started" };

    public static Command Install()
    {
        var config = new Option<string?>("--config", "-c") { Description = "The config to install (default: $SWITCHYARD_CONFIG, else the embedded default)" };
        var exec = new Option<string?>("--exec") { Description = "Run this program instead of copying this one to --app-dir" };
        var replaceConfig = new Option<bool>("--replace-config") { Description = "Write the config over an installed one (kept by default)" };
        var noStart = new Option<bool>("--no-start") { Description = "Install, but do not enable or start the service" };
        var command = new Command("install", "Install Switchyard as a service under its own user (systemd or launchd)") { config, Platform, User, AppDir, ConfigDir, DataDir, exec, replaceConfig, noStart, DryRun, Root };
        command.SetAction(p =>
        {
            if (Prepare(p) is not { } setup)
            {
                return 2;
            }

            var source = ServeCommand.ResolveConfigPath(p.GetValue(config));
            string text;
            try
            {
                text = File.ReadAllText(source);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                Console.Error.WriteLine($"switchyard: cannot read the config {source}: {e.Message}");
                return 2;
            }

            if (ConfigReferences.Read(text).Error is { } yamlError)
            {
                Console.Error.WriteLine($"switchyard: {source} is not YAML ({yamlError}); check it with: switchyard doctor --config {source}");
                return 2;
            }

            var installed = File.Exists(Staged(setup.Root, setup.Layout.ConfigPath)) ? File.ReadAllText(Staged(setup.Root, setup.Layout.ConfigPath)) : null;
            var (steps, _) = InstallPlanner.Install(setup.Layout, setup.Machine, source, text, installed, p.GetValue(replaceConfig), p.GetValue(exec), !p.GetValue(noStart), setup.Root is not null);
            return Execute(steps, p.GetValue(DryRun), setup.Root, "install");
        });
        return command;
    }

    public static Command Uninstall()
    {
        var purge = new Option<bool>("--purge") { Description = "Also remove the config, the store, the master key and the service user" };
        var command = new Command("uninstall", "Stop and remove the service and the program; config and data stay unless --purge") { Platform, User, AppDir, ConfigDir, DataDir, purge, DryRun, Root };
        command.SetAction(p => Prepare(p) is { } setup ? Execute(InstallPlanner.Uninstall(setup.Layout, setup.Machine, p.GetValue(purge), setup.Root is not null), p.GetValue(DryRun), setup.Root, "uninstall") : 2);
        return command;
    }

    private sealed record Setup(ServiceLayout Layout, InstallContext Machine, string? Root);

    private static Setup? Prepare(ParseResult p)
    {
        var platform = p.GetValue(Platform) ?? (OperatingSystem.IsMacOS() ? ServiceLayout.MacOS : ServiceLayout.Linux);
        if (platform is not (ServiceLayout.Linux or ServiceLayout.MacOS))
        {
            Console.Error.WriteLine($"switchyard: --platform '{platform}' is not linux or macos");
            return null;
        }

        var layout = ServiceLayout.For(platform, p.GetValue(User));
        layout = layout with
        {
            Group = ServiceAccount.PrimaryGroup(layout.User) ?? layout.Group, // an existing user keeps its own group (nobody: nogroup)
            AppDir = Absolute(p.GetValue(AppDir)) ?? layout.AppDir,
            ConfigDir = Absolute(p.GetValue(ConfigDir)) ?? layout.ConfigDir,
            DataDir = Absolute(p.GetValue(DataDir)) ?? layout.DataDir,
        };
        var root = Absolute(p.GetValue(Root));
        var machine = new InstallContext
        {
            SourceAppDir = AppContext.BaseDirectory,
            ProcessPath = Environment.ProcessPath ?? "dotnet",
            InvokerHome = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile),
            UserExists = ServiceAccount.Exists,
            TargetExists = path => File.Exists(Staged(root, path)),
            ServiceManagerRunning = platform == ServiceLayout.Linux ? OperatingSystem.IsLinux() && Directory.Exists("/run/systemd/system") : OperatingSystem.IsMacOS(),
            MacServiceId = OperatingSystem.IsMacOS() ? ServiceAccount.FreeMacId() : 499,
        };
        return new Setup(layout, machine, root);
    }

    private static int Execute(IReadOnlyList<InstallStep> steps, bool dryRun, string? root, string verb)
    {
        if (dryRun)
        {
            Console.WriteLine($"# switchyard {verb} --dry-run: nothing is changed. It would write and run{(root is null ? "" : " (under " + root + ")")}:");
            foreach (var step in steps)
            {
                Console.WriteLine(step.Describe());
            }

            return 0;
        }

        if (OperatingSystem.IsWindows())
        {
            Console.Error.WriteLine($"switchyard: {verb} supports Linux (systemd) and macOS (launchd); --dry-run shows the files");
            return 2;
        }

        if (root is null && !ServiceAccount.IsRoot)
        {
            Console.Error.WriteLine($"switchyard: {verb} changes system folders and users: run it as root (sudo switchyard {verb}), or see what it would do with --dry-run");
            return 2;
        }

        return new StepRunner(Console.Out, Console.Error, root).Run(steps);
    }

    private static string Staged(string? root, string path) => root is null ? path : Path.Combine(root, path.TrimStart('/'));

    private static string? Absolute(string? path) => path is null ? null : Path.GetFullPath(path);
}
