using Switchyard.Core.Config;
using Switchyard.Core.Deployments;

namespace Switchyard.Tests.Unit;

/// <summary>AES-256-GCM credentials at rest: a fresh nonce per value, and a value only its own key opens, untampered.</summary>
public sealed class CredentialCipherTests
{
    private const string Secret = "sk-provider-credential-0001";

    [Fact]
    public void Encrypt_SameValueTwice_DiffersAndDecryptsBack()
    {
        var cipher = new CredentialCipher("unit-test-encryption-key-0001");
        var a = cipher.Encrypt(Secret);
        var b = cipher.Encrypt(Secret);

        Assert.StartsWith(CredentialCipher.Prefix, a, StringComparison.Ordinal);
        Assert.NotEqual(a, b);
        Assert.DoesNotContain(Secret, a, StringComparison.Ordinal);
        Assert.True(cipher.TryDecrypt(a, out var clear));
        Assert.Equal(Secret, clear);
        Assert.True(new CredentialCipher("unit-test-encryption-key-0001").TryDecrypt(b, out var again)); // the key is derived, not random
        Assert.Equal(Secret, again);
    }

    [Fact]
    public void TryDecrypt_OtherKeyTamperedOrMalformed_IsFalse()
    {
        var value = new CredentialCipher("unit-test-encryption-key-0001").Encrypt(Secret);
        var blob = Convert.FromBase64String(value[CredentialCipher.Prefix.Length..]);
        blob[14] ^= 1;
        var tampered = CredentialCipher.Prefix + Convert.ToBase64String(blob);
        var cipher = new CredentialCipher("unit-test-encryption-key-0001");

        Assert.False(new CredentialCipher("unit-test-encryption-key-0002").TryDecrypt(value, out _));
        Assert.False(cipher.TryDecrypt(tampered, out _));
        Assert.False(cipher.TryDecrypt(CredentialCipher.Prefix + "not base64!", out _));
        Assert.False(cipher.TryDecrypt(CredentialCipher.Prefix + "AAAA", out _));
        Assert.False(cipher.TryDecrypt(Secret, out _));
    }

    [Fact]
    public void ConfigLoader_EncryptionKey_ShortIsAnError_ReferenceIsResolvedAndHiddenFromRenderings()
    {
        const string Models = "model_list:\n  - model_name: chat\n    litellm_params: { model: mock/chat }\n";
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load(Models + "switchyard:\n  store:\n    encryption_key: short\n", "."));
        Assert.Contains(e.Errors, d => d.Path == "switchyard.store.encryption_key" && d.Message.Contains("at least 16", StringComparison.Ordinal));

        var env = new Dictionary<string, string> { ["MY_KEY"] = "a-key-from-the-environment-0001" };
        var config = ConfigLoader.Load(Models + "switchyard:\n  store:\n    encryption_key: os.environ/MY_KEY\n", ".", n => env.GetValueOrDefault(n));
        Assert.Equal(("a-key-from-the-environment-0001", "switchyard.store.encryption_key"), (config.Store.EncryptionKey, config.Store.EncryptionKeySource));
        var shown = System.Text.Encoding.UTF8.GetString(Switchyard.Operations.EffectiveConfig.Render(config));
        Assert.DoesNotContain("a-key-from-the-environment-0001", shown, StringComparison.Ordinal);
        Assert.Contains("\"encryption_key\": \"[redacted]\"", shown, StringComparison.Ordinal);
    }
}
