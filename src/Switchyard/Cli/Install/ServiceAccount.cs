using System.Diagnostics;

namespace Switchyard.Cli.Install;

/// <summary>Users and the installed service, looked up without changing anything (<c>id</c>, the unit or plist file).</summary>
internal static class ServiceAccount
{
    /// <summary>The numeric uid of <paramref name="user"/> (from <c>id -u</c>), or null when there is no such user.</summary>
    public static string? Uid(string user)
    {
        var (code, output) = Capture("id", "-u", user);
        return code == 0 && output.Length > 0 ? output : null;
    }

    public static bool Exists(string user) => Uid(user) is not null;

    /// <summary>The name of the user's primary group (<c>id -gn</c>), or null when there is no such user.</summary>
    public static string? PrimaryGroup(string user)
    {
        var (code, output) = Capture("id", "-gn", user);
        return code == 0 && output.Length > 0 ? output : null;
    }

    /// <summary>
    /// The user the installed service runs as: <c>User=</c> in the systemd unit or <c>UserName</c> in the launchd
    /// plist that <c>switchyard install</c> writes; null when neither is installed.
    /// </summary>
    public static (string? User, string? Source) Installed()
    {
        foreach (var platform in new[] { ServiceLayout.Linux, ServiceLayout.MacOS })
        {
            var file = ServiceLayout.For(platform, null).UnitPath;
            if (!File.Exists(file))
            {
                continue;
            }

            var text = File.ReadAllText(file);
            var user = platform == ServiceLayout.Linux ? FromUnit(text) : FromPlist(text);
            if (user is not null)
            {
                return (user, file);
            }
        }

        return (null, null);
    }

    /// <summary>The last <c>User=</c> line of a systemd unit.</summary>
    public static string? FromUnit(string unit)
        => unit.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("User=", StringComparison.Ordinal)).Select(l => l[5..].Trim()).LastOrDefault(u => u.Length > 0);

    /// <summary>The <c>UserName</c> string of a launchd plist.</summary>
    public static string? FromPlist(string plist)
    {
        var key = plist.IndexOf("<key>UserName</key>", StringComparison.Ordinal);
        var start = key < 0 ? -1 : plist.IndexOf("<string>", key, StringComparison.Ordinal);
        var end = start < 0 ? -1 : plist.IndexOf("</string>", start, StringComparison.Ordinal);
        return end < 0 ? null : System.Net.WebUtility.HtmlDecode(plist[(start + 8)..end]).Trim();
    }

    /// <summary>Whether this process may change system folders and users.</summary>
    public static bool IsRoot => Environment.IsPrivilegedProcess;

    /// <summary>macOS: the first uid and gid from 400 that no user or group has (dscl).</summary>
    public static int FreeMacId()
    {
        var (_, users) = Capture("dscl", ".", "-list", "/Users", "UniqueID");
        var (_, groups) = Capture("dscl", ".", "-list", "/Groups", "PrimaryGroupID");
        var taken = (users + "\n" + groups).Split('\n').Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries).LastOrDefault())
            .Select(v => int.TryParse(v, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : -1).ToHashSet();
        return Enumerable.Range(400, 99).FirstOrDefault(id => !taken.Contains(id), 499);
    }

    private static (int Code, string Output) Capture(string program, params string[] args)
    {
        try
        {
            var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in args)
            {
                start.ArgumentList.Add(a);
            }

            using var process = Process.Start(start)!;
            var stderr = process.StandardError.ReadToEndAsync();
            var output = process.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit();
            _ = stderr.Result;
            return (process.ExitCode, output);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException)
        {
            return (-1, "");
        }
    }
}
