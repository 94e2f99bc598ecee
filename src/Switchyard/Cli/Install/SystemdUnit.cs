using System.Text;

namespace Switchyard.Cli.Install;

/// <summary>
/// The systemd unit: the service user, the config, reload on SIGHUP, and a sandbox that leaves the service its own
/// folders to write and nothing else (ProtectSystem=strict with ReadWritePaths, no new privileges, no capabilities).
/// MemoryDenyWriteExecute is left out: the .NET JIT writes code at run time.
/// </summary>
internal static class SystemdUnit
{
    public static string Render(ServiceLayout layout)
    {
        var writable = new[] { layout.DataDir, layout.ConfigDir }.Concat(layout.ExtraWritePaths).Distinct(StringComparer.Ordinal);
        var s = new StringBuilder();
        s.Append("# Written by switchyard install; switchyard uninstall removes it.\n");
        s.Append("[Unit]\n");
        s.Append("Description=Switchyard LLM gateway\n");
        s.Append("After=network-online.target\n");
        s.Append("Wants=network-online.target\n");
        s.Append('\n');
        s.Append("[Service]\n");
        s.Append("Type=exec\n");
        s.Append("User=").Append(layout.User).Append('\n');
        s.Append("Group=").Append(layout.Group).Append('\n');
        s.Append("ExecStart=").Append(string.Join(' ', layout.Command.Select(Quote))).Append('\n');
        s.Append("ExecReload=/bin/kill -HUP $MAINPID\n");
        s.Append("WorkingDirectory=").Append(Quote(layout.DataDir)).Append('\n');
        s.Append("Environment=HOME=").Append(layout.DataDir).Append('\n');
        s.Append("Environment=DOTNET_BUNDLE_EXTRACT_BASE_DIR=").Append(layout.DataDir).Append("/.net\n");
        s.Append("Environment=DOTNET_CLI_TELEMETRY_OPTOUT=1\n");
        s.Append("# provider keys (OPENAI_API_KEY=...), 0600 and owned by the service user\n");
        s.Append("EnvironmentFile=-").Append(layout.EnvFile).Append('\n');
        s.Append("Restart=on-failure\n");
        s.Append("RestartSec=2\n");
        s.Append("TimeoutStopSec=30\n");
        s.Append("UMask=0077\n");
        s.Append("LimitNOFILE=65536\n");
        s.Append('\n');
        s.Append("# sandbox: the service writes only its own folders\n");
        s.Append("NoNewPrivileges=true\n");
        s.Append("ProtectSystem=strict\n");
        s.Append("ReadWritePaths=").Append(string.Join(' ', writable.Select(Quote))).Append('\n');
        s.Append("ProtectHome=true\n");
        s.Append("PrivateTmp=true\n");
        s.Append("PrivateDevices=true\n");
        s.Append("ProtectKernelTunables=true\n");
        s.Append("ProtectKernelModules=true\n");
        s.Append("ProtectKernelLogs=true\n");
        s.Append("ProtectControlGroups=true\n");
        s.Append("ProtectClock=true\n");
        s.Append("ProtectHostname=true\n");
        s.Append("RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX\n");
        s.Append("RestrictNamespaces=true\n");
        s.Append("RestrictRealtime=true\n");
        s.Append("RestrictSUIDSGID=true\n");
        s.Append("LockPersonality=true\n");
        s.Append("SystemCallArchitectures=native\n");
        s.Append("CapabilityBoundingSet=\n");
        s.Append("AmbientCapabilities=\n");
        s.Append('\n');
        s.Append("[Install]\n");
        s.Append("WantedBy=multi-user.target\n");
        return s.ToString();
    }

    /// <summary>systemd's quoting: a word with a space or a quote goes in double quotes.</summary>
    private static string Quote(string word)
        => word.IndexOfAny([' ', '"', '\\', '\t']) < 0 ? word : "\"" + word.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
