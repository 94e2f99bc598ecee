using System.Security.Cryptography;
using System.Text;

namespace Switchyard.Core.Config;

/// <summary>
/// The hash of a live config (<see cref="GatewayConfig.ConfigHash"/>): the file's text plus every value the loader took
/// from outside it (environment variables, whether set or not, secret files, the master key file). Two replicas that
/// load the same file with the same environment get the same hash; any difference gives another. Values from outside
/// enter only as their own SHA-256, and the result is one SHA-256 over everything: it shows equality, never a value.
/// </summary>
internal sealed class ConfigFingerprint
{
    private const string Version = "switchyard-config-hash-v1";
    private readonly SortedDictionary<string, string> _inputs = new(StringComparer.Ordinal);

    /// <summary>An environment variable the config depends on; null when it is not set (which is part of the config too).</summary>
    public void Environment(string name, string? value) => _inputs["env:" + name] = Digest(value);

    /// <summary>A value read from a file (a file: secret, the master key file); null when it could not be read.</summary>
    public void File(string path, string? value) => _inputs["file:" + path] = Digest(value);

    /// <summary><c>sha256:</c> and 64 hex digits.</summary>
    public string Compute(string yaml)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Append(hash, Version);
        Append(hash, yaml);
        foreach (var (name, digest) in _inputs)
        {
            Append(hash, name);
            Append(hash, digest);
        }

        return "sha256:" + Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static string Digest(string? value)
        => value is null ? "unset" : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));

    /// <summary>Length-prefixed, so that no two different input lists run together into the same bytes.</summary>
    private static void Append(IncrementalHash hash, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        hash.AppendData(BitConverter.GetBytes(bytes.Length));
        hash.AppendData(bytes);
    }
}
