using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Switchyard.Core.Config;
using Switchyard.Core.Failures;

namespace Switchyard.Auth;

/// <summary>
/// Master-key authentication: the key comes as <c>Authorization: Bearer</c>, <c>api-key</c> or <c>x-api-key</c>;
/// it is compared by SHA-256 hash in constant time against every active key (several during a rotation).
/// </summary>
public static class MasterKeyAuth
{
    public static FailureSummary? Check(HttpContext context, AuthSettings auth, ReadOnlySpan<byte[]> keyHashes)
    {
        var presented = Presented(context.Request.Headers);
        if (presented is null)
        {
            return new FailureSummary
            {
                Status = 401,
                Type = FailureType.Authentication,
                Code = "missing_token",
                Message = "no token: send Authorization: Bearer <token>",
            };
        }

        Span<byte> hash = stackalloc byte[32];
        var max = Encoding.UTF8.GetMaxByteCount(presented.Length);
        var raw = max <= 512 ? stackalloc byte[max] : new byte[max];
        var n = Encoding.UTF8.GetBytes(presented, raw);
        SHA256.HashData(raw[..n], hash);
        var ok = false;
        foreach (var k in keyHashes)
        {
            ok |= CryptographicOperations.FixedTimeEquals(hash, k);
        }

        return ok ? null : new FailureSummary
        {
            Status = 401,
            Type = FailureType.Authentication,
            Code = "invalid_token",
            Message = auth.MasterKeys.Count == 0 ? "no master key is configured; set general_settings.master_key" : "the token is not valid",
        };
    }

    public static byte[][] Hashes(AuthSettings auth) => auth.MasterKeys.Select(k => SHA256.HashData(Encoding.UTF8.GetBytes(k))).ToArray();

    private static string? Presented(IHeaderDictionary headers)
    {
        var authorization = headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var t = authorization[7..].Trim();
            return t.Length > 0 ? t : null;
        }

        var apiKey = headers["api-key"].ToString();
        if (apiKey.Length > 0)
        {
            return apiKey;
        }

        var x = headers["x-api-key"].ToString();
        return x.Length > 0 ? x : null;
    }
}
