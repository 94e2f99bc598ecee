using System.Security.Cryptography;

namespace Switchyard.Cli.Install;

/// <summary>What the planner needs to know about the machine, read without changing anything.</summary>
internal sealed record InstallContext
{
    /// <summary>The folder this executable runs from (copied to the app folder).</summary>
    public required string SourceAppDir { get; init; }

    /// <summary>The program that runs this process: the apphost or single file (<c>switchyard</c>), or <c>dotnet</c>.</summary>
    public required string ProcessPath { get; init; }

    /// <summary>The home of whoever runs the installer (where a source config's <c>~/</c> points).</summary>
    public required string InvokerHome { get; init; }

    public required Func<string, bool> UserExists { get; init; }

    /// <summary>Whether a file exists where the service will have it (under the staging root when there is one).</summary>
    public Func<string, bool> TargetExists { get; init; } = File.Exists;

    /// <summary>Whether the service manager runs here (systemd: /run/systemd/system; launchd: on macOS).</summary>
    public bool ServiceManagerRunning { get; init; }

    /// <summary>macOS: the uid/gid for a new service user (the first free id from 400, found with dscl).</summary>
    public int MacServiceId { get; init; } = 499;
}

/// <summary>The steps of <c>switchyard install</c> and <c>uninstall</c> for a layout; nothing here changes the machine.</summary>
internal static class InstallPlanner
{
    public static (List<InstallStep> Steps, ServiceLayout Layout) Install(ServiceLayout layout, InstallContext machine, string sourceConfig, string sourceConfigText, string? installedConfigText, bool replaceConfig, string? exec, bool start, bool staging)
    {
        var steps = new List<InstallStep>();
        var linux = layout.Platform == ServiceLayout.Linux;
        var rootOwner = linux ? "root:root" : "root:wheel";
        var keepConfig = installedConfigText is not null && !replaceConfig;
        var (refs, _) = ConfigReferences.Read(keepConfig ? installedConfigText! : sourceConfigText);
        refs ??= new ConfigReferences();

        // the program, and the command line the service runs
        string[] program;
        if (exec is not null)
        {
            program = [exec];
        }
        else
        {
            var apphost = Path.GetFileNameWithoutExtension(machine.ProcessPath) == "switchyard";
            program = apphost ? [Path.Combine(layout.AppDir, "switchyard")] : [machine.ProcessPath, Path.Combine(layout.AppDir, "switchyard.dll")];
            if (!apphost && linux && IsUnderHome(machine.ProcessPath))
            {
                steps.Add(new NoteStep($"{machine.ProcessPath} is under /home or /root, which the service cannot see (ProtectHome=true): install .NET system-wide, or install from the self-contained publish (README, 'Run it as a service')"));
            }
        }

        // store, journal and master key folders outside the data and config folders must be writable too
        var storeDir = Path.GetDirectoryName(layout.ForService(refs.SqlitePath ?? "~/.switchyard/switchyard.db"))!;
        var journalDir = refs.JournalPath is { } j ? Path.GetDirectoryName(layout.ForService(j)) : null;
        var extra = new[] { storeDir, journalDir }.OfType<string>().Where(d => !Within(d, layout.DataDir) && !Within(d, layout.ConfigDir)).Distinct(StringComparer.Ordinal).ToArray();
        layout = layout with { Command = [.. program, "serve", "--config", layout.ConfigPath], ExtraWritePaths = extra };

        if (staging)
        {
            steps.Add(new NoteStep($"staging under --root: no user is created and no service started; files are owned by {layout.Owner}, who must exist"));
        }
        else if (machine.UserExists(layout.User))
        {
            steps.Add(new NoteStep($"the service user {layout.User} exists; kept as it is"));
        }
        else
        {
            steps.AddRange(CreateUser(layout, machine.MacServiceId));
        }

        if (exec is null)
        {
            steps.Add(new DirectoryStep(layout.AppDir, InstallModes.PublicDir, rootOwner));
            if (!SamePath(machine.SourceAppDir, layout.AppDir))
            {
                steps.Add(new CopyStep(machine.SourceAppDir, layout.AppDir, CountFiles(machine.SourceAppDir)));
            }
        }

        steps.Add(new DirectoryStep(layout.ConfigDir, InstallModes.PrivateDir, layout.Owner));
        steps.Add(new DirectoryStep(layout.DataDir, InstallModes.PrivateDir, layout.Owner));
        foreach (var dir in new[] { storeDir, journalDir }.OfType<string>().Distinct(StringComparer.Ordinal).Where(d => !SamePath(d, layout.DataDir) && !SamePath(d, layout.ConfigDir)))
        {
            steps.Add(new DirectoryStep(dir, InstallModes.PrivateDir, layout.Owner));
        }

        if (!linux)
        {
            steps.Add(new DirectoryStep(layout.LogDir, InstallModes.PrivateDir, layout.Owner));
        }

        steps.Add(keepConfig
            ? new NoteStep($"{layout.ConfigPath} exists; kept (--replace-config writes {sourceConfig} over it)")
            : new WriteStep(layout.ConfigPath, sourceConfigText, InstallModes.Private, layout.Owner, What: "the config, from " + sourceConfig));
        steps.Add(linux
            ? new WriteStep(layout.EnvFile, EnvTemplate(refs), InstallModes.Private, layout.Owner, KeepExisting: true, What: "provider keys as NAME=value lines, read by systemd at start")
            : new NoteStep("launchd has no environment file: put provider keys in the config's environment_variables or in file: references (the config is 0600 and the service user's)"));

        steps.AddRange(MasterKey(layout, refs));
        steps.AddRange(SecretFiles(layout, refs, machine, sourceConfig, keepConfig, staging));
        steps.Add(new WriteStep(layout.UnitPath, linux ? SystemdUnit.Render(layout) : LaunchdPlist.Render(layout), InstallModes.Public, rootOwner,
            What: linux ? "the systemd unit" : "the launchd daemon"));
        steps.AddRange(Start(layout, machine, start && !staging));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        steps.RemoveAll(s => s is DirectoryStep d && !seen.Add(d.Path)); // one mkdir per folder (the store's and the master key's are often one)
        return (steps, layout);
    }

