using System.Text;
using CsCheck;
using Switchyard.Core.Config;

namespace Switchyard.Tests.Fuzz;

/// <summary>
/// The config loader under mutated YAML: a file is loaded or refused with a <see cref="ConfigException"/> that lists
/// its errors; never another exception type (which would crash a start or a reload), never a hang.
/// </summary>
[Collection(FuzzCollection.Name)]
public sealed class ConfigLoaderFuzzTests
{
    private const string Full = """
        model_list:
          - model_name: router.default
            litellm_params:
              model: openai/gpt-4o-mini
              api_key: os.environ/OPENAI_API_KEY
              timeout: 60
              stream_timeout: 20
              order: 1
              rpm: 100
              tpm: 100000
          - model_name: router.default
            litellm_params:
              model: anthropic/claude-3-5-haiku-latest
              api_key: os.environ/ANTHROPIC_API_KEY
              max_tokens: 1024
            model_info:
              id: claude-1
              input_cost_per_token: 0.000001
          - model_name: embed
            litellm_params:
              model: mock/embed
            model_info:
              mode: embedding
              offline_standby: true
        router_settings:
          routing_strategy: simple-shuffle
          num_retries: 2
          timeout: 60
          allowed_fails: 3
          cooldown_time: 30
          fallbacks:
            - router.default: [embed]
          context_window_fallbacks: [{router.default: [embed]}]
          redis_host: 127.0.0.1
          redis_port: 6379
          redis_password: os.environ/REDIS_PASSWORD
        litellm_settings:
          drop_params: true
          request_timeout: 30
        general_settings:
          master_key: sk-fuzz-master-0001
          database_url: postgresql://sy:pw@127.0.0.1:5432/switchyard
        switchyard:
          server:
            host: 127.0.0.1
            port: 4000
            max_body_bytes: 4194304
          breaker:
            failure_ratio: 0.5
            window: 30s
            minimum_calls: 10
            open_duration: 30s
          tenants:
            - tenant_id: acme
              models: [router.default]
              rpm_limit: 60
              tpm_limit: 100000
              max_budget: 10.5
              budget_duration: 30d
              alias_limits:
                router.default: {rpm: 10, tpm: 1000}
          canaries:
            router.default: {target: embed, percent: 5}
          shared:
            key_prefix: "sy:"
            on_redis_failure: fail_open
            replicas: 3
            state: [limits, budgets, breakers]
            timeout: 250ms
            replica_ttl: 15s
            key_refresh: 5s
          spend:
            journal: ./spend.journal
        """;

    private static readonly string Default = File.ReadAllText(Infrastructure.TestPaths.DefaultConfig)
        .Replace("master_key_file:", "# master_key_file:", StringComparison.Ordinal);

    [Fact]
    public Task Load_MutatedYaml_LoadsOrRefusesWithConfigException()
    {
        var folder = Path.Combine(Path.GetTempPath(), "switchyard-tests", "fuzz-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var source = Gen.OneOf(Full, Default).Select(Encoding.UTF8.GetBytes);
        var gen = Gen.Frequency(((int, IGen<byte[]>))(5, Mutations.Mutate(source, 6)), (1, Gen.Byte.Array[0, 400]));
        return FuzzRun.CheckAsync(gen.Select(b => Encoding.UTF8.GetString(b)), yaml =>
        {
            try
            {
                // every variable set, except those that would name a store or a Redis server the file does not
                ConfigLoader.Load(yaml, folder, n => n.StartsWith("DATABASE_", StringComparison.Ordinal) || n is "REDIS_HOST" or "REDIS_URL" or "REDIS_PORT" ? null : "sk-fuzz-env");
            }
            catch (ConfigException e)
            {
                Assert.NotEmpty(e.Errors);
            }
        }, cases: 1500, describe: y => y);
    }
}
