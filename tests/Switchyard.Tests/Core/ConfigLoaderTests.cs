using Switchyard.Core.Config;
using Switchyard.Core.Routing;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Core;

public sealed class ConfigLoaderTests : IDisposable
{
    private const string MasterKey = "\ngeneral_settings:\n  master_key: sk-config-test-key\n";
    private readonly string _dir = Directory.CreateTempSubdirectory("switchyard-config-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private GatewayConfig Load(string yaml, IDictionary<string, string>? env = null)
        => ConfigLoader.Load(yaml.Contains("general_settings:", StringComparison.Ordinal) ? yaml : yaml + MasterKey, _dir, n => env?.TryGetValue(n, out var v) == true ? v : null);

    private IReadOnlyList<ConfigDiagnostic> Errors(string yaml, IDictionary<string, string>? env = null)
        => Assert.Throws<ConfigException>(() => Load(yaml, env)).Errors;

    [Fact]
    public void Load_SeveralMistakes_EveryErrorListedAtOnceWithPathAndLine()
    {
        const string yaml = """
            model_list:
              - model_name: chat
                litellm_params:
                  model: bogus/thing
              - model_name: chat
                litellm_params:
                  model: openai/gpt-4o
                  api_base: http://localhost:1/v1
                model_info:
                  id: dup
              - model_name: other
                litellm_params:
                  model: azure/deploy
                model_info:
                  id: dup
            router_settings:
              num_retries: three
              fallbacks:
                - chat: [othr]
              model_group_alias:
                fast: chta
            """;

        var errors = Errors(yaml);

        var byPath = errors.ToDictionary(e => e.Path);
        Assert.Equal(
            new[]
            {
                "model_list[0].litellm_params.model", "model_list[2].litellm_params.api_base", "model_list[2].model_info.id",
                "router_settings.fallbacks[0].chat[0]", "router_settings.model_group_alias.fast", "router_settings.num_retries",
            },
            byPath.Keys.Order(StringComparer.Ordinal).ToArray());
        Assert.Equal(4, byPath["model_list[0].litellm_params.model"].Line);
        Assert.Contains("provider 'bogus' is not supported", byPath["model_list[0].litellm_params.model"].Message, StringComparison.Ordinal);
        Assert.Equal(13, byPath["model_list[2].litellm_params.api_base"].Line);
        Assert.Contains("azure/ deployments need api_base", byPath["model_list[2].litellm_params.api_base"].Message, StringComparison.Ordinal);
        Assert.Equal(15, byPath["model_list[2].model_info.id"].Line);
        Assert.Contains("'dup'", byPath["model_list[2].model_info.id"].Message, StringComparison.Ordinal);
        Assert.Contains("model_list[1]", byPath["model_list[2].model_info.id"].Message, StringComparison.Ordinal);
        Assert.Equal(17, byPath["router_settings.num_retries"].Line);
        Assert.Contains("must be an integer, got 'three'", byPath["router_settings.num_retries"].Message, StringComparison.Ordinal);
        Assert.Equal(19, byPath["router_settings.fallbacks[0].chat[0]"].Line);
        Assert.Contains("'othr'", byPath["router_settings.fallbacks[0].chat[0]"].Message, StringComparison.Ordinal);
        Assert.Contains("did you mean 'other'", byPath["router_settings.fallbacks[0].chat[0]"].Message, StringComparison.Ordinal);
        Assert.Equal(21, byPath["router_settings.model_group_alias.fast"].Line);
        Assert.Contains("did you mean 'chat'", byPath["router_settings.model_group_alias.fast"].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_Errors_ExceptionMessageListsEveryErrorWithLine()
    {
        var e = Assert.Throws<ConfigException>(() => Load("""
            model_list:
              - model_name: a
                litellm_params:
                  model: mock/a
                  timeout: soon
            router_settings:
              routing_strategy: fastest
            """));

        Assert.Equal(2, e.Errors.Count);
        Assert.Contains("model_list[0].litellm_params.timeout (line 5): must be a duration", e.Message, StringComparison.Ordinal);
        Assert.Contains("router_settings.routing_strategy (line 7): unknown routing strategy 'fastest'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_FallbackSourceAndDefaultFallbackUnknown_ErrorsWithLinesAndSuggestions()
    {
        var errors = Errors("""
            model_list:
              - model_name: router.default
                litellm_params:
                  model: mock/a
            router_settings:
              default_fallbacks: [router.defualt]
              context_window_fallbacks:
                - router.dflt: [router.default]
            litellm_settings:
              fallbacks: [{"Router.Default": ["router.default"]}]
            """);

        Assert.Equal(3, errors.Count);
        var d = errors.Single(e => e.Path == "router_settings.default_fallbacks[0]");
        Assert.Equal(6, d.Line);
        Assert.Contains("did you mean 'router.default'", d.Message, StringComparison.Ordinal);
        var c = errors.Single(e => e.Path == "router_settings.context_window_fallbacks[0].router.dflt");
        Assert.Equal(8, c.Line);
        var l = errors.Single(e => e.Path == "litellm_settings.fallbacks[0].Router.Default");
        Assert.Equal(10, l.Line);
        Assert.Contains("did you mean 'router.default'", l.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_SwitchyardAliasToUnknownGroup_ErrorAtItsOwnPath()
    {
        var errors = Errors("""
            model_list:
              - model_name: chat
                litellm_params:
                  model: mock/a
            switchyard:
              aliases:
                draft.fast: chatt
                chat: chat
            """);

        Assert.Equal(2, errors.Count);
        Assert.Equal(("switchyard.aliases.draft.fast", 7), (errors[0].Path, errors[0].Line));
        Assert.Contains("'chatt'", errors[0].Message, StringComparison.Ordinal);
        Assert.Equal(("switchyard.aliases.chat", 8), (errors[1].Path, errors[1].Line));
        Assert.Contains("shadow", errors[1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_InvalidYaml_OneErrorWithLine()
    {
        var errors = Errors("model_list:\n  - model_name: a\n    litellm_params:\n      model: mock/a\n     bad: indentation\n");

        var e = Assert.Single(errors);
        Assert.Equal("(file)", e.Path);
        Assert.StartsWith("not valid YAML", e.Message, StringComparison.Ordinal);
        Assert.Equal(5, e.Line);
    }

    [Fact]
    public void Load_UnclosedFlowMapping_ReportedAsInvalidYaml()
    {
        var errors = Errors("model_list:\n  - model_name: a\n    litellm_params: {model: mock/a\n  - model_name: b\n");

        var e = Assert.Single(errors);
        Assert.Equal("(file)", e.Path);
        Assert.StartsWith("not valid YAML", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_EmptyFile_ErrorSaysSo()
    {
        var e = Assert.Single(Assert.Throws<ConfigException>(() => ConfigLoader.Load("", _dir, _ => null)).Errors);

        Assert.Equal("(root)", e.Path);
        Assert.Contains("empty", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_DuplicateKey_LastOneWinsWithWarningAtTheEarlierLine()
    {
        var config = Load("model_list:\n  - model_name: a\n    litellm_params:\n      model: mock/a\nrouter_settings:\n  num_retries: 1\n  num_retries: 4\n");

        Assert.Equal(4, config.Router.NumRetries);
        var w = Assert.Single(config.Warnings);
        Assert.Equal("router_settings.num_retries", w.Path);
        Assert.Equal(6, w.Line);
        Assert.Contains("duplicate key; the one at line 7 is used", w.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("model_list:\n  - litellm_params:\n      model: mock/a", "model_list[0].model_name", "is required")]
    [InlineData("model_list:\n  - model_name: a", "model_list[0].litellm_params", "is required")]
    [InlineData("model_list:\n  - model_name: a\n    litellm_params:\n      model: hosted_vllm/llama", "model_list[0].litellm_params.api_base", "no default endpoint")]
    [InlineData("model_list:\n  - model_name: a\n    litellm_params:\n      model: openai/x\n      api_base: ftp://nope", "model_list[0].litellm_params.api_base", "not an absolute http(s) URL")]
    [InlineData("model_list:\n  - model_name: a\n    litellm_params:\n      model: openai/", "model_list", "no deployment is usable")]
    [InlineData("model_list:\n  - model_name: a\n    litellm_params:\n      model: mock/a\n      weight: heavy", "model_list[0].litellm_params.weight", "must be a number")]
    [InlineData("model_list:\n  - model_name: a\n    litellm_params:\n      model: mock/a\n      order: -1", "model_list[0].litellm_params.order", "between 0 and")]
    [InlineData("model_list:\n  - model_name: a\n    litellm_params:\n      model: mock/a\n    model_info:\n      offline_standby: maybe", "model_list[0].model_info.offline_standby", "true or false")]
    [InlineData("model_list: {a: b}", "model_list", "must be a list")]
    [InlineData("model_list:\n  - model_name: a\n    litellm_params:\n      model: mock/a\nswitchyard:\n  server:\n    max_body_bytes: 10", "switchyard.server.max_body_bytes", "between 1024")]
    [InlineData("model_list:\n  - model_name: a\n    litellm_params:\n      model: mock/a\nswitchyard:\n  breaker:\n    failure_ratio: 2", "switchyard.breaker.failure_ratio", "between 0 and 1")]
    [InlineData("model_list:\n  - model_name: a\n    litellm_params:\n      model: mock/a\nrouter_settings:\n  timeout: -5", "router_settings.timeout", "must be a duration")]
    [InlineData("model_list:\n  - model_name: a\n    litellm_params:\n      model: mock/a\nrouter_settings:\n  model_group_alias:\n    x: {hidden: true}", "router_settings.model_group_alias.x", "needs model")]
    public void Load_SingleMistake_ErrorAtPath(string yaml, string path, string message)
    {
        var errors = Errors(yaml);

        var e = Assert.Single(errors);
        Assert.Equal(path, e.Path);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.NotNull(e.Line);
    }

    [Fact]
    public void Load_MasterKeyTooShortOnAnotherAddress_Error()
    {
        var e = Assert.Single(Errors("model_list:\n  - model_name: a\n    litellm_params:\n      model: mock/a\ngeneral_settings:\n  master_key: qz7x\nswitchyard:\n  server:\n    host: 0.0.0.0\n"));

        Assert.Equal(("general_settings.master_key", 6), (e.Path, e.Line));
        Assert.DoesNotContain("qz7x", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_UnsupportedKeys_WarningsNotErrors()
    {
        var config = Load("""
            model_list:
              - model_name: chat
                litellm_params:
                  model: mock/x
                  watsonx_region_name: foo
                model_info:
                  access_groups: [beta]
                  supports_vision: true
                extra_entry_key: 1
            router_settings:
              cache_responses: true
            litellm_settings:
              service_callback: ["prometheus_system"]
            general_settings:
              master_key: sk-config-test-key
              allowed_routes: ["/chat/completions"]
            mcp_servers: {}
            """);

        var warnings = config.Warnings.ToDictionary(w => w.Path);
        Assert.Equal(
            new[]
            {
                "general_settings.allowed_routes", "litellm_settings.service_callback", "mcp_servers", "model_list[0].extra_entry_key",
                "model_list[0].litellm_params.watsonx_region_name", "model_list[0].model_info.access_groups", "router_settings.cache_responses",
            },
            warnings.Keys.Order(StringComparer.Ordinal).ToArray());
        Assert.All(config.Warnings, w => Assert.Contains("unsupported key", w.Message, StringComparison.Ordinal));
        Assert.Equal(5, warnings["model_list[0].litellm_params.watsonx_region_name"].Line);
        Assert.Equal(17, warnings["mcp_servers"].Line);
        Assert.Single(config.Deployments);
    }

    [Fact]
    public void Load_EnvironReferences_ResolvedWithFileEnvironmentFirst()
    {
        var config = Load("""
            model_list:
              - model_name: a
                litellm_params:
                  model: openai/gpt-4o
                  api_key: os.environ/KEY_A
                  api_base: os.environ/BASE_A
              - model_name: b
                litellm_params:
                  model: openai/gpt-4o
                  api_key: os.environ/KEY_B
            environment_variables:
              KEY_B: from-the-file
            general_settings:
              master_key: os.environ/MASTER
            """, new Dictionary<string, string>
        {
            ["KEY_A"] = "sk-a", ["BASE_A"] = "http://10.0.0.1:8000/v1/", ["KEY_B"] = "from-the-process", ["MASTER"] = "sk-master-from-env",
        });

        var a = config.Deployments[0];
        var b = config.Deployments[1];
        Assert.Equal(("sk-a", "http://10.0.0.1:8000/v1"), (a.ApiKey, a.ApiBase));
        Assert.Equal("from-the-file", b.ApiKey);
        Assert.Equal("https://api.openai.com/v1", b.ApiBase);
        Assert.Equal(["sk-master-from-env"], config.Auth.MasterKeys.Select(k => k.Value));
        Assert.Empty(config.Warnings);
    }

    [Fact]
    public void Load_FileSecretReferences_FirstLineReadRelativeToConfigFolder()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "keys"));
        File.WriteAllText(Path.Combine(_dir, "keys", "openai.key"), "sk-from-file\nsecond line is ignored\n");
        var absolute = Path.Combine(_dir, "abs.key");
        File.WriteAllText(absolute, "  sk-absolute  \n");
        File.WriteAllText(Path.Combine(_dir, "empty.key"), "\n");

        var config = Load($$"""
            model_list:
              - model_name: a
                litellm_params:
                  model: openai/gpt-4o
                  api_key: file:keys/openai.key
              - model_name: b
                litellm_params:
                  model: openai/gpt-4o
                  api_key: file:{{absolute}}
              - model_name: c
                litellm_params:
                  model: openai/gpt-4o
                  api_key: file:missing.key
              - model_name: d
                litellm_params:
                  model: openai/gpt-4o
                  api_key: file:empty.key
            """);

        Assert.Equal("sk-from-file", config.Deployments[0].ApiKey);
        Assert.Equal("sk-absolute", config.Deployments[1].ApiKey);
        Assert.False(config.Deployments[2].Enabled);
        Assert.Contains("cannot be read", config.Deployments[2].DisabledReason, StringComparison.Ordinal);
        Assert.False(config.Deployments[3].Enabled);
        Assert.Contains("is empty", config.Deployments[3].DisabledReason, StringComparison.Ordinal);
        Assert.Contains(config.Warnings, w => w.Path == "model_list[2].litellm_params.api_key" && w.Line == 13);
    }

    [Fact]
    public void Load_MissingEnvKey_DeploymentDisabledWithWarning()
    {
        var config = Load("""
            model_list:
              - model_name: chat
                litellm_params:
                  model: openai/gpt-4o
                  api_key: os.environ/OPENAI_API_KEY
              - model_name: chat
                litellm_params:
                  model: openai/gpt-4o-mini
                  api_key: os.environ/OTHER_KEY
            """, new Dictionary<string, string> { ["OTHER_KEY"] = "sk-other" });

        Assert.Equal([false, true], config.Deployments.Select(d => d.Enabled).ToArray());
        Assert.Equal("environment variable OPENAI_API_KEY is not set", config.Deployments[0].DisabledReason);
        var w = Assert.Single(config.Warnings);
        Assert.Equal(("model_list[0].litellm_params.api_key", 5), (w.Path, w.Line));
        Assert.Contains("deployment disabled", w.Message, StringComparison.Ordinal);
        var table = new RouteTable(config, new DeploymentStateRegistry(TimeProvider.System));
        Assert.Equal("gpt-4o-mini", Assert.Single(table.Resolve("chat")!.Deployments).Config.Model);
    }

    [Fact]
    public void Load_EveryDeploymentOfGroupDisabled_WarnsGroupAnswers503()
    {
        var config = Load("""
            model_list:
              - model_name: chat
                litellm_params:
                  model: openai/gpt-4o
                  api_key: os.environ/OPENAI_API_KEY
            """);

        Assert.Equal(2, config.Warnings.Count);
        Assert.Contains(config.Warnings, w => w.Message.Contains("every deployment of this group is disabled", StringComparison.Ordinal));
        Assert.Empty(new RouteTable(config, new DeploymentStateRegistry(TimeProvider.System)).Resolve("chat")!.Deployments);
    }

    private const string StandbyYaml = """
        model_list:
          - model_name: router.default
            litellm_params:
              model: openai/gpt-4o-mini
              api_key: os.environ/OPENAI_API_KEY
          - model_name: router.default
            litellm_params:
              model: mock/router-default
            model_info:
              id: standby
              offline_standby: true
        """;

    [Fact]
    public void OfflineStandby_NoProviderKey_StandbyServesTheGroup()
    {
        var config = Load(StandbyYaml);

        var standby = config.Deployments.Single(d => d.Id == "standby");
        Assert.True(standby.Enabled);
        Assert.False(config.Deployments.Single(d => d.Family == "openai").Enabled);
        var group = new RouteTable(config, new DeploymentStateRegistry(TimeProvider.System)).Resolve("router.default")!;
        Assert.Equal("standby", Assert.Single(group.Deployments).Config.Id);
    }

    [Fact]
    public void OfflineStandby_ProviderKeySet_StandbyDisabled()
    {
        var config = Load(StandbyYaml, new Dictionary<string, string> { ["OPENAI_API_KEY"] = "sk-real" });

        var standby = config.Deployments.Single(d => d.Id == "standby");
        Assert.False(standby.Enabled);
        Assert.Contains("offline standby", standby.DisabledReason, StringComparison.Ordinal);
        var group = new RouteTable(config, new DeploymentStateRegistry(TimeProvider.System)).Resolve("router.default")!;
        Assert.Equal("openai", Assert.Single(group.Deployments).Config.Family);
        Assert.Empty(config.Warnings);
    }

    [Fact]
    public void Load_EmbeddedDefaultConfig_OfflineEveryAliasServedByMock()
    {
        var config = ConfigLoader.LoadFile(TestPaths.DefaultConfig, n => n == "SWITCHYARD_MASTER_KEY" ? "sk-default-config-test" : null);

        var table = new RouteTable(config, new DeploymentStateRegistry(TimeProvider.System));
        Assert.Equal(["draft.fast", "embed.default", "rerank.default", "router.default"], table.PublicNames);
        foreach (var name in table.PublicNames)
        {
            Assert.Equal("mock", Assert.Single(table.Resolve(name)!.Deployments).Config.Family);
        }

        Assert.Equal(["draft.fast"], config.Router.Fallbacks["router.default"]);
        Assert.Equal(4, config.Breaker.ConsecutiveFailures); // allowed_fails 3 + 1
        Assert.Equal(TimeSpan.FromSeconds(30), config.Breaker.OpenDuration);
    }

    [Fact]
    public void LitellmSettings_RetriesTimeoutAndFallbacks_AppliedUnlessRouterSettingsSayOtherwise()
    {
        var config = Load("""
            model_list:
              - model_name: a
                litellm_params:
                  model: mock/a
              - model_name: b
                litellm_params:
                  model: mock/b
                  timeout: 5
            litellm_settings:
              num_retries: 4
              request_timeout: 45
              fallbacks: [{"a": ["b"]}]
              default_fallbacks: ["b"]
              drop_params: true
            """);

        Assert.Equal(4, config.Router.NumRetries);
        Assert.Equal(TimeSpan.FromSeconds(45), config.Router.Timeout);
        Assert.Equal(TimeSpan.FromSeconds(45), config.Deployments[0].Timeout);
        Assert.Equal(TimeSpan.FromSeconds(45), config.Deployments[0].StreamTimeout);
        Assert.Equal(TimeSpan.FromSeconds(5), config.Deployments[1].Timeout);
        Assert.Equal(["b"], config.Router.Fallbacks["a"]);
        Assert.Equal(["b"], config.Router.DefaultFallbacks);
        Assert.Empty(config.Warnings);
        Assert.True(config.Router.DropParams);
        Assert.True(config.Deployments[0].DropParams);

        var overridden = Load("""
            model_list:
              - model_name: a
                litellm_params:
                  model: mock/a
            litellm_settings:
              num_retries: 4
            router_settings:
              num_retries: 1
              stream_timeout: 7
            """);
        Assert.Equal(1, overridden.Router.NumRetries);
        Assert.Equal(TimeSpan.FromSeconds(7), overridden.Deployments[0].StreamTimeout);
    }

    [Fact]
    public void Durations_SuffixesAndBareNumbers_ParsedEverywhere()
    {
        var config = Load("""
            model_list:
              - model_name: a
                litellm_params:
                  model: mock/a
                  timeout: "500ms"
                  stream_timeout: 30
            router_settings:
              cooldown_time: "2m"
              retry_after: 1.5
              allowed_fails: 2
            switchyard:
              retry:
                base_delay: 250ms
                max_delay: 1h
              breaker:
                window: 90s
                slow_call_duration: "0.75"
            """);

        var d = config.Deployments[0];
        Assert.Equal(TimeSpan.FromMilliseconds(500), d.Timeout);
        Assert.Equal(TimeSpan.FromSeconds(30), d.StreamTimeout);
        Assert.Equal(TimeSpan.FromMinutes(2), config.Breaker.OpenDuration);
        Assert.Equal(TimeSpan.FromSeconds(1.5), config.Router.RetryAfter);
        Assert.Equal(3, config.Breaker.ConsecutiveFailures);
        Assert.Equal(TimeSpan.FromMilliseconds(250), config.Router.RetryBaseDelay);
        Assert.Equal(TimeSpan.FromHours(1), config.Router.RetryMaxDelay);
        Assert.Equal(TimeSpan.FromSeconds(90), config.Breaker.Window);
        Assert.Equal(TimeSpan.FromMilliseconds(750), config.Breaker.SlowCallDuration);
    }

    [Theory]
    [InlineData("30", 30_000)]
    [InlineData("1.5", 1_500)]
    [InlineData("500ms", 500)]
    [InlineData("30s", 30_000)]
    [InlineData("2m", 120_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("1d", 86_400_000)]
    [InlineData(" 10S ", 10_000)]
    [InlineData("0", 0)]
    public void DurationParser_ValidText_Parsed(string text, double ms)
    {
        Assert.True(DurationParser.TryParse(text, out var d));
        Assert.Equal(TimeSpan.FromMilliseconds(ms), d);
    }

    [Theory]
    [InlineData("soon")]
    [InlineData("")]
    [InlineData("5 minutes")]
    [InlineData("10w")]
    [InlineData("NaN")]
    [InlineData("1e300h")]
    public void DurationParser_InvalidText_Rejected(string text)
        => Assert.False(DurationParser.TryParse(text, out _));

    [Fact]
    public void Breaker_AllowedFailsAndCooldown_OverriddenBySwitchyardBreaker()
    {
        var config = Load("""
            model_list:
              - model_name: a
                litellm_params:
                  model: mock/a
            router_settings:
              allowed_fails: 2
              cooldown_time: 10
            switchyard:
              breaker:
                consecutive_failures: 7
                open_duration: 1m
                half_open_probes: 2
                minimum_calls: 20
            """);

        Assert.Equal(7, config.Breaker.ConsecutiveFailures);
        Assert.Equal(TimeSpan.FromMinutes(1), config.Breaker.OpenDuration);
        Assert.Equal(2, config.Breaker.HalfOpenProbes);
        Assert.Equal(20, config.Breaker.MinimumCalls);
    }

    [Fact]
    public void Load_DeploymentDefaults_WeightOrderAndRequestDefaults()
    {
        var config = Load("""
            model_list:
              - model_name: a
                litellm_params:
                  model: gpt-4o
                  max_tokens: 512
                  temperature: 0.2
                  stop: ["\n\n"]
            """);

        var d = Assert.Single(config.Deployments);
        Assert.Equal(("openai", "openai", "gpt-4o"), (d.Provider, d.Family, d.Model));
        Assert.Equal(1, d.Weight);
        Assert.Equal(int.MaxValue, d.Order);
        Assert.Equal(["max_tokens", "stop", "temperature"], d.Defaults.Keys.Order(StringComparer.Ordinal).ToArray());
        Assert.Equal(512, (long)d.Defaults["max_tokens"]!);
        Assert.Equal(16, d.Id.Length);
    }

    [Fact]
    public void Load_NoExplicitId_DerivedIdStableAndDistinctPerEndpoint()
    {
        const string yaml = """
            model_list:
              - model_name: a
                litellm_params:
                  model: openai/gpt-4o
                  api_base: http://one:1/v1
              - model_name: a
                litellm_params:
                  model: openai/gpt-4o
                  api_base: http://two:2/v1
            """;

        var first = Load(yaml).Deployments.Select(d => d.Id).ToArray();
        var second = Load(yaml).Deployments.Select(d => d.Id).ToArray();

        Assert.Equal(first, second);
        Assert.NotEqual(first[0], first[1]);
    }

    [Fact]
    public void Load_SameEndpointListedTwiceWithoutIds_OneDeploymentWarningPointsAtEntry()
    {
        var config = Load("""
            model_list:
              - model_name: a
                litellm_params:
                  model: openai/gpt-4o
              - model_name: a
                litellm_params:
                  model: openai/gpt-4o
            """);

        Assert.Single(config.Deployments); // one id, one deployment, as LiteLLM's id hash makes it
        var w = Assert.Single(config.Warnings);
        Assert.Equal(("model_list[1]", 5), (w.Path, w.Line));
        Assert.Contains("model_list[0]", w.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_HiddenAliases_RoutableButNotPublic()
    {
        var config = Load("""
            model_list:
              - model_name: chat
                litellm_params:
                  model: mock/a
            router_settings:
              model_group_alias:
                old-name: {model: chat, hidden: true}
                new-name: chat
            """);

        var table = new RouteTable(config, new DeploymentStateRegistry(TimeProvider.System));
        Assert.Equal(["chat", "new-name"], table.PublicNames);
        Assert.Same(table.Resolve("chat"), table.Resolve("old-name"));
        Assert.Same(table.Resolve("chat"), table.Resolve("new-name"));
    }

    [Fact]
    public void LoadFile_Unreadable_ErrorNamesFile()
    {
        var path = Path.Combine(_dir, "nope.yaml");

        var e = Assert.Single(Assert.Throws<ConfigException>(() => ConfigLoader.LoadFile(path)).Errors);

        Assert.Equal(path, e.Path);
        Assert.Contains("cannot read config file", e.Message, StringComparison.Ordinal);
    }

    /// <summary>Found by the config fuzzer: YamlDotNet throws ArgumentException (not YamlException) for a malformed tag.</summary>
    [Fact]
    public void Load_MalformedYamlTag_RefusedWithConfigError()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load("!!bi[[[[nary", Path.GetTempPath(), _ => null));

        Assert.Contains("not valid YAML", e.Errors.Single().Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_DropParams_PerDeploymentOverridesTheGlobalSetting()
    {
        var config = Load("""
            model_list:
              - model_name: a
                litellm_params:
                  model: mock/a
              - model_name: a
                litellm_params:
                  model: mock/b
                  drop_params: false
              - model_name: c
                litellm_params:
                  model: mock/c
                  drop_params: true
            litellm_settings:
              drop_params: true
            """);

        Assert.Equal([true, false, true], config.Deployments.Select(d => d.DropParams));
        Assert.Empty(config.Warnings);
        Assert.False(Load("""
            model_list:
              - model_name: a
                litellm_params:
                  model: mock/a
            """).Deployments[0].DropParams);
    }

    [Fact]
    public void Load_AliasDropParams_FromBothAliasSections_WithHidden()
    {
        var config = Load("""
            model_list:
              - model_name: claude
                litellm_params:
                  model: mock/a
            router_settings:
              model_group_alias:
                claude-loose: {model: claude, drop_params: true, hidden: true}
                claude-strict: {model: claude, drop_params: false}
                claude-plain: claude
            switchyard:
              aliases:
                sy-loose: {model: claude, drop_params: true}
                sy-hidden: {model: claude, hidden: true}
                sy-plain: claude
            """);

        Assert.Empty(config.Warnings);
        Assert.Equal(["claude-loose", "sy-loose"], config.Router.DropParamsAliases.Order(StringComparer.Ordinal));
        Assert.Equal(["claude-loose", "sy-hidden"], config.Router.HiddenAliases.Order(StringComparer.Ordinal));
        Assert.Equal("claude", config.Router.ModelGroupAlias["sy-loose"]);
        Assert.Equal("claude", config.Router.ModelGroupAlias["claude-strict"]);
        Assert.False(config.Deployments[0].DropParams);
        var table = new RouteTable(config, new DeploymentStateRegistry(TimeProvider.System));
        Assert.True(table.AliasDropsParams("claude-loose"));
        Assert.True(table.AliasDropsParams("sy-loose"));
        Assert.False(table.AliasDropsParams("claude"));
        Assert.False(table.AliasDropsParams("claude-strict"));
        Assert.False(table.AliasDropsParams("sy-plain"));
        Assert.Same(table.Resolve("claude"), table.Resolve("claude-loose"));
        Assert.Equal(["claude", "claude-plain", "claude-strict", "sy-loose", "sy-plain"], table.PublicNames);
    }

    [Theory]
    [InlineData("router_settings:\n  model_group_alias:\n    x: {model: a, drop_params: maybe}", "router_settings.model_group_alias.x.drop_params", "must be true or false, got 'maybe'")]
    [InlineData("router_settings:\n  model_group_alias:\n    x: {model: a, drop_params: [true]}", "router_settings.model_group_alias.x.drop_params", "true or false")]
    [InlineData("switchyard:\n  aliases:\n    x: {model: a, drop_params: 1}", "switchyard.aliases.x.drop_params", "must be true or false, got '1'")]
    [InlineData("switchyard:\n  aliases:\n    x: {drop_params: true}", "switchyard.aliases.x", "needs model")]
    [InlineData("switchyard:\n  aliases:\n    x: {model: [a]}", "switchyard.aliases.x.model", "must be a string")]
    [InlineData("switchyard:\n  aliases:\n    x: {model: a, hidden: sometimes}", "switchyard.aliases.x.hidden", "true or false")]
    public void Load_AliasDropParams_BadValue_ErrorAtPath(string tail, string path, string message)
    {
        var errors = Errors("model_list:\n  - model_name: a\n    litellm_params:\n      model: mock/a\n" + tail);

        var e = Assert.Single(errors, e => e.Path == path);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.NotNull(e.Line);
    }

    [Fact]
    public void Load_AliasInBothSections_DifferentGroups_IsAnError_EvenInMappingForm()
    {
        var e = Assert.Single(Errors("""
            model_list:
              - model_name: a
                litellm_params:
                  model: mock/a
              - model_name: b
                litellm_params:
                  model: mock/b
            router_settings:
              model_group_alias:
                x: a
            switchyard:
              aliases:
                x: {model: b, drop_params: true}
            """));

        Assert.Equal("switchyard.aliases.x", e.Path);
        Assert.Contains("also router_settings.model_group_alias -> 'a'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_AliasUnknownKey_WarnsAndNamesIt()
    {
        var config = Load("""
            model_list:
              - model_name: a
                litellm_params:
                  model: mock/a
            switchyard:
              aliases:
                x: {model: a, drop_param: true}
            """);

        var w = Assert.Single(config.Warnings);
        Assert.Equal("switchyard.aliases.x.drop_param", w.Path);
        Assert.Empty(config.Router.DropParamsAliases);
    }
}