    public static List<InstallStep> Uninstall(ServiceLayout layout, InstallContext machine, bool purge, bool staging)
    {
        var steps = new List<InstallStep>();
        var linux = layout.Platform == ServiceLayout.Linux;
        machine = staging ? machine with { ServiceManagerRunning = false, UserExists = _ => false } : machine; // staged: files only
        if (machine.ServiceManagerRunning)
        {
            steps.Add(linux ? new RunStep(["systemctl", "disable", "--now", ServiceLayout.UnitName]) : new RunStep(["launchctl", "bootout", "system/" + ServiceLayout.Label]));
        }

        steps.Add(new RemoveStep(layout.UnitPath));
        if (machine.ServiceManagerRunning && linux)
        {
            steps.Add(new RunStep(["systemctl", "daemon-reload"]));
        }

        steps.Add(new RemoveStep(layout.AppDir));
        if (!purge)
        {
            steps.Add(new NoteStep($"kept {layout.ConfigDir}, {layout.DataDir} (store, master key) and the user {layout.User}; --purge removes them"));
            return steps;
        }

        steps.Add(new RemoveStep(layout.ConfigDir));
        steps.Add(new RemoveStep(layout.DataDir));
        if (!linux)
        {
            steps.Add(new RemoveStep(layout.LogDir));
        }

        if (machine.UserExists(layout.User))
        {
            steps.AddRange(linux
                ? [new RunStep(["userdel", layout.User])]
                : [new RunStep(["dscl", ".", "-delete", "/Users/" + layout.User]), new RunStep(["dscl", ".", "-delete", "/Groups/" + layout.Group])]);
        }

        return steps;
    }

    private static IEnumerable<InstallStep> CreateUser(ServiceLayout layout, int id)
    {
        if (layout.Platform == ServiceLayout.Linux)
        {
            yield return new RunStep(["useradd", "--system", "--user-group", "--home-dir", layout.DataDir, "--no-create-home", "--shell", "/usr/sbin/nologin", "--comment", "Switchyard LLM gateway", layout.User]);
            yield break;
        }

        var ids = id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var group = "/Groups/" + layout.Group;
        var user = "/Users/" + layout.User;
        yield return new RunStep(["dscl", ".", "-create", group]);
        yield return new RunStep(["dscl", ".", "-create", group, "PrimaryGroupID", ids]);
        yield return new RunStep(["dscl", ".", "-create", user]);
        yield return new RunStep(["dscl", ".", "-create", user, "UniqueID", ids]);
        yield return new RunStep(["dscl", ".", "-create", user, "PrimaryGroupID", ids]);
        yield return new RunStep(["dscl", ".", "-create", user, "UserShell", "/usr/bin/false"]);
        yield return new RunStep(["dscl", ".", "-create", user, "NFSHomeDirectory", layout.DataDir]);
        yield return new RunStep(["dscl", ".", "-create", user, "RealName", "Switchyard LLM gateway"]);
        yield return new RunStep(["dscl", ".", "-create", user, "Password", "*"]);
        yield return new RunStep(["dscl", ".", "-create", user, "IsHidden", "1"]);
    }

