using YamlDotNet.RepresentationModel;

namespace Switchyard.Core.Config;

/// <summary>Reads switchyard.server: where the gateway listens and how large a body it takes.</summary>
internal static class ServerConfigReader
{
    private static readonly HashSet<string> ServerKeys = ["host", "port", "max_body_bytes"];

    public static ServerSettings Read(YamlWalker w, YamlNode? node)
    {
        var s = new ServerSettings();
        foreach (var (k, v, p) in w.Entries(w.Mapping(node, "switchyard.server"), "switchyard.server", ServerKeys))
        {
            s = k switch
            {
                "host" => s with { Host = w.String(v, p) ?? s.Host },
                "port" => s with { Port = w.Int(v, p, 0, 65535) ?? s.Port },
                _ => s with { MaxBodyBytes = (long?)w.Number(v, p, 1024, 1L << 31) ?? s.MaxBodyBytes },
            };
        }

        return s;
    }
}
