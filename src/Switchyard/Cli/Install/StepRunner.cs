using System.Diagnostics;

namespace Switchyard.Cli.Install;

/// <summary>
/// Carries out install steps in order, each on one line of <paramref name="log"/>; the first failure stops the run
/// (what ran before it stays, and <paramref name="errors"/> says so). With a staging <c>root</c> every path is written under that folder and no
/// command runs (the planner plans none then).
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
internal sealed class StepRunner(TextWriter log, TextWriter errors, string? root)
{
    public int Run(IReadOnlyList<InstallStep> steps)
    {
        for (var i = 0; i < steps.Count; i++)
        {
            var step = steps[i];
            try
            {
                var done = Apply(step);
                log.WriteLine(done ?? step.Describe().Split('\n')[0]);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                errors.WriteLine($"switchyard: step {i + 1} of {steps.Count} failed: {step.Describe().Split('\n')[0]}: {e.Message}");
                errors.WriteLine(i == 0 ? "switchyard: nothing was changed" : $"switchyard: the {i} step(s) before it were done; fix the cause and run the command again (it is safe to repeat)");
                return 1;
            }
        }

        return 0;
    }

    /// <summary>Does the step; returns what to print when it differs from the plan (a kept file).</summary>
    private string? Apply(InstallStep step)
    {
        switch (step)
        {
            case NoteStep:
                return null;
            case RunStep r:
                Exec(r.Command);
                return null;
            case DirectoryStep d:
                Directory.CreateDirectory(At(d.Path));
                File.SetUnixFileMode(At(d.Path), d.Mode);
                Chown(d.Path, d.Owner);
                return null;
            case CopyStep c:
                Copy(c.From, At(c.To));
                return null;
            case WriteStep w when w.KeepExisting && File.Exists(At(w.Path)):
                File.SetUnixFileMode(At(w.Path), w.Mode);
                Chown(w.Path, w.Owner);
                return $"keep:  {w.Path} exists; kept ({InstallModes.Octal(w.Mode)} {w.Owner})";
            case WriteStep w:
                Write(At(w.Path), w.Content, w.Mode);
                Chown(w.Path, w.Owner);
                return null;
            case OwnStep o:
                File.SetUnixFileMode(At(o.Path), o.Mode);
                Chown(o.Path, o.Owner);
                return null;
            case RemoveStep rm when Directory.Exists(At(rm.Path)):
                Directory.Delete(At(rm.Path), recursive: true);
                return null;
            case RemoveStep rm when File.Exists(At(rm.Path)):
                File.Delete(At(rm.Path));
                return null;
            case RemoveStep rm:
                return $"rm:    {rm.Path} is not there";
            default:
                throw new InvalidOperationException("unknown step " + step.GetType().Name);
        }
    }

    private string At(string path) => root is null ? path : Path.Combine(root, path.TrimStart('/'));

    /// <summary>Written to a temporary file created with the final mode, then moved over: never readable by others, never half written.</summary>
    private static void Write(string path, string content, UnixFileMode mode)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = path + ".switchyard-install";
        using (var stream = new FileStream(temp, new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = mode }))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(content);
        }

        File.SetUnixFileMode(temp, mode);
        File.Move(temp, path, overwrite: true);
    }

    private static void Copy(string from, string to)
    {
        foreach (var dir in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories).Prepend(from))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, dir));
            Directory.CreateDirectory(target);
            File.SetUnixFileMode(target, InstallModes.PublicDir);
        }

        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)), overwrite: true);
        }
    }

    private void Chown(string path, string owner) => Exec(["chown", owner, At(path)]);

    private static void Exec(IReadOnlyList<string> command)
    {
        var start = new ProcessStartInfo(command[0]) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in command.Skip(1))
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{command[0]} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        _ = stdout.Result;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{command[0]} exited {process.ExitCode}: {stderr.Trim()}");
        }
    }
}
