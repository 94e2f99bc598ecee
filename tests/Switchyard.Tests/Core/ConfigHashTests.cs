using System.Security.Cryptography;
using System.Text;
using Switchyard.Core.Config;

namespace Switchyard.Tests.Core;

/// <summary>The live config's hash: equal for the same file and environment, different for any change, and no secret in it.</summary>
public sealed class ConfigHashTests : IDisposable
{
    private const string Yaml = """
        model_list:
          - model_name: a
            litellm_params:
              model: openai/gpt-4o-mini
              api_key: os.environ/OPENAI_API_KEY
              api_base: http://127.0.0.1:9/v1
        general_settings:
          master_key: os.environ/SY_MASTER_KEY
        """;

    private readonly string _dir = Directory.CreateTempSubdirectory("switchyard-hash-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string yaml)
    {
        var path = Path.Combine(_dir, "config.yaml");
        File.WriteAllText(path, yaml);
        return path;
    }

    private static Func<string, string?> Env(params (string Name, string Value)[] vars)
        => n => vars.FirstOrDefault(v => v.Name == n).Value;

    private static readonly Func<string, string?> Base = Env(("OPENAI_API_KEY", "sk-openai-secret-1"), ("SY_MASTER_KEY", "sk-master-secret-1"));

    [Fact]
    public void SameFileSameEnvironment_SameHashOnEveryLoad()
    {
        var path = Write(Yaml);

        var first = ConfigLoader.LoadFile(path, Base).ConfigHash;
        var second = ConfigLoader.LoadFile(path, Env(("SY_MASTER_KEY", "sk-master-secret-1"), ("OPENAI_API_KEY", "sk-openai-secret-1"), ("UNRELATED", "x"))).ConfigHash;

        Assert.NotNull(first);
        Assert.Matches("^sha256:[0-9a-f]{64}$", first);
        Assert.Equal(first, second);
    }

    [Fact]
    public void FileChanged_HashChanges()
    {
        var before = ConfigLoader.LoadFile(Write(Yaml), Base).ConfigHash;

        var after = ConfigLoader.LoadFile(Write(Yaml.Replace("gpt-4o-mini", "gpt-4o", StringComparison.Ordinal)), Base).ConfigHash;

        Assert.NotEqual(before, after);
    }

    [Fact]
    public void ReferencedSecretChanged_HashChanges_WithoutTheSecretInIt()
    {
        var path = Write(Yaml);

        var one = ConfigLoader.LoadFile(path, Base).ConfigHash;
        var other = ConfigLoader.LoadFile(path, Env(("OPENAI_API_KEY", "sk-openai-secret-2"), ("SY_MASTER_KEY", "sk-master-secret-1"))).ConfigHash;

        Assert.NotEqual(one, other);
        foreach (var secret in new[] { "sk-openai-secret-1", "sk-master-secret-1" })
        {
            Assert.DoesNotContain(secret, one, StringComparison.Ordinal);
            Assert.DoesNotContain(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret))), one, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void ReferencedVariableSetOnOneReplicaOnly_HashesDiffer()
    {
        var path = Write(Yaml);

        var set = ConfigLoader.LoadFile(path, Base).ConfigHash;
        var unset = ConfigLoader.LoadFile(path, Env(("SY_MASTER_KEY", "sk-master-secret-1"))).ConfigHash;

        Assert.NotEqual(set, unset);
    }

    [Fact]
    public void DatabaseUrlFromTheEnvironment_PartOfTheHash()
    {
        var path = Write(Yaml);

        var a = ConfigLoader.LoadFile(path, Env(("OPENAI_API_KEY", "k"), ("SY_MASTER_KEY", "sk-master-secret-1"), ("DATABASE_URL", "postgresql://db-a/sy"))).ConfigHash;
        var b = ConfigLoader.LoadFile(path, Env(("OPENAI_API_KEY", "k"), ("SY_MASTER_KEY", "sk-master-secret-1"), ("DATABASE_URL", "postgresql://db-b/sy"))).ConfigHash;

        Assert.NotEqual(a, b);
    }

    [Fact]
    public void SecretFileChanged_HashChanges()
    {
        var secretFile = Path.Combine(_dir, "openai.key");
        File.WriteAllText(secretFile, "sk-from-file-1\n");
        var path = Write(Yaml.Replace("os.environ/OPENAI_API_KEY", "file:openai.key", StringComparison.Ordinal));

        var before = ConfigLoader.LoadFile(path, Base).ConfigHash;
        File.WriteAllText(secretFile, "sk-from-file-2\n");
        var after = ConfigLoader.LoadFile(path, Base).ConfigHash;

        Assert.NotEqual(before, after);
    }

    [Fact]
    public void ConfigBuiltInCode_HasNoHash()
    {
        Assert.Null(new GatewayConfig().ConfigHash);
    }
}
