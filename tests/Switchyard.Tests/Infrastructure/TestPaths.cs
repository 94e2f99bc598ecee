namespace Switchyard.Tests.Infrastructure;

public static class TestPaths
{
    /// <summary>The embedded default config as the build copies it next to the executable (and the tests).</summary>
    public static string DefaultConfig => Path.Combine(AppContext.BaseDirectory, "config", "default.yaml");
}
