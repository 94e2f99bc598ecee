using System.Text.RegularExpressions;
using Switchyard.Core.Config;
using Xunit.Abstractions;

namespace Switchyard.Tests.Config;

/// <summary>
/// The 52 published LiteLLM config files of issue 13 (Config/LiteLlmCorpus/Public, sources in its MANIFEST.md), loaded
/// as <c>switchyard doctor</c> loads a file, with every os.environ/ variable the file names set: each file loads, or
/// is refused only because it names a provider Switchyard lacks, and then exactly the providers listed for it here.
/// </summary>
public sealed partial class LiteLlmPublicCorpusTests(ITestOutputHelper output)
{
    private static readonly string CorpusDir = Path.Combine(AppContext.BaseDirectory, "Config", "LiteLlmCorpus", "Public");

    /// <summary>The files refused, each with every provider prefix its refusal names. Every other file must load.</summary>
    private static readonly Dictionary<string, string[]> Refused = new(StringComparer.Ordinal)
    {
        ["0xxmemo-litellmctl-gateway.yaml"] = ["alibaba", "chatgpt", "gemini_cli", "kimi_code", "minimax", "qwen_portal"],
        ["j3brns-litellm-openwebui-bootstrap.yaml"] = ["text-completion-codestral"],
        ["litellm-cookbook_misc_config.yaml"] = ["sagemaker"],
        ["litellm-load_balancer.yaml"] = ["mistralai"], // mistralai/mistral-7b-instruct: no provider of that name in LiteLLM either
        ["litellm-proxy_server_config.yaml"] = ["sagemaker"],
        ["pankaj28843-litellm-proxy-headroom.yaml"] = ["chatgpt"],
    };

    /// <summary>
    /// Files refused on purpose (issue 13: LiteLLM's custom_auth decides who may call; ignoring it would let everyone in):
    /// they load once the difference is acknowledged with <c>switchyard.compat.acknowledge</c>.
    /// </summary>
    private static readonly Dictionary<string, string> AcknowledgeToLoad = new(StringComparer.Ordinal)
    {
        ["guybarros-vault-keycloak-litellm-gateway.yaml"] = "custom_auth",
        ["litellm-pass_through_config.yaml"] = "custom_auth",
    };

    /// <summary>
    /// Variables a file relies on without naming them as os.environ/ (LiteLLM reads them itself): Redis for a redis cache
    /// with no host, Langfuse's keys for the langfuse callback. The deployment environment sets them.
    /// </summary>
    private static readonly Dictionary<string, string[]> ImplicitVariables = new(StringComparer.Ordinal)
    {
        ["litellm-multi_instance_simple_config.yaml"] = ["REDIS_HOST", "REDIS_PORT", "REDIS_PASSWORD"],
        ["litellm-spend_tracking_config.yaml"] = ["REDIS_HOST", "REDIS_PORT", "REDIS_PASSWORD"],
        ["ruanbekker-ollama-litellm-openwebui.yaml"] = ["REDIS_HOST", "REDIS_PORT", "REDIS_PASSWORD"],
        ["markwuenschel-litellm-langfuse-gateway.yaml"] = ["LANGFUSE_PUBLIC_KEY", "LANGFUSE_SECRET_KEY", "LANGFUSE_HOST"],
    };

