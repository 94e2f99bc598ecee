using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Switchyard.Core.Tenancy;
using Switchyard.Hosting;

namespace Switchyard.Dashboard;

/// <summary>
/// The dashboard's session cookie <c>sy_session</c>: <c>v1.&lt;payload&gt;.&lt;mac&gt;</c>, the payload naming the
/// signed-in token's hash (for a master key, a MAC of its hash), issue and expiry times and a random session id;
/// the MAC is HMAC-SHA256 under a secret derived (HKDF) from the first master key, so every replica with the same
/// config accepts it, or a random per-process secret when there is no master key. It never holds a token; whether the
/// key still works is checked against the live directory on every request (<see cref="Tenancy.Authenticator"/>).
/// </summary>
public sealed class SessionCookie(GatewayState state, TimeProvider time)
{
    public const string Name = "sy_session";

    public const string CsrfHeader = "X-CSRF-Token";

    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(8);

    private static readonly byte[] Info = "switchyard dashboard session v1"u8.ToArray();

    private readonly byte[] _processSecret = RandomNumberGenerator.GetBytes(32);

    private (byte[]? Master, byte[] Secret) _derived;

    /// <summary>A new session for the token whose hash is <paramref name="hash"/>: the cookie value and its claims.</summary>
    public (string Value, SessionClaims Claims) Issue(TokenHash hash)
    {
        var now = time.GetUtcNow();
        var claims = new SessionClaims(hash, now, now + Lifetime, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)));
        var payload = string.Create(CultureInfo.InvariantCulture, $"{Subject(hash)}.{claims.IssuedAt.ToUnixTimeSeconds()}.{claims.ExpiresAt.ToUnixTimeSeconds()}.{claims.SessionId}");
        var encoded = Base64Url(Encoding.ASCII.GetBytes(payload));
        return ("v1." + encoded + "." + Base64Url(Mac("v1." + encoded)), claims);
    }

    /// <summary>The claims of a cookie whose MAC holds and which has not expired; null otherwise.</summary>
    public SessionClaims? Verify(string cookie)
    {
        var parts = cookie.Split('.');
        if (parts.Length != 3 || parts[0] != "v1" || parts[1].Length > 400 || parts[2].Length > 100)
        {
            return null;
        }

        var expected = Mac("v1." + parts[1]);
        byte[] given;
        byte[] payload;
        try
        {
            given = FromBase64Url(parts[2]);
            payload = FromBase64Url(parts[1]);
        }
        catch (FormatException)
        {
            return null;
        }

        if (!CryptographicOperations.FixedTimeEquals(expected, given))
        {
            return null;
        }

        var fields = Encoding.ASCII.GetString(payload).Split('.');
        if (fields.Length != 4 || FromSubject(fields[0]) is not { } hash
            || !long.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var issued)
            || !long.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var expires))
        {
            return null;
        }

        var claims = new SessionClaims(hash, DateTimeOffset.FromUnixTimeSeconds(issued), DateTimeOffset.FromUnixTimeSeconds(expires), fields[3]);
        return claims.ExpiresAt > time.GetUtcNow() ? claims : null;
    }

    /// <summary>The session's CSRF token: HMAC of its session id, so it needs no storage and dies with the session.</summary>
    public string CsrfToken(SessionClaims claims) => Base64Url(Mac("csrf." + claims.SessionId));

    /// <summary>Whether <paramref name="given"/> is the session's CSRF token (constant time).</summary>
    public bool CsrfMatches(SessionClaims claims, string given)
        => CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(CsrfToken(claims)), Encoding.ASCII.GetBytes(given));

    /// <summary>The Set-Cookie options: HttpOnly, SameSite=Strict, Path=/, Secure over TLS.</summary>
    public static CookieOptions Options(HttpRequest request, DateTimeOffset? expires) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Path = "/",
        Secure = request.IsHttps,
        Expires = expires,
        MaxAge = expires is null ? null : Lifetime,
        IsEssential = true,
    };

    /// <summary>
    /// Whom the cookie names: a key by its hash (its public id), but a master key by a MAC of its hash, never the hash
    /// itself: the session secret is derived from the master key's hash, so a cookie must not carry it.
    /// </summary>
    private string Subject(TokenHash hash)
    {
        foreach (var master in state.Current.MasterKeyHashes)
        {
            if (TokenHash.FromBytes(master) == hash)
            {
                return MasterSubject(master);
            }
        }

        return hash.ToHex();
    }

    private TokenHash? FromSubject(string subject)
    {
        if (subject.StartsWith('m'))
        {
            foreach (var master in state.Current.MasterKeyHashes)
            {
                if (CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(MasterSubject(master)), Encoding.ASCII.GetBytes(subject)))
                {
                    return TokenHash.FromBytes(master);
                }
            }

            return null; // a master key no longer configured: the session ends with it
        }

        return TokenHash.TryParse(subject, out var hash) ? hash : null;
    }

    private string MasterSubject(byte[] masterHash) => "m" + Convert.ToHexStringLower(Mac("master." + Convert.ToHexStringLower(masterHash)), 0, 16);

    private byte[] Mac(string text) => HMACSHA256.HashData(Secret(), Encoding.ASCII.GetBytes(text));

    private byte[] Secret()
    {
        var hashes = state.Current.MasterKeyHashes;
        var master = hashes.Length > 0 ? hashes[0] : null;
        var current = _derived;
        if (current.Secret is not null && ReferenceEquals(current.Master, master))
        {
            return current.Secret;
        }

        var secret = master is null ? _processSecret : HKDF.DeriveKey(HashAlgorithmName.SHA256, master, 32, salt: [], info: Info);
        _derived = (master, secret);
        return secret;
    }

    private static string Base64Url(byte[] bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);

    private static byte[] FromBase64Url(string text) => System.Buffers.Text.Base64Url.DecodeFromChars(text);
}

/// <summary>What a session cookie says: whose token (by hash), when it was issued and ends, and its random id.</summary>
public sealed record SessionClaims(TokenHash Hash, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt, string SessionId);
