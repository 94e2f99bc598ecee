using System.Text.Json;
using Switchyard.Providers.Abstractions;
using Switchyard.Providers.Gemini;

namespace Switchyard.Tests.Providers.Gemini;

/// <summary>JSON Schema cleaned to Gemini's Schema subset: what is kept, merged, inlined and refused.</summary>
public sealed class GeminiSchemaTests
{
    private static string Clean(string schema) => GeminiSchema.Clean(JsonDocument.Parse(schema).RootElement, "tools[0].function.parameters").ToJsonString();

    [Fact]
    public void Clean_TypeListsAnyOfConstAndNestedRefs_BecomeGeminiShapes()
    {
        var cleaned = Clean("""
            {"type":"object","additionalProperties":false,"definitions":{"pt":{"type":"object","properties":{"x":{"type":"number","format":"double"}},"required":["x","z"]}},
             "properties":{"kind":{"const":"point"},"at":{"$ref":"#/definitions/pt","description":"where"},"id":{"type":["integer","string"]},
               "tags":{"type":"array","items":{"type":"string","format":"email","default":"a@b"}},"n":{"oneOf":[{"type":"null"},{"type":"integer","minimum":0}]}}}
            """);

        Assert.Equal("""
            {"type":"object","properties":{"kind":{"enum":["point"],"type":"string"},"at":{"type":"object","properties":{"x":{"type":"number","format":"double"}},"required":["x"],"description":"where"},"id":{"anyOf":[{"type":"integer"},{"type":"string"}]},"tags":{"type":"array","items":{"type":"string"}},"n":{"type":"integer","minimum":0,"nullable":true}}}
            """.Trim(), cleaned);
    }

    [Fact]
    public void Clean_RecursiveRef_RefusedAsNoEquivalent_UnknownRefAsInvalid()
    {
        var recursive = Assert.Throws<TranslationException>(() => Clean("""
            {"type":"object","properties":{"node":{"$ref":"#/$defs/node"}},"$defs":{"node":{"type":"object","properties":{"next":{"$ref":"#/$defs/node"}}}}}
            """));
        var unknown = Assert.Throws<TranslationException>(() => Clean("""{"type":"object","properties":{"a":{"$ref":"https://example.com/s.json"}}}"""));

        Assert.True(recursive.NoEquivalent);
        Assert.Equal("tools[0].function.parameters.properties.node.properties.next", recursive.Param);
        Assert.False(unknown.NoEquivalent);
        Assert.Equal("tools[0].function.parameters.properties.a", unknown.Param);
    }

    [Fact]
    public void IsEmptyObject_NoPropertiesOrNothing_True_PropertiesFalse()
    {
        Assert.True(GeminiSchema.IsEmptyObject(GeminiSchema.Clean(JsonDocument.Parse("""{"type":"object","properties":{}}""").RootElement, "p")));
        Assert.True(GeminiSchema.IsEmptyObject(GeminiSchema.Clean(JsonDocument.Parse("{}").RootElement, "p")));
        Assert.False(GeminiSchema.IsEmptyObject(GeminiSchema.Clean(JsonDocument.Parse("""{"properties":{"a":{"type":"string"}}}""").RootElement, "p")));
    }
}
