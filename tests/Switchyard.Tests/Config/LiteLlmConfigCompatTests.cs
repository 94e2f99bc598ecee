using Switchyard.Core.Config;
using Switchyard.Core.Routing;

namespace Switchyard.Tests.Config;

/// <summary>LiteLLM config.yaml files as people write them: the real loader on real YAML text.</summary>
public sealed class LiteLlmConfigCompatTests : IDisposable
{
    private const string MasterKey = "\ngeneral_settings:\n  master_key: sk-config-test-key\n";
    private readonly string _dir = Directory.CreateTempSubdirectory("switchyard-litellm-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private GatewayConfig Load(string yaml, IDictionary<string, string>? env = null)
        => ConfigLoader.Load(yaml.Contains("general_settings:", StringComparison.Ordinal) ? yaml : yaml + MasterKey, _dir, n => env?.TryGetValue(n, out var v) == true ? v : null);

    private IReadOnlyList<ConfigDiagnostic> Errors(string yaml, IDictionary<string, string>? env = null)
        => Assert.Throws<ConfigException>(() => Load(yaml, env)).Errors;

    [Fact]
    public void Load_Yaml11Scalars_UnderscoredIntegersAndYesNoReadAsPyYamlDoes()
    {
        var config = Load("""
            model_list:
              - model_name: azure-gpt
                litellm_params:
                  model: azure/gpt-4o
                  api_base: https://example.openai.azure.com
                  tpm: 20_000
                  rpm: 1_800
                  max_tokens: 4_096
            litellm_settings:
              drop_params: yes
              num_retries: 0x3
            """);

        var d = Assert.Single(config.Deployments);
        Assert.Equal(20000, d.Tpm);
        Assert.Equal(1800, d.Rpm);
        Assert.Equal(4096, d.Defaults["max_tokens"]!.GetValue<long>());
        Assert.True(d.DropParams);
        Assert.Equal(3, config.Router.NumRetries);
        Assert.Empty(config.Warnings);
    }

    [Fact]
    public void Load_DuplicateSectionAndKey_LastOneWinsAndEachIsWarnedWithItsLine()
    {
        var config = Load("""
            model_list:
              - model_name: chat
                litellm_params:
                  model: mock/a
            litellm_settings:
              num_retries: 1
            router_settings:
              timeout: 10
              timeout: 20
            litellm_settings:
              num_retries: 3
            """);

        Assert.Equal(3, config.Router.NumRetries);
        Assert.Equal(TimeSpan.FromSeconds(20), config.Router.Timeout);
        var warnings = config.Warnings.OrderBy(w => w.Line).ToArray();
        Assert.Equal(2, warnings.Length);
        Assert.Equal(("litellm_settings", 5), (warnings[0].Path, warnings[0].Line));
        Assert.Contains("the one at line 10 is used", warnings[0].Message, StringComparison.Ordinal);
        Assert.Equal(("router_settings.timeout", 8), (warnings[1].Path, warnings[1].Line));
    }

    [Fact]
    public void Load_MergeKeyOverridden_NoDuplicateWarning()
    {
        var config = Load("""
            model_list:
              - model_name: a
                litellm_params: &base
                  model: mock/a
                  rpm: 10
              - model_name: b
                litellm_params:
                  <<: *base
                  rpm: 20
            """);

        Assert.Equal([10, 20], config.Deployments.Select(d => d.Rpm ?? 0));
        Assert.Empty(config.Warnings);
    }

    [Fact]
    public void Load_SyntaxErrorInOneSection_OtherSectionsStillChecked()
    {
        var errors = Errors("""
            model_list:
              - model_name: chat
                litellm_params:
                  model: bogus/x
            router_settings:
              fallbacks: [ {chat: [x]}
              num_retries: 2
            litellm_settings:
              request_timeout: soon
            """);

        Assert.Contains(errors, e => e.Path == "(file)" && e.Message.StartsWith("not valid YAML", StringComparison.Ordinal) && e.Line is >= 6 and <= 7);
        Assert.Contains(errors, e => e.Path == "model_list[0].litellm_params.model" && e.Line == 4);
        Assert.Contains(errors, e => e.Path == "litellm_settings.request_timeout" && e.Line == 9);
    }

    [Fact]
    public void Load_SameModelAndApiBaseWithDifferentKeys_SeveralDeploymentsWithoutTheKeyInTheirIds()
    {
        const string key1 = "sk-first-0123456789", key2 = "sk-second-0123456789";
        var config = Load($"""
            model_list:
              - model_name: gpt-4o
                litellm_params: {"{"} model: openai/gpt-4o, api_key: {key1} {"}"}
              - model_name: gpt-4o
                litellm_params: {"{"} model: openai/gpt-4o, api_key: os.environ/OPENAI_KEY_2 {"}"}
              - model_name: gpt-4o
                litellm_params: {"{"} model: openai/gpt-4o, api_key: os.environ/OPENAI_KEY_3 {"}"}
            """, new Dictionary<string, string> { ["OPENAI_KEY_2"] = key2, ["OPENAI_KEY_3"] = key2 });

        Assert.Equal(3, config.Deployments.Select(d => d.Id).Distinct().Count());
        Assert.All(config.Deployments, d => Assert.DoesNotContain("sk-", d.Id, StringComparison.Ordinal));
        Assert.All(config.Deployments, d => Assert.Equal(16, d.Id.Length));
    }

    [Fact]
    public void Load_EnvironReferenceInAnyValue_ResolvedAndMissingOneNamed()
    {
        var env = new Dictionary<string, string> { ["CHAT_MODEL"] = "openai/gpt-4o-mini", ["CHAT_RPM"] = "1_000", ["CHAT_STREAM"] = "true" };
        var config = Load("""
            model_list:
              - model_name: chat
                litellm_params:
                  model: os.environ/CHAT_MODEL
                  rpm: os.environ/CHAT_RPM
                  drop_params: os.environ/CHAT_STREAM
            """, env);

        var d = Assert.Single(config.Deployments);
        Assert.Equal(("openai", "gpt-4o-mini", 1000, true), (d.Provider, d.Model, d.Rpm, d.DropParams));

        var e = Assert.Single(Errors("""
            model_list:
              - model_name: chat
                litellm_params:
                  model: mock/a
                  tpm: os.environ/CHAT_TPM
            """));
        Assert.Equal(("model_list[0].litellm_params.tpm", 5), (e.Path, e.Line));
        Assert.Contains("environment variable CHAT_TPM is not set (the value is os.environ/CHAT_TPM)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_TextCompletionOpenAIWithoutApiBase_UsesOpenAIsEndpoint()
    {
        var d = Assert.Single(Load("""
            model_list:
              - model_name: instruct
                litellm_params:
                  model: text-completion-openai/gpt-3.5-turbo-instruct
                  api_key: sk-literal-key-0123456789
            """).Deployments);

        Assert.Equal("https://api.openai.com/v1", d.ApiBase);
        Assert.Equal(ProviderFamilies.OpenAI, d.Family);
    }

    [Theory]
    [InlineData("usage-based-routing-v2")]
    [InlineData("usage-based-routing")]
    public void Load_UsageBasedRouting_MapsToTheHeadroomStrategy(string name)
    {
        var config = Load($"model_list:\n  - model_name: a\n    litellm_params: {{model: mock/a}}\nrouter_settings:\n  routing_strategy: {name}\n");

        Assert.Equal(RoutingStrategy.UsageBased, config.Router.Strategy);
        Assert.Empty(config.Warnings);
    }

    [Fact]
    public void Pick_UsageBased_ChoosesTheDeploymentWithTheMostRpmHeadroom()
    {
        var config = Load("""
            model_list:
              - model_name: chat
                litellm_params: {model: mock/a, rpm: 10}
                model_info: {id: busy}
              - model_name: chat
                litellm_params: {model: mock/b, rpm: 100}
                model_info: {id: roomy}
            router_settings:
              routing_strategy: usage-based-routing-v2
            """);
        var table = new RouteTable(config, new DeploymentStateRegistry(TimeProvider.System));
        var group = table.Resolve("chat")!;
        var now = DateTimeOffset.UnixEpoch.AddHours(1);
        string? Pick() => DeploymentSelector.Pick(group, config.Router.Strategy, now, [], static (_, _) => true, new Random(1))?.Config.Id;

        // roomy: 60 of 100 used (40% left); busy: 2 of 10 used (80% left)
        for (var i = 0; i < 60; i++)
        {
            group.Deployments.Single(d => d.Config.Id == "roomy").State.TryTakeRequestSlot(now);
        }

        group.Deployments.Single(d => d.Config.Id == "busy").State.TryTakeRequestSlot(now);
        group.Deployments.Single(d => d.Config.Id == "busy").State.TryTakeRequestSlot(now);
        Assert.Equal("busy", Pick());

        // busy: 9 of 10 used (10% left): roomy now has more
        for (var i = 0; i < 7; i++)
        {
            group.Deployments.Single(d => d.Config.Id == "busy").State.TryTakeRequestSlot(now);
        }

        Assert.Equal("roomy", Pick());
    }

    [Fact]
    public void Load_EmptyModelListWithStoreModelInDb_LoadsWithANotice()
    {
        var config = Load("""
            model_list: []
            general_settings:
              master_key: sk-config-test-key
              store_model_in_db: true
            """);

        Assert.Empty(config.Deployments);
        Assert.True(config.StoreModelInDb);
        Assert.Empty(config.Warnings);
        var n = Assert.Single(config.Notices);
        Assert.Equal("model_list", n.Path);
        Assert.Contains("store_model_in_db", n.Message, StringComparison.Ordinal);

        var w = Assert.Single(Load("model_list: []").Warnings); // without the setting: loads too (as LiteLLM does), with a warning
        Assert.Contains("store_model_in_db", w.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_OneUnusableDeployment_DisabledWithAFindingAndTheRestLoad()
    {
        var config = Load("""
            model_list:
              - model_name: chat
                litellm_params:
                  model: mock/a
              - model_name: dall-e
                litellm_params:
                  model: azure/
                  api_base: https://example.openai.azure.com
            """);

        Assert.Equal(2, config.Deployments.Count);
        var image = config.Deployments.Single(d => d.ModelName == "dall-e");
        Assert.False(image.Enabled);
        Assert.Contains("names no model", image.DisabledReason, StringComparison.Ordinal);
        Assert.True(config.Deployments.Single(d => d.ModelName == "chat").Enabled);
        var w = Assert.Single(config.Warnings, w => w.Path.StartsWith("model_list[1]", StringComparison.Ordinal));
        Assert.Equal(("model_list[1].litellm_params.model", 7), (w.Path, w.Line));
        Assert.Contains("deployment name", w.Message, StringComparison.Ordinal);

        var e = Assert.Single(Errors("model_list:\n  - model_name: x\n    litellm_params:\n      model: azure/\n      api_base: https://example.openai.azure.com\n"));
        Assert.Equal("model_list", e.Path);
        Assert.Contains("no deployment is usable", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_AzureOSeriesHint_DeploymentNameWithoutTheHintAndMarkedOSeries()
    {
        var config = Load("""
            model_list:
              - model_name: o1
                litellm_params:
                  model: azure/o_series/o1
                  api_base: https://example.openai.azure.com
              - model_name: gpt
                litellm_params:
                  model: azure/gpt-4o
                  api_base: https://example.openai.azure.com
            """);

        var o1 = config.Deployments.Single(d => d.ModelName == "o1");
        Assert.Equal(("o1", true), (o1.Model, o1.OSeries));
        Assert.False(config.Deployments.Single(d => d.ModelName == "gpt").OSeries);
    }

    [Theory]
    [InlineData("custom_auth", "custom_auth: custom_auth.user_api_key_auth", "scoped tokens")]
    [InlineData("key_management_system", "key_management_system: hashicorp_vault", "os.environ/NAME and file:PATH")]
    public void Load_SettingThatChangesWhoMayCall_RefusedUnlessAcknowledged(string key, string line, string instead)
    {
        var yaml = $"model_list:\n  - model_name: a\n    litellm_params: {{model: mock/a}}\ngeneral_settings:\n  master_key: sk-config-test-key\n  {line}\n";

        var e = Assert.Single(Errors(yaml));
        Assert.Equal(("general_settings." + key, 6), (e.Path, e.Line));
        Assert.Contains(instead, e.Message, StringComparison.Ordinal);
        Assert.Contains($"switchyard.compat.acknowledge: [{key}]", e.Message, StringComparison.Ordinal);

        var config = Load(yaml + $"switchyard:\n  compat:\n    acknowledge: [{key}]\n");
        var w = Assert.Single(config.Warnings);
        Assert.Contains("acknowledged", w.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_CompatAcknowledgeUnknownName_Error()
    {
        var e = Assert.Single(Errors("model_list:\n  - model_name: a\n    litellm_params: {model: mock/a}\nswitchyard:\n  compat:\n    acknowledge: [custom_ath]\n"));

        Assert.Equal("switchyard.compat.acknowledge[0]", e.Path);
        Assert.Contains("did you mean 'custom_auth'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_KeyOverriddenEmptyByEnvironmentVariables_SaysSo()
    {
        var config = Load("""
            environment_variables:
              OPENAI_API_KEY: ""
            model_list:
              - model_name: a
                litellm_params: {model: openai/gpt-4o, api_key: os.environ/OPENAI_API_KEY}
              - model_name: b
                litellm_params: {model: mock/b}
            """, new Dictionary<string, string> { ["OPENAI_API_KEY"] = "sk-from-process-0123456789" });

        var w = Assert.Single(config.Warnings, w => w.Path == "model_list[0].litellm_params.api_key");
        Assert.Contains("OPENAI_API_KEY is set to an empty value by environment_variables", w.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not set", w.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_GeneralSettingsAlerting_MapsToAlertSinks()
    {
        var config = Load("""
            model_list:
              - model_name: a
                litellm_params: {model: mock/a}
            general_settings:
              master_key: sk-config-test-key
              alerting: ["slack", "webhook", "email"]
              alerting_threshold: 300
              maximum_spend_logs_retention_period: 7d
            """, new Dictionary<string, string> { ["SLACK_WEBHOOK_URL"] = "https://hooks.slack.example/T1", ["WEBHOOK_URL"] = "https://alerts.example/in" });

        Assert.Equal(
            [("slack", "https://hooks.slack.example/T1"), ("webhook", "https://alerts.example/in")],
            config.Alerts.Sinks.Select(s => (s.Type, s.Url)));
        var w = Assert.Single(config.Warnings);
        Assert.Equal("general_settings.alerting[2]", w.Path);
        Assert.Equal(TimeSpan.FromDays(7), config.Store.SpendRetention);
        Assert.Contains(config.Notices, n => n.Path == "general_settings.alerting_threshold");
    }

    [Fact]
    public void Load_LitellmSettingsAllowedFails_ReachesTheBreakerAndRouterSettingsWins()
    {
        const string list = "model_list:\n  - model_name: a\n    litellm_params: {model: mock/a}\n";

        Assert.Equal(4, Load(list + "litellm_settings:\n  allowed_fails: 3\n").Breaker.ConsecutiveFailures);
        Assert.Equal(2, Load(list + "litellm_settings:\n  allowed_fails: 3\nrouter_settings:\n  allowed_fails: 1\n").Breaker.ConsecutiveFailures);
    }

    [Fact]
    public void Load_OrganizationAndExtraHeaders_ReadWithReferences()
    {
        var d = Assert.Single(Load("""
            model_list:
              - model_name: a
                litellm_params:
                  model: openai/gpt-4o
                  api_key: sk-literal-key-0123456789
                  organization: os.environ/OPENAI_ORG
                  extra_headers:
                    X-Team: research
                    X-Secret: os.environ/TEAM_SECRET
            """, new Dictionary<string, string> { ["OPENAI_ORG"] = "org-123", ["TEAM_SECRET"] = "s3cret-value" }).Deployments);

        Assert.Equal("org-123", d.Organization);
        Assert.Equal("research", d.ExtraHeaders["X-Team"]);
        Assert.Equal("s3cret-value", d.ExtraHeaders["x-secret"]);
    }

    [Fact]
    public void Load_DefaultParams_EveryDeploymentsDefaultsWithItsOwnWinning_DefaultModelKept()
    {
        var config = Load("""
            model_list:
              - model_name: a
                litellm_params: {model: mock/a, temperature: 0.2}
              - model_name: b
                litellm_params: {model: mock/b}
            litellm_settings:
              default_params:
                temperature: 0.7
                max_tokens: 1_024
              default_model: a
            """);

        var a = config.Deployments.Single(d => d.ModelName == "a");
        var b = config.Deployments.Single(d => d.ModelName == "b");
        Assert.Equal(0.2, a.Defaults["temperature"]!.GetValue<double>());
        Assert.Equal(0.7, b.Defaults["temperature"]!.GetValue<double>());
        Assert.Equal(1024, b.Defaults["max_tokens"]!.GetValue<long>());
        Assert.Empty(config.Warnings);
        Assert.Equal("a", config.Router.DefaultModel); // routing to it: LiteLlmCorpusFixesTests
    }

    [Fact]
    public void Load_HarmlessLoggingKeys_AcceptedWithoutAWord()
    {
        var config = Load("""
            model_list:
              - model_name: a
                litellm_params: {model: mock/a}
            litellm_settings:
              set_verbose: True
              json_logs: true
              telemetry: False
              turn_off_message_logging: true
            general_settings:
              master_key: sk-config-test-key
              debug: false
              proxy_batch_write_at: 60
            """);

        Assert.Empty(config.Warnings);
        Assert.Empty(config.Notices);
    }
}
