using System.Text.RegularExpressions;
using Switchyard.Core.Config;

namespace Switchyard.Tests.Config;

/// <summary>
/// Realistic LiteLLM config files (Config/LiteLlmCorpus, written in the style of LiteLLM's example configs and of
/// deployments in front of Open WebUI and LibreChat) must load, with every os.environ/ variable set, and with exactly
/// the number of warnings each file declares in its <c># expect-warnings: N</c> header.
/// </summary>
public sealed partial class LiteLlmCorpusTests
{
    private static readonly string CorpusDir = Path.Combine(AppContext.BaseDirectory, "Config", "LiteLlmCorpus");

    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.GetFiles(CorpusDir, "*.yaml").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(f));
        }

        return data;
    }

    /// <summary>A value of the shape each variable needs, for the variables the file names (no others: REDIS_HOST would add a warning).</summary>
    private static Func<string, string?> Environment(string text)
    {
        var named = EnvironReference().Matches(text).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        return name => named.Contains(name) ? Value(name) : null;
    }

    private static string Value(string name) => name switch
    {
        "DATABASE_URL" => "postgresql://litellm:pw@db:5432/litellm",
        _ when name.Contains("MODEL", StringComparison.Ordinal) => "openai/gpt-4o-mini",
        _ when name.Contains("BASE", StringComparison.Ordinal) || name.EndsWith("URL", StringComparison.Ordinal) => "https://example.test/" + name.ToLowerInvariant(),
        _ => "sk-test-" + name.ToLowerInvariant() + "-0123456789",
    };

    [Fact]
    public void Corpus_HasTheFiles()
        => Assert.True(Files().Count >= 6, $"the corpus in {CorpusDir} is missing");

    [Theory]
    [MemberData(nameof(Files))]
    public void Load_CorpusFile_LoadsWithTheWarningsItDeclares(string file)
    {
        var path = Path.Combine(CorpusDir, file);
        var text = File.ReadAllText(path);
        var expected = int.Parse(ExpectWarnings().Match(text).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

        var config = ConfigLoader.Load(text, CorpusDir, Environment(text));

        Assert.True(expected == config.Warnings.Count, $"{file}: expected {expected} warnings, got:\n  " + string.Join("\n  ", config.Warnings));
        Assert.True(config.StoreModelInDb || config.Deployments.Any(d => d.Enabled), $"{file}: no enabled deployment");
    }

    [GeneratedRegex(@"os\.environ/([A-Za-z0-9_]+)")]
    private static partial Regex EnvironReference();

    [GeneratedRegex(@"^# expect-warnings: (\d+)", RegexOptions.Multiline)]
    private static partial Regex ExpectWarnings();
}
