using System.Reflection;

namespace Switchyard.Hosting;

/// <summary>This build's version as reported on /health/readiness (the assembly's informational version: x.y.z+commit).</summary>
public static class GatewayVersion
{
    public static string Current { get; } =
        typeof(GatewayVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
}
