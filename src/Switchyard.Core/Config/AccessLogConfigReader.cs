using YamlDotNet.RepresentationModel;

namespace Switchyard.Core.Config;

/// <summary>Reads switchyard.access_log: on/off, destination, exclusions, 2xx sampling and file rotation.</summary>
internal static class AccessLogConfigReader
{
    private const string Section = "switchyard.access_log";
    private static readonly HashSet<string> Keys = ["enabled", "path", "format", "exclude_paths", "sample_2xx", "max_file_mb", "max_files"];

    public static AccessLogSettings Read(YamlWalker w, YamlNode? node, SecretResolver secrets)
    {
        var s = new AccessLogSettings();
        foreach (var (k, v, p) in w.Entries(w.Mapping(node, Section), Section, Keys))
        {
            switch (k)
            {
                case "enabled":
                    s = s with { Enabled = w.Bool(v, p) ?? s.Enabled };
                    break;
                case "path":
                    if (w.String(v, p) is { Length: > 0 } path)
                    {
                        s = s with { Path = path is "stdout" or "stderr" ? path : secrets.ResolvePath(path) };
                    }

                    break;
                case "format":
                    if (w.String(v, p) is { } format && format != "json")
                    {
                        w.Error(p, v, $"must be json, got '{format}'");
                    }

                    break;
                case "exclude_paths":
                    if (w.StringList(v, p) is { } paths)
                    {
                        foreach (var bad in paths.Where(x => !x.StartsWith('/')))
                        {
                            w.Error(p, v, $"'{bad}' is not a path (it must start with /)");
                        }

                        s = s with { ExcludePaths = paths };
                    }

                    break;
                case "sample_2xx":
                    s = s with { SampleSuccess = w.Number(v, p, 0, 1) ?? s.SampleSuccess };
                    break;
                case "max_file_mb":
                    s = s with { MaxFileBytes = (w.Int(v, p, 1, 1_000_000) ?? (int)(s.MaxFileBytes / (1024 * 1024))) * 1024L * 1024 };
                    break;
                default:
                    s = s with { MaxFiles = w.Int(v, p, 1, 1000) ?? s.MaxFiles };
                    break;
            }
        }

        return s;
    }
}
