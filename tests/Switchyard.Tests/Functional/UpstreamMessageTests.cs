using System.Net;
using System.Text.Json;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Functional;

/// <summary>
/// The one rule for a provider's refusal (docs/failure-contract.md): every adapter passes on the provider's status and
/// its short identifier code, never its free-text message. The fake providers refuse in their own wire format with a
/// message that carries a key-like string, an internal URL and the caller's own words.
/// </summary>
public sealed class UpstreamMessageTests
{
    private const string Hostile = "temperature must be at most 0.4 (got 0.5); trace https://internal.example.net/t?id=42 key sk-live-CANARY0042\u0007";

    public static TheoryData<string, int, string> Families => new()
    {
        { "openai", 400, "invalid_value" },
        { "azure", 400, "invalid_value" },
        { "anthropic", 400, "invalid_request_error" },
        { "gemini", 400, "invalid_argument" },
        { "bedrock", 400, "validation_exception" },
        { "cohere", 422, "invalid_request" },
    };

    [Theory]
    [MemberData(nameof(Families))]
    public async Task ProviderRefusal_KeepsStatusAndCode_DropsTheProvidersMessage(string family, int status, string code)
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = (c, _) => Refuse(family, c);
        await using var gw = await GatewayFixture.StartAsync($$"""
            model_list:
              - model_name: m
                litellm_params:
                  {{Params(family, upstream.BaseUrl)}}
            router_settings:
              num_retries: 0
            """);

        using var response = await gw.Http.PostAsync("/v1/chat/completions", new StringContent("""{"model":"m","temperature":0.5,"messages":[{"role":"user","content":"hi"}]}"""));

        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal((HttpStatusCode)status, response.StatusCode);
        var error = JsonDocument.Parse(text).RootElement.GetProperty("error");
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.Contains("(deployment ", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        foreach (var leaked in new[] { "CANARY", "internal.example", "temperature must", "\\u0007" })
        {
            Assert.DoesNotContain(leaked, text, StringComparison.OrdinalIgnoreCase);
        }

        Assert.Single(upstream.Requests); // a refusal is not retried
    }

    private static string Params(string family, string baseUrl) => family switch
    {
        "openai" => $"model: openai/gpt-4o\n      api_base: {baseUrl}/v1\n      api_key: sk-provider-0042",
        "azure" => $"model: azure/my-deployment\n      api_base: {baseUrl}\n      api_key: azure-key-0042\n      api_version: 2024-08-01-preview",
        "anthropic" => $"model: anthropic/claude-sonnet-4-5\n      api_base: {baseUrl}\n      api_key: sk-ant-provider-0042",
        "gemini" => $"model: gemini/gemini-2.5-flash\n      api_base: {baseUrl}\n      api_key: AIza-fake-0042",
        "bedrock" => $"model: bedrock/converse/anthropic.claude-3-5-sonnet-20240620-v1:0\n      aws_access_key_id: {BedrockWire.AccessKey}\n      aws_secret_access_key: {BedrockWire.Secret}\n      aws_region_name: {BedrockWire.Region}\n      aws_bedrock_runtime_endpoint: {baseUrl}",
        "cohere" => $"model: cohere/command-r-plus-08-2024\n      api_base: {baseUrl}\n      api_key: {CohereWire.Key}",
        _ => throw new ArgumentOutOfRangeException(nameof(family)),
    };

    private static Task Refuse(string family, HttpContext c) => family switch
    {
        "openai" or "azure" => OpenAIWire.WriteErrorAsync(c, 400, Hostile, "invalid_request_error", "invalid_value", "temperature"),
        "anthropic" => AnthropicWire.WriteErrorAsync(c, 400, "invalid_request_error", Hostile),
        "gemini" => GeminiWire.WriteErrorAsync(c, 400, "INVALID_ARGUMENT", Hostile),
        "bedrock" => BedrockWire.WriteErrorAsync(c, 400, "ValidationException", Hostile),
        "cohere" => CohereWire.WriteErrorAsync(c, 422, Hostile),
        _ => throw new ArgumentOutOfRangeException(nameof(family)),
    };
}
