using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Amazon.Runtime.Internal.Auth;
using Switchyard.Core.Config;

namespace Switchyard.Providers.Bedrock;

/// <summary>
/// Signs a Bedrock runtime request with AWS Signature Version 4 (service <c>bedrock</c>): the canonical request is built
/// here (POST, the path with each segment URI-encoded again as SigV4 asks for every service but S3, the sorted query, the
/// signed headers content-type, host, x-amz-content-sha256, x-amz-date and x-amz-security-token when there is a session
/// token, the body's SHA-256); the string to sign, the derived signing key and the signature come from the AWS SDK's
/// <see cref="AWS4Signer.ComputeSignature(string, string, string, DateTime, string, string, string)"/>.
/// </summary>
internal static class BedrockSigner
{
    public const string Service = "bedrock";

    public static void Sign(HttpRequestMessage message, byte[] body, AwsSettings aws, DateTimeOffset now)
    {
        var uri = message.RequestUri!;
        var signedAt = now.UtcDateTime;
        var amzDate = signedAt.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var bodyHash = Convert.ToHexStringLower(SHA256.HashData(body));
        var headers = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["content-type"] = message.Content?.Headers.ContentType?.ToString() ?? "application/json",
            ["host"] = uri.IsDefaultPort ? uri.Host : uri.Authority,
            ["x-amz-content-sha256"] = bodyHash,
            ["x-amz-date"] = amzDate,
        };
        if (!string.IsNullOrEmpty(aws.SessionToken))
        {
            headers["x-amz-security-token"] = aws.SessionToken;
        }

        var authorization = Authorization(aws.AccessKeyId, aws.SecretAccessKey, aws.Region, Service, signedAt, message.Method.Method, uri.AbsolutePath, uri.Query, headers, bodyHash);
        message.Headers.TryAddWithoutValidation("x-amz-date", amzDate);
        message.Headers.TryAddWithoutValidation("x-amz-content-sha256", bodyHash);
        if (!string.IsNullOrEmpty(aws.SessionToken))
        {
            message.Headers.TryAddWithoutValidation("x-amz-security-token", aws.SessionToken);
        }

        message.Headers.TryAddWithoutValidation("Authorization", authorization);
    }

    /// <summary>
    /// The <c>Authorization</c> header value for a request: its canonical form (<see cref="CanonicalRequest"/>) signed
    /// with the SDK's key derivation. <paramref name="headers"/> are the headers to sign, by lower-case name.
    /// </summary>
    public static string Authorization(
        string accessKeyId, string secretAccessKey, string region, string service, DateTime signedAt,
        string method, string path, string query, IEnumerable<KeyValuePair<string, string>> headers, string payloadHash)
    {
        var sorted = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in headers)
        {
            sorted[name.ToLowerInvariant()] = value;
        }

        var signedHeaders = string.Join(';', sorted.Keys);
        var canonical = CanonicalRequest(method, path, query, sorted, payloadHash);
        return AWS4Signer.ComputeSignature(accessKeyId, secretAccessKey, region, signedAt, service, signedHeaders, canonical).ForAuthorizationHeader;
    }

    /// <summary>
    /// SigV4's canonical request: method, the path with each segment escaped once more, the query sorted by name then
    /// value with both RFC 3986-escaped, each signed header as <c>name:value</c> (value trimmed, inner runs of spaces
    /// collapsed to one), the signed header names, and the payload's SHA-256 in hex.
    /// </summary>
    public static string CanonicalRequest(string method, string path, string query, SortedDictionary<string, string> headers, string payloadHash)
    {
        var builder = new StringBuilder()
            .Append(method).Append('\n')
            .Append(CanonicalPath(path)).Append('\n')
            .Append(CanonicalQuery(query)).Append('\n');
        foreach (var (name, value) in headers)
        {
            builder.Append(name).Append(':').Append(CollapseSpaces(value.Trim())).Append('\n');
        }

        return builder.Append('\n')
            .AppendJoin(';', headers.Keys).Append('\n')
            .Append(payloadHash)
            .ToString();
    }

    /// <summary>The query's parameters (from <c>?a=1&amp;b</c> or without the <c>?</c>) decoded, re-escaped, sorted by name then value.</summary>
    public static string CanonicalQuery(string query)
    {
        if (query.StartsWith('?'))
        {
            query = query[1..];
        }

        if (query.Length == 0)
        {
            return "";
        }

        var pairs = query.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(part =>
            {
                var eq = part.IndexOf('=', StringComparison.Ordinal);
                var name = eq < 0 ? part : part[..eq];
                var value = eq < 0 ? "" : part[(eq + 1)..];
                return (Name: Uri.EscapeDataString(Uri.UnescapeDataString(name)), Value: Uri.EscapeDataString(Uri.UnescapeDataString(value)));
            })
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .ThenBy(p => p.Value, StringComparer.Ordinal);
        return string.Join('&', pairs.Select(p => p.Name + "=" + p.Value));
    }

    private static string CollapseSpaces(string value)
    {
        if (!value.Contains("  ", StringComparison.Ordinal))
        {
            return value;
        }

        var builder = new StringBuilder(value.Length);
        foreach (var c in value)
        {
            if (c != ' ' || builder.Length == 0 || builder[^1] != ' ')
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    /// <summary>The path as sent (already escaped), each segment escaped once more (RFC 3986 unreserved kept).</summary>
    public static string CanonicalPath(string path)
        => string.Join('/', path.Split('/').Select(Uri.EscapeDataString));
}
