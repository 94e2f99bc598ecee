using Switchyard.Core.Config;
using Switchyard.Providers.Bedrock;

namespace Switchyard.Tests.Providers.Bedrock;

/// <summary>
/// The SigV4 signer against AWS's published signature test suite (aws-sig-v4-test-suite: its example key, date, region
/// and service, and the signatures AWS publishes for each request), then the Bedrock request form itself.
/// </summary>
public sealed class BedrockSignerTests
{
    private const string AccessKey = "AKIDEXAMPLE";
    private const string SecretKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    private const string Scope = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, ";
    private const string EmptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    // The suite's example session token (post-sts-token).
    private const string SuiteToken = "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==";

    private static readonly DateTime SuiteDate = new(2015, 8, 30, 12, 36, 0, DateTimeKind.Utc);

    [Theory]
    [InlineData("get-vanilla", "GET", "", null, "", "host;x-amz-date", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")]
    [InlineData("get-vanilla-query-order-key-case", "GET", "?Param2=value2&Param1=value1", null, "", "host;x-amz-date", "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500")]
    [InlineData("post-vanilla", "POST", "", null, "", "host;x-amz-date", "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b")]
    [InlineData("post-vanilla-query", "POST", "?Param1=value1", null, "", "host;x-amz-date", "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11")]
    [InlineData("post-x-www-form-urlencoded", "POST", "", "application/x-www-form-urlencoded", "Param1=value1", "content-type;host;x-amz-date", "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a")]
    [InlineData("post-sts-header-before", "POST", "", null, "", "host;x-amz-date;x-amz-security-token", "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead")]
    public void Authorization_AwsTestSuiteVector_MatchesThePublishedSignature(string vector, string method, string query, string? contentType, string body, string signedHeaders, string signature)
    {
        var headers = new List<KeyValuePair<string, string>> { new("Host", "example.amazonaws.com"), new("X-Amz-Date", "20150830T123600Z") };
        if (contentType is not null)
        {
            headers.Add(new("Content-Type", contentType));
        }

        if (vector == "post-sts-header-before")
        {
            headers.Add(new("X-Amz-Security-Token", SuiteToken));
        }

        var payloadHash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(body)));
        var authorization = BedrockSigner.Authorization(AccessKey, SecretKey, "us-east-1", "service", SuiteDate, method, "/", query, headers, payloadHash);

        Assert.Equal($"{Scope}SignedHeaders={signedHeaders}, Signature={signature}", authorization);
    }

    [Fact]
    public void CanonicalRequest_GetVanilla_IsTheSuitesCanonicalForm()
    {
        var headers = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["host"] = "example.amazonaws.com", ["x-amz-date"] = "20150830T123600Z" };

        var canonical = BedrockSigner.CanonicalRequest("GET", "/", "", headers, EmptyHash);

        Assert.Equal($"GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n{EmptyHash}", canonical);
    }

    [Fact]
    public void CanonicalRequest_HeaderValueWithRunsOfSpaces_IsTrimmedAndCollapsed()
    {
        var headers = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["my-header1"] = "  a   b  c ", ["host"] = "h" };

        var canonical = BedrockSigner.CanonicalRequest("GET", "/", "", headers, EmptyHash);

        Assert.Contains("\nmy-header1:a b c\n", canonical, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "")]
    [InlineData("?b=2&a=1&A=0", "A=0&a=1&b=2")]
    [InlineData("?a=2&a=1", "a=1&a=2")]
    [InlineData("?key=a%20b&x", "key=a%20b&x=")]
    [InlineData("?t=a~b-c_d.e!", "t=a~b-c_d.e%21")]
    public void CanonicalQuery_SortsAndEscapesAsSigV4Asks(string query, string expected)
        => Assert.Equal(expected, BedrockSigner.CanonicalQuery(query));

    [Fact]
    public void Sign_KnownRequest_MatchesAnIndependentRecomputation()
    {
        var aws = new AwsSettings { AccessKeyId = "AKIDEXAMPLE", SecretAccessKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", Region = "us-east-1", CredentialSource = "test", RegionSource = "test" };
        using var message = new HttpRequestMessage(HttpMethod.Post, "https://bedrock-runtime.us-east-1.amazonaws.com/model/amazon.titan-embed-text-v2%3A0/invoke")
        {
            Content = new ByteArrayContent("{}"u8.ToArray()),
        };
        message.Content.Headers.ContentType = new("application/json");

        BedrockSigner.Sign(message, "{}"u8.ToArray(), aws, new DateTimeOffset(2015, 8, 30, 12, 36, 0, TimeSpan.Zero));

        var auth = message.Headers.GetValues("Authorization").Single();
        Assert.StartsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/bedrock/aws4_request, SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date, Signature=", auth, StringComparison.Ordinal);
        Assert.Equal("20150830T123600Z", message.Headers.GetValues("x-amz-date").Single());
        Assert.Equal("/model/amazon.titan-embed-text-v2%253A0/invoke", BedrockSigner.CanonicalPath("/model/amazon.titan-embed-text-v2%3A0/invoke"));
    }
}
