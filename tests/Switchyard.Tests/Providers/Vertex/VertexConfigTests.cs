using Switchyard.Core.Config;
using Switchyard.Providers.Vertex;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Providers.Vertex;

/// <summary>
/// How vertex_ai/ deployments load, as LiteLLM reads them: project and location (params, their aliases, region_name, the
/// VERTEXAI_* variables, the service account's project_id), credentials (file, inline, ADC, metadata server), the
/// endpoint the location selects, and the refusals: no project anywhere, an unusable credentials file.
/// </summary>
public sealed class VertexConfigTests : IDisposable
{
    private readonly VertexWire.ServiceAccount _account = new();
    private readonly string _emptyGcloud = Path.Combine(Path.GetTempPath(), "switchyard-tests", "gcloud-" + Guid.NewGuid().ToString("N"));

    public void Dispose() => _account.Dispose();

    private GatewayConfig Load(string parameters, IDictionary<string, string>? env = null)
    {
        var vars = new Dictionary<string, string>(env ?? new Dictionary<string, string>()) { ["CLOUDSDK_CONFIG"] = _emptyGcloud };
        return ConfigLoader.Load($$"""
            model_list:
              - model_name: m
                litellm_params: { {{parameters}} }
            general_settings: { master_key: sk-vertex-config-0001 }
            """, Path.GetTempPath(), vars.GetValueOrDefault);
    }

    private string Credentials(string? projectId = VertexWire.Project) => _account.WriteFile("https://oauth2.googleapis.com/token", projectId);

    [Fact]
    public void ServiceAccountFile_ProjectAndLocationFromParams_EndpointOfTheLocation()
    {
        var d = Assert.Single(Load($"model: vertex_ai/gemini-2.5-pro, vertex_project: p-one, vertex_location: us-east5, vertex_credentials: {Credentials()}").Deployments);

        Assert.True(d.Enabled, d.DisabledReason);
        Assert.Equal(ProviderFamilies.VertexAI, d.Family);
        Assert.Equal("gemini-2.5-pro", d.Model);
        var v = d.Vertex!;
        Assert.Equal(("p-one", "vertex_project", "us-east5", "vertex_location"), (v.Project, v.ProjectSource, v.Location, v.LocationSource));
        Assert.StartsWith("vertex_credentials: file ", v.CredentialSource, StringComparison.Ordinal);
        Assert.Equal("https://us-east5-aiplatform.googleapis.com", d.ApiBase);
        Assert.Equal("https://us-east5-aiplatform.googleapis.com/v1/projects/p-one/locations/us-east5/publishers/google/models/gemini-2.5-pro:streamGenerateContent?alt=sse",
            VertexApi.ModelUri(d, "google", "streamGenerateContent", sse: true).ToString());
    }

    [Theory]
    [InlineData("global", "https://aiplatform.googleapis.com/v1/projects/p/locations/global/publishers/anthropic/models/claude-opus-4@20250514:rawPredict")]
    [InlineData("us", "https://aiplatform.us.rep.googleapis.com/v1/projects/p/locations/us/publishers/anthropic/models/claude-opus-4@20250514:rawPredict")]
    [InlineData("europe-west1", "https://europe-west1-aiplatform.googleapis.com/v1/projects/p/locations/europe-west1/publishers/anthropic/models/claude-opus-4@20250514:rawPredict")]
    public void Location_SelectsTheEndpoint(string location, string expected)
    {
        var d = Assert.Single(Load($"model: vertex_ai/claude-opus-4@20250514, vertex_ai_project: p, vertex_ai_location: {location}, vertex_credentials: {Credentials()}").Deployments);

        Assert.Equal(expected, VertexApi.ModelUri(d, "anthropic", "rawPredict", sse: false).ToString());
    }

    [Fact]
    public void ApiBaseWithAPath_IsTheModelUrl_MethodAppended_AsInLiteLLM()
    {
        var d = Assert.Single(Load($"model: vertex_ai/gemini-2.5-flash, vertex_project: p, vertex_credentials: {Credentials()}, api_base: https://gateway.ai.cloudflare.com/v1/acct/gw/google-vertex-ai/v1/projects/p/locations/us-central1/publishers/google/models/gemini-2.5-flash").Deployments);

        Assert.Equal("https://gateway.ai.cloudflare.com/v1/acct/gw/google-vertex-ai/v1/projects/p/locations/us-central1/publishers/google/models/gemini-2.5-flash:generateContent",
            VertexApi.ModelUri(d, "google", "generateContent", sse: false).ToString());
    }

    [Fact]
    public void Fallbacks_RegionNameThenVariables_ProjectFromTheServiceAccount_DefaultLocation()
    {
        var fromRegion = Assert.Single(Load($"model: vertex_ai/gemini-2.5-flash, region_name: asia-northeast1, vertex_credentials: {Credentials()}").Deployments).Vertex!;
        Assert.Equal(("asia-northeast1", "region_name"), (fromRegion.Location, fromRegion.LocationSource));
        Assert.Equal((VertexWire.Project, "credentials project_id"), (fromRegion.Project, fromRegion.ProjectSource));

        var env = new Dictionary<string, string> { ["VERTEXAI_PROJECT"] = "env-project", ["VERTEXAI_LOCATION"] = "europe-west9" };
        var fromEnv = Assert.Single(Load($"model: vertex_ai/gemini-2.5-flash, vertex_credentials: {Credentials()}", env).Deployments).Vertex!;
        Assert.Equal(("env-project", "VERTEXAI_PROJECT", "europe-west9", "VERTEXAI_LOCATION"), (fromEnv.Project, fromEnv.ProjectSource, fromEnv.Location, fromEnv.LocationSource));

        var byDefault = Assert.Single(Load($"model: vertex_ai/gemini-2.5-flash, vertex_credentials: {Credentials()}").Deployments).Vertex!;
        Assert.Equal(("us-central1", "default"), (byDefault.Location, byDefault.LocationSource));
    }

