using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Amazon.Runtime.Internal.Auth;
using Switchyard.Core.Config;

namespace Switchyard.Providers.Bedrock;

/// <summary>
/// Signs a Bedrock runtime request with AWS Signature Version 4 (service <c>bedrock</c>): the canonical request is built
/// here (POST, the path with each segment URI-encoded again as SigV4 asks for every service but S3, no query, the
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

        var signedHeaders = string.Join(';', headers.Keys);
        var canonical = new StringBuilder()
            .Append(message.Method.Method).Append('\n')
            .Append(CanonicalPath(uri.AbsolutePath)).Append('\n')
            .Append('\n')
            .AppendJoin("", headers.Select(h => h.Key + ":" + h.Value.Trim() + "\n")).Append('\n')
            .Append(signedHeaders).Append('\n')
            .Append(bodyHash)
            .ToString();
        var result = AWS4Signer.ComputeSignature(aws.AccessKeyId, aws.SecretAccessKey, aws.Region, signedAt, Service, signedHeaders, canonical);
        message.Headers.TryAddWithoutValidation("x-amz-date", amzDate);
        message.Headers.TryAddWithoutValidation("x-amz-content-sha256", bodyHash);
        if (!string.IsNullOrEmpty(aws.SessionToken))
        {
            message.Headers.TryAddWithoutValidation("x-amz-security-token", aws.SessionToken);
        }

        message.Headers.TryAddWithoutValidation("Authorization", result.ForAuthorizationHeader);
    }

    /// <summary>The path as sent (already escaped), each segment escaped once more (RFC 3986 unreserved kept).</summary>
    public static string CanonicalPath(string path)
        => string.Join('/', path.Split('/').Select(Uri.EscapeDataString));
}
