using Switchyard.Cli.Doctor;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Operations;

/// <summary>Doctor findings on purpose-built bad setups.</summary>
public sealed class DoctorTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sy-doctor-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Config_InvalidFile_ReportsEveryErrorAsSY101()
    {
        var path = Write("bad.yaml", """
            model_list:
              - model_name: a
                litellm_params: { model: sagemaker/x, timeout: soon }
            """);

        var (config, findings) = DoctorChecks.Config(path);

        Assert.Null(config);
        var errors = findings.Where(f => f.Id == "SY101").ToArray();
        Assert.Equal(2, errors.Length);
        Assert.All(errors, f => Assert.Equal(Finding.Error, f.Severity));
        Assert.Contains(errors, f => f.Message.Contains("timeout", StringComparison.Ordinal));
        Assert.Contains(errors, f => f.Message.Contains("sagemaker", StringComparison.Ordinal));
    }

    [Fact]
    public void Config_UnsupportedKeys_AreWarningsWithPaths()
    {
        var path = Write("unsupported.yaml", """
            model_list:
              - model_name: a
                litellm_params: { model: mock/a, watsonx_region_name: x }
            general_settings: { master_key: sk-doctor-1234, allowed_routes: [/chat/completions] }
            """);

        var (config, findings) = DoctorChecks.Config(path);

        Assert.NotNull(config);
        var unsupported = findings.Where(f => f.Id == "SY102").Select(f => f.Message).ToArray();
        Assert.Equal(2, unsupported.Length);
        Assert.Contains(unsupported, m => m.StartsWith("model_list[0].litellm_params.watsonx_region_name", StringComparison.Ordinal));
        Assert.Contains(unsupported, m => m.StartsWith("general_settings.allowed_routes", StringComparison.Ordinal));
    }

    [Fact]
    public void Aliases_CaseDriftAndUnreachableAlias_AreReported()
    {
        var path = Write("aliases.yaml", """
            model_list:
              - model_name: router.default
                litellm_params: { model: mock/a }
              - model_name: Router.Default
                litellm_params: { model: mock/b }
              - model_name: paid
                litellm_params: { model: openai/gpt-4o, api_key: os.environ/SY_DOCTOR_MISSING_KEY }
            router_settings:
              model_group_alias: { draft.fast: paid }
            general_settings: { master_key: sk-doctor-1234 }
            """);
        var (config, _) = DoctorChecks.Config(path);

        var findings = DoctorChecks.Aliases(config!).ToArray();

        Assert.Contains(findings, f => f.Id == "SY110" && f.Message.Contains("router.default, Router.Default", StringComparison.Ordinal));
        Assert.Contains(findings, f => f.Id == "SY111" && f.Severity == Finding.Error && f.Message.Contains("'paid'", StringComparison.Ordinal));
        Assert.Contains(findings, f => f.Id == "SY112" && f.Message.Contains("draft.fast", StringComparison.Ordinal));
    }

    [Fact]
    public void Aliases_DeploymentWithoutPrice_IsWarned()
    {
        var path = Write("price.yaml", """
            model_list:
              - model_name: local
                litellm_params: { model: hosted_vllm/llama-3, api_base: http://127.0.0.1:9 }
            general_settings: { master_key: sk-doctor-1234 }
            """);
        var (config, _) = DoctorChecks.Config(path);

        Assert.Contains(DoctorChecks.Aliases(config!), f => f.Id == "SY113" && f.Message.Contains("hosted_vllm/llama-3", StringComparison.Ordinal));
    }

    [Fact]
    public void Region_AzureDeploymentWithRegionName_ShowsRegionAndTheEndpointItIsCalledAt()
    {
        var path = Write("region.yaml", """
            model_list:
              - model_name: gpt
                litellm_params: { model: azure/gpt-4o, api_base: https://contoso-eus.openai.azure.com, api_key: k, api_version: 2024-10-21, region_name: eastus }
              - model_name: gpt
                litellm_params: { model: azure/gpt-4o, api_base: https://contoso-weu.openai.azure.com, api_key: k, api_version: 2024-10-21 }
            general_settings: { master_key: sk-doctor-1234 }
            """);
        var (config, _) = DoctorChecks.Config(path);

        var finding = Assert.Single(RegionCheck.Run(config!));
        Assert.Equal("SY210", finding.Id);
        Assert.Equal(Finding.Info, finding.Severity);
        Assert.Contains("region_name eastus", finding.Message, StringComparison.Ordinal);
        Assert.Contains("https://contoso-eus.openai.azure.com", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Region_BedrockDeployment_ShowsTheRegionItSignsForTheEndpointAndTheCredentialSource()
    {
        var path = Write("bedrock.yaml", """
            model_list:
              - model_name: claude
                litellm_params: { model: bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0, aws_access_key_id: AKIDEXAMPLE, aws_secret_access_key: secret, aws_region_name: eu-central-1 }
            general_settings: { master_key: sk-doctor-1234 }
            """);
        var (config, _) = DoctorChecks.Config(path);

        var finding = Assert.Single(RegionCheck.Run(config!));
        Assert.Equal(("SY114", Finding.Info), (finding.Id, finding.Severity));
        Assert.Contains("signs for region eu-central-1", finding.Message, StringComparison.Ordinal);
        Assert.Contains("https://bedrock-runtime.eu-central-1.amazonaws.com", finding.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Region_VertexDeployment_ShowsProjectLocationEndpointAndCredentialSource_NeverTheKey()
    {
        using var account = new Infrastructure.VertexWire.ServiceAccount();
        var credentials = account.WriteFile("https://oauth2.googleapis.com/token");
        var path = Write("vertex.yaml", $$"""
            model_list:
              - model_name: gem
                litellm_params: { model: vertex_ai/gemini-2.5-pro, vertex_credentials: {{credentials}}, region_name: europe-west4 }
            general_settings: { master_key: sk-doctor-1234 }
            """);
        var (config, _) = DoctorChecks.Config(path);

        var finding = Assert.Single(RegionCheck.Run(config!));
        Assert.Equal(("SY115", Finding.Info), (finding.Id, finding.Severity));
        Assert.Contains("calls https://europe-west4-aiplatform.googleapis.com for project switchyard-test-1 (credentials project_id), location europe-west4 (region_name)", finding.Message, StringComparison.Ordinal);
        Assert.Contains("Google credentials from vertex_credentials: file " + credentials, finding.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SecretFiles_ReadableByOthers_IsWarned_And0600IsNot()
    {
        var loose = Write("loose.key", "sk-provider-loose\n");
        var tight = Write("tight.key", "sk-provider-tight\n");
        File.SetUnixFileMode(loose, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        File.SetUnixFileMode(tight, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var path = Write("secrets.yaml", $$"""
            model_list:
              - model_name: a
                litellm_params: { model: openai/gpt-4o, api_key: "file:{{loose}}" }
              - model_name: b
                litellm_params: { model: openai/gpt-4o-mini, api_key: "file:{{tight}}" }
            general_settings: { master_key: sk-doctor-1234 }
            """);
        var (config, _) = DoctorChecks.Config(path);

        var findings = DoctorChecks.SecretFiles(config!, DoctorChecks.ServiceUser.Resolve(null)).ToArray();

        var warning = Assert.Single(findings, f => f.Id == "SY120");
        Assert.Contains(loose, warning.Message, StringComparison.Ordinal);
        Assert.Contains("chmod 600", warning.Fix, StringComparison.Ordinal);
        Assert.DoesNotContain(findings, f => f.Message.Contains(tight, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Port_NothingListening_IsSY130_AndAForeignServerIsSY131()
    {
        var (config, _) = DoctorChecks.Config(Write("port.yaml", """
            model_list:
              - model_name: a
                litellm_params: { model: mock/a }
            general_settings: { master_key: sk-doctor-1234 }
            """));
        var free = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        free.Start();
        var port = ((System.Net.IPEndPoint)free.LocalEndpoint).Port;
        free.Stop();

        var nothing = await DoctorChecks.PortAsync(config!, $"http://127.0.0.1:{port}", CancellationToken.None);
        await using var foreign = await FakeUpstream.StartAsync();
        foreign.Handler = (c, _) => c.Response.WriteAsync("nginx");
        var other = await DoctorChecks.PortAsync(config!, foreign.BaseUrl, CancellationToken.None);

        Assert.Contains(nothing, f => f.Id == "SY130");
        Assert.Contains(other, f => f.Id == "SY131" && f.Severity == Finding.Error);
    }

    [Fact]
    public async Task Port_SwitchyardListening_IsSY132()
    {
        await using var gw = await GatewayFixture.StartAsync("""
            model_list:
              - model_name: a
                litellm_params: { model: mock/a }
            """);

        var findings = await DoctorChecks.PortAsync(gw.Config, gw.BaseUrl, CancellationToken.None);

        Assert.Contains(findings, f => f.Id == "SY132");
        Assert.DoesNotContain(findings, f => f.Severity == Finding.Error);
    }

    [Fact]
    public async Task Store_AdminTokenWithInvoke_IsWarned()
    {
        await using var gw = await GatewayFixture.StartAsync("""
            model_list:
              - model_name: a
                litellm_params: { model: mock/a }
            """);
        using var created = await gw.Http.PostAsync("/key/generate", new StringContent("""{"key_alias":"ops-and-agent","scopes":["admin","invoke"]}"""));
        Assert.Equal(System.Net.HttpStatusCode.OK, created.StatusCode);
        var config = gw.Config with { Store = gw.Config.Store with { SqlitePath = gw.Service<Switchyard.Core.Tenancy.IGatewayStore>() is Switchyard.Storage.Sqlite.SqliteGatewayStore s ? s.Path : "" } };

        var findings = DoctorChecks.Store(config).ToArray();

        Assert.Contains(findings, f => f.Id == "SY142");
        Assert.Contains(findings, f => f.Id == "SY150" && f.Message.Contains("ops-and-agent", StringComparison.Ordinal));
    }

    [Fact]
    public void Store_CorruptFile_IsSY141()
    {
        var path = Write("corrupt.db", "this is not a database, just text that is long enough to be a header of sorts........");
        var (config, _) = DoctorChecks.Config(Write("store.yaml", $$"""
            model_list:
              - model_name: a
                litellm_params: { model: mock/a }
            general_settings: { master_key: sk-doctor-1234 }
            switchyard: { store: { sqlite_path: "{{path}}" } }
            """));

        Assert.Contains(DoctorChecks.Store(config!), f => f.Id == "SY141" && f.Severity == Finding.Error);
    }

    [Fact]
    public async Task Probe_ProviderRefusingTheKey_IsSY171()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = (c, _) => OpenAIWire.WriteErrorAsync(c, 401, "Incorrect API key provided: sk-...", "invalid_request_error", "invalid_api_key");
        var (config, _) = DoctorChecks.Config(Write("probe.yaml", $$"""
            model_list:
              - model_name: a
                litellm_params: { model: openai/gpt-4o, api_base: "{{upstream.BaseUrl}}/v1", api_key: sk-wrong }
            general_settings: { master_key: sk-doctor-1234 }
            """));

        var findings = (await DoctorChecks.ProbeAsync(config!, CancellationToken.None)).ToArray();

        var finding = Assert.Single(findings);
        Assert.Equal("SY171", finding.Id);
        Assert.Equal(Finding.Error, finding.Severity);
        Assert.Contains("max_tokens\":1", upstream.Requests.Single().Body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(500, "SY175", "provider's side")]
    [InlineData(503, "SY175", "retry later")]
    [InlineData(404, "SY174", "model name and api_version")]
    [InlineData(400, "SY174", "model name and api_version")]
    [InlineData(403, "SY171", "api_key")]
    public async Task Probe_AdviceMatchesTheStatus(int status, string id, string advice)
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = (c, _) => OpenAIWire.WriteErrorAsync(c, status, "no");
        var (config, _) = DoctorChecks.Config(Write($"probe{status}.yaml", $$"""
            model_list:
              - model_name: a
                litellm_params: { model: openai/gpt-4o, api_base: "{{upstream.BaseUrl}}/v1", api_key: sk-test }
            router_settings: { num_retries: 0 }
            general_settings: { master_key: sk-doctor-1234 }
            """));

        var finding = Assert.Single(await DoctorChecks.ProbeAsync(config!, CancellationToken.None));

        Assert.Equal(id, finding.Id);
        Assert.Contains(advice, finding.Fix, StringComparison.Ordinal);
        if (status >= 500)
        {
            Assert.DoesNotContain("api_version", finding.Fix, StringComparison.Ordinal);
        }
    }
}
