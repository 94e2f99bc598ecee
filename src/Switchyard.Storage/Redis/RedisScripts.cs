namespace Switchyard.Storage.Redis;

/// <summary>The Lua scripts embedded next to this file (Switchyard.Storage.csproj).</summary>
internal static class RedisScripts
{
    public static string Load(string name)
    {
        using var stream = typeof(RedisScripts).Assembly.GetManifestResourceStream($"Switchyard.Storage.Redis.{name}")
            ?? throw new InvalidOperationException($"the embedded script {name} is missing");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