    private static List<string> FileNames()
        => [.. Directory.GetFiles(CorpusDir, "*.yaml").Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)];

    public static TheoryData<string> Files() => [.. FileNames()];

    /// <summary>The providers a file's refusal must name (its <see cref="Refused"/> entry), sorted.</summary>
    private static string[] Expected(string file)
        => Refused.TryGetValue(file, out var providers) ? [.. providers.Order(StringComparer.Ordinal)] : [];

    [Fact]
    public void Corpus_HasTheFiftyTwoFilesEachInTheManifest()
    {
        Assert.Equal(52, FileNames().Count);
        var manifest = System.IO.File.ReadAllText(Path.Combine(CorpusDir, "MANIFEST.md"));
        Assert.All(FileNames(), f => Assert.Contains("`" + f + "`", manifest, StringComparison.Ordinal));
    }

    [Fact]
    public void Expectations_NameOnlyCorpusFiles()
        => Assert.All(Refused.Keys.Concat(AcknowledgeToLoad.Keys).Concat(ImplicitVariables.Keys), f => Assert.Contains(f, FileNames()));

    [Theory]
    [MemberData(nameof(Files))]
    public void Load_PublishedConfig_LoadsOrIsRefusedOnlyForTheProvidersListed(string file)
    {
        var outcome = Outcome.Of(file);
        var expected = Expected(file);

        if (AcknowledgeToLoad.TryGetValue(file, out var setting))
        {
            Assert.All(outcome.Errors, e => Assert.Equal("general_settings." + setting, e.Path));
            Assert.NotEmpty(outcome.Errors);
            var acknowledged = Outcome.Of(file, $"\nswitchyard:\n  compat:\n    acknowledge: [{setting}]\n");
            Assert.True(acknowledged.Errors.Count == 0, $"{file} must load once {setting} is acknowledged; refused with:\n  " + string.Join("\n  ", acknowledged.Errors));
            return;
        }

        if (expected.Length == 0)
        {
            Assert.True(outcome.Errors.Count == 0, $"{file} must load; refused with:\n  " + string.Join("\n  ", outcome.Errors));
            return;
        }

        var notProvider = outcome.Errors.Where(e => ProviderRefusal().Match(e.Message) is not { Success: true }).ToList();
        Assert.True(notProvider.Count == 0, $"{file} must be refused only for missing providers; also:\n  " + string.Join("\n  ", notProvider));
        Assert.Equal(expected, outcome.RefusedProviders);
    }

    [Fact]
    public void Corpus_Tally()
    {
        var outcomes = FileNames().Select(Outcome.Of).ToList();
        var loaded = outcomes.Count(o => o.Errors.Count == 0);
        var clean = outcomes.Count(o => o.Errors.Count == 0 && o.Warnings.Count == 0);
        output.WriteLine($"{loaded} of {outcomes.Count} load ({clean} without warnings)");
        foreach (var o in outcomes)
        {
            output.WriteLine($"{o.File}: {(o.Errors.Count == 0 ? "loads" : "refused")}, {o.Warnings.Count} warnings");
            foreach (var e in o.Errors)
            {
                output.WriteLine("  E " + e);
            }

            foreach (var w in o.Warnings)
            {
                output.WriteLine("  W " + w);
            }
        }

        Assert.Equal(outcomes.Count - Refused.Keys.Count(f => Expected(f).Length > 0) - AcknowledgeToLoad.Count, loaded);
    }

    private sealed record Outcome(string File, IReadOnlyList<ConfigDiagnostic> Errors, IReadOnlyList<ConfigDiagnostic> Warnings)
    {
        public string[] RefusedProviders => Errors.Select(e => ProviderRefusal().Match(e.Message)).Where(m => m.Success)
            .Select(m => m.Groups[1].Value).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();

        public static Outcome Of(string file) => Of(file, "");

        public static Outcome Of(string file, string appended)
        {
            var text = System.IO.File.ReadAllText(Path.Combine(CorpusDir, file)) + appended;
            try
            {
                var config = ConfigLoader.Load(text, CorpusDir, Environment(text, ImplicitVariables.GetValueOrDefault(file) ?? []));
                return new(file, [], config.Warnings);
            }
            catch (ConfigException e)
            {
                return new(file, e.Errors, []);
            }
        }
    }

    /// <summary>A value of the shape each variable needs, for the variables the file names (no others: REDIS_HOST would add a warning).</summary>
    private static Func<string, string?> Environment(string text, string[] implicitVariables)
    {
        var named = EnvironReference().Matches(text).Select(m => m.Groups[1].Value).Concat(implicitVariables).ToHashSet(StringComparer.Ordinal);
        return name => named.Contains(name) ? Value(name) : null;
    }

    private static string Value(string name) => name switch
    {
        "DATABASE_URL" => "postgresql://litellm:pw@db:5432/litellm",
        _ when name.EndsWith("_PORT", StringComparison.Ordinal) => "6379",
        _ when name.EndsWith("_HOST", StringComparison.Ordinal) && name.Contains("REDIS", StringComparison.Ordinal) => "redis",
        "LANGFUSE_HOST" => "https://cloud.langfuse.com",
        _ when name.EndsWith("API_VERSION", StringComparison.Ordinal) => "2024-10-21",
        _ when name.EndsWith("REGION_NAME", StringComparison.Ordinal) => "us-east-1",
        _ when name.EndsWith("_MODEL", StringComparison.Ordinal) => "openai/gpt-4o-mini",
        _ when name.Contains("BASE", StringComparison.Ordinal) || name.EndsWith("URL", StringComparison.Ordinal) || name.EndsWith("_HOST", StringComparison.Ordinal)
            => "https://example.test/" + name.ToLowerInvariant(),
        _ => "sk-test-" + name.ToLowerInvariant() + "-0123456789",
    };

    [GeneratedRegex(@"os\.environ/([A-Za-z0-9_]+)")]
    private static partial Regex EnvironReference();

    [GeneratedRegex(@"provider '([^']+)' is not supported")]
    private static partial Regex ProviderRefusal();
}
