using System.Security.Cryptography;
using System.Text;

namespace Switchyard.Core.Config;

/// <summary>
/// The hash of a config file's text alone (<c>sha256:</c> and 64 hex digits), computed in this one place for the
/// gateway (<see cref="GatewayConfig.SourceFileHash"/>, shown by <c>GET /config</c> and readiness) and for doctor (the file
/// on disk): equal means the live config was loaded from the file as it is now. Unlike the replicas' config hash it
/// leaves the environment out, so a shell without the service's variables still compares equal.
/// </summary>
public static class ConfigFileHash
{
    public static string Of(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }
}
