using System.Security;
using System.Text;

namespace Switchyard.Cli.Install;

/// <summary>
/// The launchd daemon for macOS (/Library/LaunchDaemons): run as the service user at boot, restarted when it exits
/// with an error, umask 077, output to a log file of its own. launchd has no environment file, so provider keys go in
/// the config (environment_variables, or file: references), which is 0600 and the service user's.
/// </summary>
internal static class LaunchdPlist
{
    public static string Render(ServiceLayout layout)
    {
        var s = new StringBuilder();
        s.Append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        s.Append("<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n");
        s.Append("<!-- Written by switchyard install; switchyard uninstall removes it. -->\n");
        s.Append("<plist version=\"1.0\">\n<dict>\n");
        Key(s, "Label").Append(Str(ServiceLayout.Label)).Append('\n');
        Key(s, "ProgramArguments").Append("<array>\n");
        foreach (var arg in layout.Command)
        {
            s.Append("    ").Append(Str(arg)).Append('\n');
        }

        s.Append("  </array>\n");
        Key(s, "UserName").Append(Str(layout.User)).Append('\n');
        Key(s, "GroupName").Append(Str(layout.Group)).Append('\n');
        Key(s, "WorkingDirectory").Append(Str(layout.DataDir)).Append('\n');
        Key(s, "EnvironmentVariables").Append("<dict>\n");
        foreach (var (name, value) in new[] { ("HOME", layout.DataDir), ("DOTNET_BUNDLE_EXTRACT_BASE_DIR", layout.DataDir + "/.net"), ("DOTNET_CLI_TELEMETRY_OPTOUT", "1") })
        {
            s.Append("    <key>").Append(SecurityElement.Escape(name)).Append("</key>").Append(Str(value)).Append('\n');
        }

        s.Append("  </dict>\n");
        Key(s, "RunAtLoad").Append("<true/>\n");
        Key(s, "KeepAlive").Append("<dict>\n    <key>SuccessfulExit</key><false/>\n  </dict>\n");
        Key(s, "ThrottleInterval").Append("<integer>5</integer>\n");
        Key(s, "Umask").Append("<integer>63</integer>\n"); // 077
        Key(s, "SoftResourceLimits").Append("<dict>\n    <key>NumberOfFiles</key><integer>65536</integer>\n  </dict>\n");
        Key(s, "StandardOutPath").Append(Str(layout.LogDir + "/switchyard.log")).Append('\n');
        Key(s, "StandardErrorPath").Append(Str(layout.LogDir + "/switchyard.log")).Append('\n');
        s.Append("</dict>\n</plist>\n");
        return s.ToString();
    }

    private static StringBuilder Key(StringBuilder s, string key) => s.Append("  <key>").Append(key).Append("</key>");

    private static string Str(string value) => "<string>" + SecurityElement.Escape(value) + "</string>";
}