    [Theory]
    [InlineData("gemini-2.5-pro", "vertex_ai", "gemini-2.5-pro")]
    [InlineData("vertex_ai_beta/gemini-2.0-flash", "vertex_ai_beta", "gemini-2.0-flash")]
    [InlineData("vertex_ai/gemini/4965075652664360960", "vertex_ai", "4965075652664360960")]
    public void BareGeminiNamesAndBeta_LoadAsVertex(string model, string provider, string upstreamModel)
    {
        var d = Assert.Single(Load($"model: {model}, vertex_project: p, vertex_credentials: {Credentials()}").Deployments);

        Assert.Equal((ProviderFamilies.VertexAI, provider, upstreamModel), (d.Family, d.Provider, d.Model));
        Assert.True(d.Enabled, d.DisabledReason);
    }

    [Fact]
    public void TunedModelEndpoint_AllDigits_CalledAsAnEndpoint()
    {
        var d = Assert.Single(Load($"model: vertex_ai/gemini/4965075652664360960, vertex_project: p, vertex_credentials: {Credentials()}").Deployments);

        Assert.Equal("https://us-central1-aiplatform.googleapis.com/v1/projects/p/locations/us-central1/endpoints/4965075652664360960:generateContent",
            VertexApi.ModelUri(d, "google", "generateContent", sse: false).ToString());
    }

    [Fact]
    public void NoCredentials_MetadataServerOfGceMetadataHost_ProjectRequired()
    {
        var d = Assert.Single(Load("model: vertex_ai/gemini-2.5-flash, vertex_project: p", new Dictionary<string, string> { ["GCE_METADATA_HOST"] = "169.254.169.254:8080" }).Deployments);

        Assert.Null(d.Vertex!.CredentialsJson);
        Assert.Equal("169.254.169.254:8080", d.Vertex.MetadataHost);
        Assert.Equal("the GCE metadata server (169.254.169.254:8080)", d.Vertex.CredentialSource);

        var e = Assert.Throws<ConfigException>(() => Load("model: vertex_ai/gemini-2.5-flash"));
        var error = Assert.Single(e.Errors);
        Assert.Equal("model_list[0].litellm_params", error.Path);
        Assert.Contains("vertex_project", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GoogleApplicationCredentials_ReadAsTheServiceAccount()
    {
        var d = Assert.Single(Load("model: vertex_ai/gemini-2.5-flash", new Dictionary<string, string> { ["GOOGLE_APPLICATION_CREDENTIALS"] = Credentials() }).Deployments);

        Assert.StartsWith("GOOGLE_APPLICATION_CREDENTIALS: file ", d.Vertex!.CredentialSource, StringComparison.Ordinal);
        Assert.Equal(VertexWire.Project, d.Vertex.Project);
        Assert.NotNull(d.Vertex.CredentialsJson);
    }

    [Theory]
    [InlineData("/nonexistent/vertex-sa.json", "cannot be read")]
    [InlineData("{\"type\":\"service_account\",\"client_email\":\"a@b\",\"private_key\":\"not a key\"}", "private_key is not a PEM RSA private key")]
    [InlineData("{\"type\":\"mystery\"}", "'type' is 'mystery'")]
    public void BadCredentials_DeploymentDisabledWithAWarning_TheFileLoads_NoKeyQuoted(string credentials, string reason)
    {
        var config = Load("model: vertex_ai/gemini-2.5-flash, vertex_project: p, vertex_credentials: os.environ/SA", new Dictionary<string, string> { ["SA"] = credentials });
        var d = Assert.Single(config.Deployments);

        Assert.False(d.Enabled);
        Assert.Contains(reason, d.DisabledReason, StringComparison.Ordinal);
        Assert.Contains(config.Warnings, w => w.Path == "model_list[0].litellm_params.vertex_credentials" && w.Message.Contains(reason, StringComparison.Ordinal));
        Assert.DoesNotContain(config.Warnings, w => w.Message.Contains("not a key", StringComparison.Ordinal));
    }

    [Fact]
    public void BadLocation_Refused()
    {
        var e = Assert.Throws<ConfigException>(() => Load($"model: vertex_ai/gemini-2.5-flash, vertex_project: p, vertex_location: 'US Central', vertex_credentials: {Credentials()}"));

        Assert.Equal("model_list[0].litellm_params.vertex_location", Assert.Single(e.Errors).Path);
    }

    [Fact]
    public void VertexKeysOnAnotherProvider_WarnedAndIgnored()
    {
        var config = Load("model: openai/gpt-4o, api_key: sk-x, vertex_project: p");

        Assert.Contains(config.Warnings, w => w.Path == "model_list[0].litellm_params.vertex_project" && w.Message.Contains("vertex_ai/ deployments only", StringComparison.Ordinal));
    }

    [Fact]
    public void CredentialsJson_NeverRendered_InTheEffectiveConfig()
    {
        var config = Load($"model: vertex_ai/gemini-2.5-flash, vertex_project: p, vertex_credentials: {Credentials()}");

        var rendered = System.Text.Encoding.UTF8.GetString(Switchyard.Operations.EffectiveConfig.Render(config));

        Assert.DoesNotContain("PRIVATE KEY", rendered, StringComparison.Ordinal);
        Assert.Contains("\"project\": \"p\"", rendered, StringComparison.Ordinal);
    }
}
