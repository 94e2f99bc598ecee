using Switchyard.Core.Routing;

namespace Switchyard.Tests.Core;

public sealed class WildcardPatternTests
{
    [Theory]
    [InlineData("*", "gpt-4o", true)]
    [InlineData("*", "", true)]
    [InlineData("openai/*", "openai/gpt-4o", true)]
    [InlineData("openai/*", "openai/", true)]
    [InlineData("openai/*", "anthropic/claude", false)]
    [InlineData("openai/*", "xopenai/gpt-4o", false)]
    [InlineData("*-preview", "gpt-preview", true)]
    [InlineData("*-preview", "gpt-preview-2", false)]
    [InlineData("a*b*c", "aXbYbZc", true)]
    [InlineData("a*b*c", "aXbYbZ", false)]
    [InlineData("fo::*::static::*", "fo::bar::static::baz", true)]
    [InlineData("gpt.4", "gpt-4", false)]
    public void Matches_AgreesWithTheCompiledPattern(string pattern, string name, bool expected)
    {
        Assert.Equal(expected, WildcardPattern.Matches(pattern, name));
        Assert.Equal(expected, new WildcardPattern(pattern).IsMatch(name));
    }

    [Theory]
    [InlineData("openai/*", "*", "openai/gpt-4o", "gpt-4o")]
    [InlineData("*", "*", "llama-3", "llama-3")]
    [InlineData("openai/gpt-4o-*", "gpt-4o-*-pinned", "openai/gpt-4o-mini", "gpt-4o-mini-pinned")]
    [InlineData("fo::*::static::*", "fo::*::static::*", "fo::bar::static::baz", "fo::bar::static::baz")]
    [InlineData("*meta.llama3*", "meta.llama3*", "hello-meta.llama3-70b", "hello-meta.llama3-70b")] // more runs than *s: the name
    [InlineData("*/*", "*", "acme/model", "acme/model")]
    [InlineData("openai/*", "fixed-model", "openai/gpt-4o", "fixed-model")]
    public void Substitute_FillsTheModelsStarsLeftToRight(string pattern, string model, string name, string expected)
    {
        var runs = new WildcardPattern(pattern).Match(name)!;
        Assert.Equal(expected, WildcardPattern.Substitute(model, runs, name));
    }
}