    /// <summary>The master key file the config names (the default config: ~/.switchyard/master.key): kept if there, else a new random key.</summary>
    private static IEnumerable<InstallStep> MasterKey(ServiceLayout layout, ConfigReferences refs)
    {
        if (refs.MasterKeyFile is not { } file)
        {
            yield break;
        }

        var target = layout.ForService(file);
        if (Path.GetDirectoryName(target) is { } dir && !SamePath(dir, layout.DataDir) && !SamePath(dir, layout.ConfigDir))
        {
            yield return new DirectoryStep(dir, InstallModes.PrivateDir, layout.Owner);
        }

        var key = "sk-sy-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        yield return new WriteStep(target, key + "\n", InstallModes.Private, layout.Owner, Secret: true, KeepExisting: true,
            What: $"a new random master key, not shown (an existing one is kept and handed to {layout.User}); read it with: sudo cat {target}");
    }

    /// <summary>
    /// Each file: secret: the file the service will read is handed to the service user (0600). A relative or ~/ path
    /// points elsewhere for the service than for the source config, so the file is copied there.
    /// </summary>
    private static IEnumerable<InstallStep> SecretFiles(ServiceLayout layout, ConfigReferences refs, InstallContext machine, string sourceConfig, bool keepConfig, bool staging)
    {
        foreach (var reference in refs.SecretFiles)
        {
            var target = layout.ForService(reference);
            if (keepConfig)
            {
                // the installed config's own files: where they are, handed to the service user
                yield return machine.TargetExists(target)
                    ? new OwnStep(target, InstallModes.Private, layout.Owner)
                    : new NoteStep($"file:{reference}: {target} does not exist; deployments that need it stay disabled until it does ({layout.Owner}, 0600)");
                continue;
            }

            var source = reference.StartsWith("~/", StringComparison.Ordinal) ? Path.Combine(machine.InvokerHome, reference[2..])
                : Path.IsPathRooted(reference) ? reference
                : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(sourceConfig))!, reference));
            if (layout.Platform == ServiceLayout.Linux && IsUnderHome(target))
            {
                yield return new NoteStep($"file:{reference} is {target}, under /home or /root, which the service cannot read (ProtectHome=true): move it to {layout.ConfigDir}");
            }

            if (!File.Exists(source))
            {
                yield return new NoteStep($"file:{reference}: {source} does not exist; deployments that need it stay disabled until it does ({layout.Owner}, 0600)");
                continue;
            }

            if (SamePath(source, target))
            {
                yield return staging
                    ? new NoteStep($"file:{reference} is outside the staged folders; on the target machine: chown {layout.Owner} {target} && chmod 600 {target}")
                    : new OwnStep(target, InstallModes.Private, layout.Owner);
                continue;
            }

            if (Path.GetDirectoryName(target) is { } dir && !SamePath(dir, layout.ConfigDir) && !SamePath(dir, layout.DataDir))
            {
                yield return new DirectoryStep(dir, InstallModes.PrivateDir, layout.Owner);
            }

            yield return new WriteStep(target, File.ReadAllText(source), InstallModes.Private, layout.Owner, Secret: true, KeepExisting: true, What: $"a copy of the secret file {source}, not shown");
        }
    }

    private static IEnumerable<InstallStep> Start(ServiceLayout layout, InstallContext machine, bool start)
    {
        var linux = layout.Platform == ServiceLayout.Linux;
        string[][] commands = linux
            ? [["systemctl", "daemon-reload"], ["systemctl", "enable", "--now", ServiceLayout.UnitName]]
            : [["launchctl", "bootstrap", "system", layout.UnitPath]];
        if (start && machine.ServiceManagerRunning)
        {
            foreach (var c in commands)
            {
                yield return new RunStep(c);
            }

            yield break;
        }

        var why = start ? (linux ? "systemd is not running here" : "launchd is not running here") : "--no-start";
        yield return new NoteStep($"{why}; start the service with: {string.Join(" && ", commands.Select(c => string.Join(' ', c)))}");
    }

    private static string EnvTemplate(ConfigReferences refs)
    {
        var lines = new List<string>
        {
            "# Environment of switchyard.service: NAME=value lines, read by systemd at start (0600, the service user's).",
            "# Provider keys go here, e.g. OPENAI_API_KEY=sk-...; restart the service after a change.",
        };
        if (refs.EnvironmentVariables.Count > 0)
        {
            lines.Add("# The config reads these variables (os.environ/NAME):");
            lines.AddRange(refs.EnvironmentVariables.Select(n => "#" + n + "="));
        }

        return string.Join("\n", lines) + "\n";
    }

    private static int CountFiles(string dir) => Directory.Exists(dir) ? Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Count() : 0;

    private static bool IsUnderHome(string path) => path.StartsWith("/home/", StringComparison.Ordinal) || path.StartsWith("/root/", StringComparison.Ordinal) || path == "/root";

    private static bool SamePath(string a, string b) => string.Equals(Path.TrimEndingDirectorySeparator(Path.GetFullPath(a)), Path.TrimEndingDirectorySeparator(Path.GetFullPath(b)), StringComparison.Ordinal);

    private static bool Within(string path, string dir) => SamePath(path, dir) || Path.GetFullPath(path).StartsWith(Path.TrimEndingDirectorySeparator(Path.GetFullPath(dir)) + "/", StringComparison.Ordinal);
}
