using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Switchyard.Cli.Install;

/// <summary>
/// What the installer must know of a config file without loading it (loading would create a master key file for
/// whoever runs the installer): the secret files it refers to (<c>file:</c> values), the master key file, the store
/// and spend journal paths, and the environment variables it reads (<c>os.environ/NAME</c>).
/// </summary>
internal sealed record ConfigReferences
{
    public IReadOnlyList<string> SecretFiles { get; init; } = [];

    public string? MasterKeyFile { get; init; }

    public string? SqlitePath { get; init; }

    public string? JournalPath { get; init; }

    public IReadOnlyList<string> EnvironmentVariables { get; init; } = [];

    /// <summary>The references in <paramref name="yaml"/>, or the reason the text is not YAML.</summary>
    public static (ConfigReferences? References, string? Error) Read(string yaml)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            return (null, $"line {e.Start.Line}: {e.Message}");
        }

        var files = new List<string>();
        var env = new List<string>();
        foreach (var scalar in stream.Documents.SelectMany(d => d.AllNodes).OfType<YamlScalarNode>())
        {
            var v = scalar.Value ?? "";
            if (v.StartsWith("file:", StringComparison.Ordinal) && v.Length > 5)
            {
                files.Add(v[5..]);
            }
            else if (v.StartsWith("os.environ/", StringComparison.Ordinal) && v.Length > 11)
            {
                env.Add(v[11..]);
            }
        }

        var root = stream.Documents.Count > 0 ? stream.Documents[0].RootNode as YamlMappingNode : null;
        return (new ConfigReferences
        {
            SecretFiles = files.Distinct(StringComparer.Ordinal).ToArray(),
            EnvironmentVariables = env.Distinct(StringComparer.Ordinal).ToArray(),
            MasterKeyFile = Scalar(root, "switchyard", "master_key_file"),
            SqlitePath = Scalar(root, "switchyard", "store", "sqlite_path"),
            JournalPath = Scalar(root, "switchyard", "spend", "journal"),
        }, null);
    }

    private static string? Scalar(YamlMappingNode? node, params string[] path)
    {
        YamlNode? current = node;
        foreach (var key in path)
        {
            if (current is not YamlMappingNode map || !map.Children.TryGetValue(new YamlScalarNode(key), out current))
            {
                return null;
            }
        }

        return current is YamlScalarNode { Value: { Length: > 0 } v } ? v : null;
    }
}
