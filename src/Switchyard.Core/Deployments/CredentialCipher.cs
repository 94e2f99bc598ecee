using System.Security.Cryptography;
using System.Text;

namespace Switchyard.Core.Deployments;

/// <summary>
/// Encrypts provider credentials of stored deployments at rest: AES-256-GCM with a fresh 96-bit nonce per value, written
/// as <c>sy-enc:v1:</c> and the base64 of nonce, ciphertext and 128-bit tag. The 256-bit key is derived with HKDF/SHA-256
/// from the operator's encryption key (switchyard.store.encryption_key, SWITCHYARD_ENCRYPTION_KEY or LITELLM_SALT_KEY),
/// which is never written to the store.
/// </summary>
public sealed class CredentialCipher
{
    public const string Prefix = "sy-enc:v1:";

    private const int NonceSize = 12;
    private const int TagSize = 16;

    private static readonly byte[] Salt = "switchyard stored credentials"u8.ToArray();
    private static readonly byte[] Info = "sy-enc:v1 aes-256-gcm"u8.ToArray();

    private readonly byte[] _key;

    public CredentialCipher(string secret)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        _key = HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(secret), 32, Salt, Info);
    }

    public static bool IsEncrypted(string? value) => value is not null && value.StartsWith(Prefix, StringComparison.Ordinal);

    public string Encrypt(string plain)
    {
        ArgumentNullException.ThrowIfNull(plain);
        var text = Encoding.UTF8.GetBytes(plain);
        var blob = new byte[NonceSize + text.Length + TagSize];
        var nonce = blob.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, text, blob.AsSpan(NonceSize, text.Length), blob.AsSpan(NonceSize + text.Length, TagSize));
        return Prefix + Convert.ToBase64String(blob);
    }

    /// <summary>The clear value, or false when <paramref name="value"/> is malformed or was encrypted with another key.</summary>
    public bool TryDecrypt(string value, out string plain)
    {
        plain = "";
        if (!IsEncrypted(value))
        {
            return false;
        }

        byte[] blob;
        try
        {
            blob = Convert.FromBase64String(value[Prefix.Length..]);
        }
        catch (FormatException)
        {
            return false;
        }

        if (blob.Length < NonceSize + TagSize)
        {
            return false;
        }

        var length = blob.Length - NonceSize - TagSize;
        var text = new byte[length];
        try
        {
            using var aes = new AesGcm(_key, TagSize);
            aes.Decrypt(blob.AsSpan(0, NonceSize), blob.AsSpan(NonceSize, length), blob.AsSpan(NonceSize + length, TagSize), text);
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }

        plain = Encoding.UTF8.GetString(text);
        return true;
    }
}
