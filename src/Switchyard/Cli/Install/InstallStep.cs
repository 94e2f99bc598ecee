namespace Switchyard.Cli.Install;

/// <summary>One thing <c>switchyard install</c> or <c>uninstall</c> does; <c>--dry-run</c> prints <see cref="Describe"/> for each instead.</summary>
internal abstract record InstallStep
{
    public abstract string Describe();
}

/// <summary>Something to tell the operator; changes nothing.</summary>
internal sealed record NoteStep(string Text) : InstallStep
{
    public override string Describe() => "note:  " + Text;
}

/// <summary>A command to run (useradd, systemctl, launchctl, ...).</summary>
internal sealed record RunStep(IReadOnlyList<string> Command) : InstallStep
{
    public override string Describe() => "run:   " + string.Join(' ', Command.Select(a => a.Contains(' ', StringComparison.Ordinal) || a.Length == 0 ? "'" + a + "'" : a));
}

/// <summary>A folder with its mode and owner (created when missing, mode and owner set either way).</summary>
internal sealed record DirectoryStep(string Path, UnixFileMode Mode, string Owner) : InstallStep
{
    public override string Describe() => $"mkdir: {Path} ({InstallModes.Octal(Mode)} {Owner})";
}

/// <summary>The program's files copied from where this executable runs to the app folder.</summary>
internal sealed record CopyStep(string From, string To, int Files) : InstallStep
{
    public override string Describe() => $"copy:  {From} -> {To} ({Files} files, 0755 root)";
}

/// <summary>
/// A file written with its mode and owner. A secret's content is never printed (<see cref="What"/> says what it is); <see cref="KeepExisting"/> leaves a
/// file that is already there (an operator's edited config, an existing master key) as it is.
/// </summary>
internal sealed record WriteStep(string Path, string Content, UnixFileMode Mode, string Owner, bool Secret = false, bool KeepExisting = false, string? What = null) : InstallStep
{
    public override string Describe()
    {
        var head = $"write: {Path} ({InstallModes.Octal(Mode)} {Owner}){(KeepExisting ? ", unless it exists" : "")}";
        if (Secret)
        {
            return head + ": " + (What ?? "a secret, not shown");
        }

        return head + (What is null ? "" : ": " + What) + "\n" + string.Join("\n", Content.TrimEnd('\n').Split('\n').Select(l => "    | " + l));
    }
}

/// <summary>An existing secret file handed to the service user: owner and mode set, content untouched.</summary>
internal sealed record OwnStep(string Path, UnixFileMode Mode, string Owner) : InstallStep
{
    public override string Describe() => $"own:   {Path} ({InstallModes.Octal(Mode)} {Owner})";
}

/// <summary>A file or folder removed (uninstall).</summary>
internal sealed record RemoveStep(string Path) : InstallStep
{
    public override string Describe() => "rm:    " + Path;
}

internal static class InstallModes
{
    public const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    public const UnixFileMode PrivateDir = Private | UnixFileMode.UserExecute;
    public const UnixFileMode Public = Private | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    public const UnixFileMode PublicDir = PrivateDir | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    public static string Octal(UnixFileMode mode) => "0" + Convert.ToString((int)mode, 8);
}
