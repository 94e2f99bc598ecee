using YamlDotNet.RepresentationModel;

namespace Switchyard.Core.Config;

/// <summary>
/// Resolves secret references: <c>os.environ/NAME</c> (environment, with the file's environment_variables
/// taking precedence, as LiteLLM sets them into the process environment) and <c>file:PATH</c> (the first line of a
/// file that is neither blank nor a # comment, see <see cref="TokenFile"/>; relative paths from the config file's folder). Anything else is a literal.
/// </summary>
internal sealed class SecretResolver(Func<string, string?> environment, IReadOnlyDictionary<string, string> fileEnvironment, string baseDirectory)
{
    public const string EnvPrefix = "os.environ/";
    public const string FilePrefix = "file:";

    /// <summary>Every secret file the config referred to (for doctor's permission checks).</summary>
    public List<string> FilesRead { get; } = [];

    /// <summary>Every value read from outside the file, for <see cref="GatewayConfig.ConfigHash"/>.</summary>
    public ConfigFingerprint Fingerprint { get; } = new();
    /// <summary>Every value read from an environment variable or a file, so renderings of the config can hide them.</summary>
    public HashSet<string> ValuesRead { get; } = new(StringComparer.Ordinal);

    public static bool IsReference(string value) => value.StartsWith(EnvPrefix, StringComparison.Ordinal) || value.StartsWith(FilePrefix, StringComparison.Ordinal);

    /// <summary>Returns the value, or null with a reason when the reference cannot be resolved.</summary>
    public string? Resolve(string value, out string? missingReason)
    {
        missingReason = null;
        if (value.StartsWith(EnvPrefix, StringComparison.Ordinal))
        {
            var name = value[EnvPrefix.Length..];
            var v = Variable(name);
            if (string.IsNullOrEmpty(v))
            {
                missingReason = MissingReason(name);
                return null;
            }

            ValuesRead.Add(v);
            return v;
        }

        if (value.StartsWith(FilePrefix, StringComparison.Ordinal))
        {
            var path = ResolvePath(value[FilePrefix.Length..]);
            FilesRead.Add(path);
            try
            {
                var secret = TokenFile.Parse(File.ReadAllText(path));
                if (secret is null)
                {
                    Fingerprint.File(path, "");
                    missingReason = $"secret file {path} is empty (only blank or # comment lines)";
                    return null;
                }

                Fingerprint.File(path, secret);
                ValuesRead.Add(secret);
                return secret;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Fingerprint.File(path, null);
                missingReason = $"secret file {path} cannot be read ({e.GetType().Name})";
                return null;
            }
        }

        return value;
    }

    /// <summary>
    /// An environment variable as the config sees it: the file's environment_variables first (LiteLLM sets them into the
    /// process environment), then the process's. An empty value counts as not set.
    /// </summary>
    public string? Variable(string name)
    {
        var v = fileEnvironment.TryGetValue(name, out var f) ? f : environment(name);
        if (string.IsNullOrEmpty(v))
        {
            v = null;
        }

        Fingerprint.Environment(name, v);
        return v;
    }

    /// <summary>
    /// Why <c>os.environ/NAME</c> has no value: not set at all, set empty in the process environment, or set to an empty
    /// value by the file's environment_variables (which override the process environment, as in LiteLLM).
    /// </summary>
    public string MissingReason(string name)
    {
        if (fileEnvironment.TryGetValue(name, out var f) && f.Length == 0)
        {
            return environment(name) is { Length: > 0 }
                ? $"environment variable {name} is set to an empty value by environment_variables (which overrides the value the process has)"
                : $"environment variable {name} is set to an empty value by environment_variables";
        }

        return environment(name) is null ? $"environment variable {name} is not set" : $"environment variable {name} is set but empty";
    }

    /// <summary>Resolves a reference that must resolve: a missing one is an error at <paramref name="path"/>.</summary>
    public string? ResolveOrError(YamlWalker w, string? raw, string path, YamlNode node)
    {
        if (raw is null)
        {
            return null;
        }

        var v = Resolve(raw, out var reason);
        if (v is null)
        {
            w.Error(path, node, reason!);
        }

        return v;
    }

    public string ResolvePath(string path)
    {
        if (path.StartsWith("~/", StringComparison.Ordinal))
        {
            path = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path[2..]);
        }

        return Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(baseDirectory, path));
    }
}
