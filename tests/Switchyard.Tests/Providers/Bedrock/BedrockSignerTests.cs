using Switchyard.Core.Config;
using Switchyard.Providers.Bedrock;

namespace Switchyard.Tests.Providers.Bedrock;

/// <summary>The SigV4 signer against AWS's published signature test suite (aws-sig-v4-test-suite, post-vanilla's key, date and scope).</summary>
public sealed class BedrockSignerTests
{
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
