namespace Switchyard.Cli.Doctor;

/// <summary>One doctor finding: a stable id, a severity (error, warn, info), what was found and how to fix it.</summary>
public sealed record Finding(string Id, string Severity, string Message, string Fix)
{
    public const string Error = "error";
    public const string Warn = "warn";
    public const string Info = "info";
}
