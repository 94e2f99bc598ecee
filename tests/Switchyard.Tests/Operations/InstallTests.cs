using System.Xml.Linq;
using Switchyard.Cli.Doctor;
using Switchyard.Cli.Install;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Operations;

/// <summary>
/// <c>switchyard install</c>: the systemd unit (hardened, the service user, its own folders writable and nothing
/// else) and the launchd plist as text; --dry-run prints every file and command and changes nothing; a staged install
/// (--root) writes the files 0600 and owned by the service user, and repeats safely; uninstall; doctor compares file
/// owners with the service user, not with whoever runs it.
/// </summary>
public sealed class InstallTests
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private static (string Config, string Dir) SourceConfig(string? extra = null, bool masterKeyFile = true)
    {
        var dir = CliProcess.NewFolder();
        Directory.CreateDirectory(Path.Combine(dir, "keys"));
        File.WriteAllText(Path.Combine(dir, "keys", "openai.key"), "sk-proj-secret-in-a-file\n");
        var config = Path.Combine(dir, "config.yaml");
        File.WriteAllText(config, $$"""
            model_list:
              - model_name: router.default
                litellm_params: { model: openai/gpt-4o-mini, api_key: "file:keys/openai.key" }
              - model_name: draft.fast
                litellm_params: { model: anthropic/claude-3-5-haiku-latest, api_key: os.environ/ANTHROPIC_API_KEY }
            {{(masterKeyFile ? "switchyard:\n  master_key_file: ~/.switchyard/master.key" : "general_settings: { master_key: sk-test-master-key-0001 }")}}
            {{extra}}
            """);
        return (config, dir);
    }

    private static string Block(string output, string header)
    {
        var lines = output.Split('\n');
        var start = Array.FindIndex(lines, l => l.StartsWith(header, StringComparison.Ordinal));
        Assert.True(start >= 0, $"no '{header}' in:\n{output}");
        return string.Join("\n", lines.Skip(start + 1).TakeWhile(l => l.StartsWith("    | ", StringComparison.Ordinal)).Select(l => l[6..]));
    }

    [Fact]
    public async Task DryRun_Linux_PrintsTheHardenedUnitAndEveryStep_AndChangesNothing()
    {
        var (config, dir) = SourceConfig("  store: { sqlite_path: /srv/switchyard-state/gateway.db }");
        var etc = Path.Combine(dir, "etc-sy");
        var data = Path.Combine(dir, "var-sy");
        var modeBefore = File.GetUnixFileMode(Path.Combine(dir, "keys", "openai.key"));

        var (code, stdout, stderr) = await CliProcess.RunAsync(["install", "--dry-run", "--platform", "linux", "--config", config, "--config-dir", etc, "--data-dir", data]);

        Assert.True(code == 0, stderr);
        Assert.StartsWith("# switchyard install --dry-run: nothing is changed", stdout, StringComparison.Ordinal);
        Assert.True(stdout.Contains("run:   useradd --system --user-group --home-dir " + data, StringComparison.Ordinal) || stdout.Contains("the service user switchyard exists", StringComparison.Ordinal), stdout);
        Assert.Contains($"mkdir: {etc} (0700 switchyard:", stdout, StringComparison.Ordinal);
        Assert.Contains($"mkdir: {data} (0700 switchyard:", stdout, StringComparison.Ordinal);
        Assert.Contains("mkdir: /srv/switchyard-state (0700 switchyard:", stdout, StringComparison.Ordinal);
        Assert.Contains($"write: {etc}/config.yaml (0600 switchyard:", stdout, StringComparison.Ordinal);
        Assert.Contains($"write: {etc}/switchyard.env (0600 switchyard:", stdout, StringComparison.Ordinal);
        Assert.Contains("#ANTHROPIC_API_KEY=", Block(stdout, $"write: {etc}/switchyard.env"), StringComparison.Ordinal);
        Assert.Contains($"write: {etc}/keys/openai.key (0600 switchyard:", stdout, StringComparison.Ordinal);
        Assert.Contains($"write: {data}/.switchyard/master.key (0600 switchyard:", stdout, StringComparison.Ordinal);
        Assert.Contains("systemctl enable --now switchyard.service", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-proj-secret-in-a-file", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-sy-", stdout, StringComparison.Ordinal);

        var unit = Block(stdout, "write: /etc/systemd/system/switchyard.service (0644 root:root)");
        Assert.Equal("switchyard", ServiceAccount.FromUnit(unit));
        foreach (var line in new[]
        {
            "NoNewPrivileges=true", "ProtectSystem=strict", "ProtectHome=true", "PrivateTmp=true", "CapabilityBoundingSet=", "UMask=0077",
            $"ReadWritePaths={data} {etc} /srv/switchyard-state", $"EnvironmentFile=-{etc}/switchyard.env", $"Environment=HOME={data}",
            "ExecReload=/bin/kill -HUP $MAINPID", "WantedBy=multi-user.target",
        })
        {
            Assert.Contains(line, unit.Split('\n'));
        }

        Assert.Matches($@"(?m)^ExecStart=\S+ (/opt/switchyard/switchyard\.dll )?serve --config {etc}/config\.yaml$", unit);
        Assert.False(Directory.Exists(etc));
        Assert.False(Directory.Exists(data));
        Assert.Equal(modeBefore, File.GetUnixFileMode(Path.Combine(dir, "keys", "openai.key")));
    }

    [Fact]
    public async Task DryRun_MacOS_PlistRunsAsTheServiceUser()
    {
        var (config, _) = SourceConfig();

        var (code, stdout, stderr) = await CliProcess.RunAsync(["install", "--dry-run", "--platform", "macos", "--config", config]);

        Assert.True(code == 0, stderr);
        var plist = XDocument.Parse(Block(stdout, "write: /Library/LaunchDaemons/local.switchyard.gateway.plist (0644 root:wheel)"));
        var dict = plist.Root!.Element("dict")!.Elements().ToArray();
        string Value(string key) => (string)dict[Array.FindIndex(dict, e => e.Name == "key" && e.Value == key) + 1];
        Assert.Equal("local.switchyard.gateway", Value("Label"));
        Assert.Equal("_switchyard", Value("UserName"));
        Assert.Equal("/usr/local/var/switchyard", Value("WorkingDirectory"));
        Assert.Equal("/usr/local/var/log/switchyard/switchyard.log", Value("StandardErrorPath"));
        var args = dict[Array.FindIndex(dict, e => e.Value == "ProgramArguments") + 1].Elements().Select(e => e.Value).ToArray();
        Assert.Equal(["serve", "--config", "/usr/local/etc/switchyard/config.yaml"], args[^3..]);
        Assert.Equal("_switchyard", ServiceAccount.FromPlist(plist.ToString()));
        Assert.Contains("run:   dscl . -create /Users/_switchyard UniqueID", stdout, StringComparison.Ordinal);
        Assert.Contains("write: /usr/local/etc/switchyard/config.yaml (0600 _switchyard:_switchyard)", stdout, StringComparison.Ordinal);
        Assert.Contains("write: /usr/local/var/switchyard/.switchyard/master.key (0600 _switchyard:_switchyard)", stdout, StringComparison.Ordinal);
        Assert.Contains("launchctl bootstrap system /Library/LaunchDaemons/local.switchyard.gateway.plist", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StagedInstall_FilesAre0600AndTheServiceUsers_RepeatKeepsThem_UninstallRemovesTheService()
    {
        Assert.True(Environment.IsPrivilegedProcess, "this test sets file owners: run it as root (CI and the dev machines do)");
        var (config, _) = SourceConfig();
        var root = CliProcess.NewFolder();
        string[] install = ["install", "--root", root, "--user", "nobody", "--no-start", "--config", config];

        var first = await CliProcess.RunAsync(install);

        Assert.True(first.Code == 0, first.Stdout + first.Stderr);
        var nobody = ServiceAccount.Uid("nobody");
        string At(string path) => Path.Combine(root, path.TrimStart('/'));
        foreach (var file in new[] { "/etc/switchyard/config.yaml", "/etc/switchyard/switchyard.env", "/etc/switchyard/keys/openai.key", "/var/lib/switchyard/.switchyard/master.key" })
        {
            Assert.Equal((file, OwnerOnly), (file, File.GetUnixFileMode(At(file))));
            Assert.Equal((file, nobody), (file, Owner(At(file))));
        }

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(At("/var/lib/switchyard")));
        var masterKey = File.ReadAllText(At("/var/lib/switchyard/.switchyard/master.key"));
        Assert.Matches("^sk-sy-[0-9a-f]{48}\n$", masterKey);
        Assert.Equal("sk-proj-secret-in-a-file\n", File.ReadAllText(At("/etc/switchyard/keys/openai.key")));
        Assert.Equal("nobody", ServiceAccount.FromUnit(File.ReadAllText(At("/etc/systemd/system/switchyard.service"))));
        Assert.True(File.Exists(At("/opt/switchyard/switchyard.dll")));
        Assert.True(File.Exists(At("/opt/switchyard/config/default.yaml")));
        Assert.DoesNotContain("sk-sy-", first.Stdout, StringComparison.Ordinal);

        File.AppendAllText(At("/etc/switchyard/config.yaml"), "# edited by the operator\n");
        var again = await CliProcess.RunAsync(install);

        Assert.True(again.Code == 0, again.Stdout + again.Stderr);
        Assert.Equal(masterKey, File.ReadAllText(At("/var/lib/switchyard/.switchyard/master.key")));
        Assert.EndsWith("# edited by the operator\n", File.ReadAllText(At("/etc/switchyard/config.yaml")), StringComparison.Ordinal);
        Assert.Contains("config.yaml exists; kept", again.Stdout, StringComparison.Ordinal);

        var uninstall = await CliProcess.RunAsync(["uninstall", "--root", root, "--user", "nobody"]);

        Assert.True(uninstall.Code == 0, uninstall.Stdout + uninstall.Stderr);
        Assert.False(File.Exists(At("/etc/systemd/system/switchyard.service")));
        Assert.False(Directory.Exists(At("/opt/switchyard")));
        Assert.True(File.Exists(At("/var/lib/switchyard/.switchyard/master.key")));

        var purge = await CliProcess.RunAsync(["uninstall", "--root", root, "--user", "nobody", "--purge"]);

        Assert.True(purge.Code == 0, purge.Stdout + purge.Stderr);
        Assert.False(Directory.Exists(At("/var/lib/switchyard")));
        Assert.False(Directory.Exists(At("/etc/switchyard")));
        Assert.NotNull(ServiceAccount.Uid("nobody")); // staged: no user is ever removed
    }

    [Fact]
    public async Task Install_UnknownPlatform_RefusedInOneLine()
    {
        var (code, stdout, stderr) = await CliProcess.RunAsync(["install", "--platform", "windows", "--dry-run"]);

        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Equal("switchyard: --platform 'windows' is not linux or macos", stderr.Trim());
    }

    [Fact]
    public void Doctor_SecretFileOwnedByAnotherUserThanTheServices_IsWarnedNamingTheServiceUser()
    {
        Assert.True(Environment.IsPrivilegedProcess, "the secret file must be owned by root and the service user be another: run as root (CI does)");
        var (config, dir) = SourceConfig(masterKeyFile: false);
        File.SetUnixFileMode(Path.Combine(dir, "keys", "openai.key"), OwnerOnly);
        var (loaded, _) = DoctorChecks.Config(config);

        var asService = DoctorChecks.SecretFiles(loaded!, DoctorChecks.ServiceUser.Resolve("nobody")).ToArray();
        var asMe = DoctorChecks.SecretFiles(loaded!, new DoctorChecks.ServiceUser("root", "test", "0")).ToArray();
        var unknown = DoctorChecks.SecretFiles(loaded!, DoctorChecks.ServiceUser.Resolve("no-such-user-sy")).ToArray();

        var wrongOwner = Assert.Single(asService, f => f.Id == "SY121" && f.Message.Contains("openai.key", StringComparison.Ordinal));
        Assert.Contains($"owned by uid 0, not the service user nobody (uid {ServiceAccount.Uid("nobody")}; --service-user)", wrongOwner.Message, StringComparison.Ordinal);
        Assert.Equal("chown nobody " + Path.Combine(dir, "keys", "openai.key"), wrongOwner.Fix);
        Assert.DoesNotContain(asMe, f => f.Id == "SY121" && f.Message.Contains("openai.key", StringComparison.Ordinal));
        Assert.Contains(unknown, f => f.Id == "SY122" && f.Severity == Finding.Error);
    }

    [Fact]
    public async Task DoctorCli_ServiceUserFlag_ComparesWithIt()
    {
        var (config, dir) = SourceConfig();
        File.SetUnixFileMode(Path.Combine(dir, "keys", "openai.key"), OwnerOnly);

        var (_, stdout, _) = await CliProcess.RunAsync(["doctor", "--config", config, "--service-user", "nobody", "--url", "http://127.0.0.1:9"]);

        Assert.Contains("not the service user nobody", stdout, StringComparison.Ordinal);
    }

    private static string? Owner(string path)
    {
        using var stat = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("stat", ["-c", "%u", path]) { RedirectStandardOutput = true })!;
        var text = stat.StandardOutput.ReadToEnd().Trim();
        stat.WaitForExit();
        return text;
    }
}
