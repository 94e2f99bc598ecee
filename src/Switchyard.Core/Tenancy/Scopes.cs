namespace Switchyard.Core.Tenancy;

/// <summary>Token scopes. Inference routes need invoke; admin routes need admin.</summary>
public static class Scopes
{
    public const string Invoke = "invoke";
    public const string HealthRead = "health:read";
    public const string UsageRead = "usage:read";
    public const string Admin = "admin";

    public static readonly IReadOnlyList<string> All = [Invoke, HealthRead, UsageRead, Admin];

    public static bool IsKnown(string scope) => All.Contains(scope);
}
