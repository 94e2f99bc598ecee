using System.Text;
using System.Text.Json;
using Microsoft.ML.Tokenizers;

namespace Switchyard.Tests.Infrastructure;

/// <summary>
/// Prompt tokens as OpenAI bills a chat request, for fake upstreams that bill realistically: the exact o200k_base count
/// of each message (3 tokens of framing, the role, the content, 1 more for a name) plus 3 to prime the reply, and tools
/// rendered the way OpenAI renders them into the prompt (a TypeScript-like <c>namespace functions</c>).
/// </summary>
public static class OpenAIBilling
{
    private static readonly Lazy<Tokenizer> O200k = new(() => TiktokenTokenizer.CreateForEncoding("o200k_base"));

    public static int PromptTokens(string body)
    {
        using var doc = JsonDocument.Parse(body);
        var root = doc.RootElement;
        var tokens = 3;
        foreach (var m in root.GetProperty("messages").EnumerateArray())
        {
            tokens += 3;
            foreach (var p in m.EnumerateObject())
            {
                tokens += O200k.Value.CountTokens(p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText());
                tokens += p.NameEquals("name") ? 1 : 0;
            }
        }

        if (root.TryGetProperty("tools", out var tools))
        {
            tokens += O200k.Value.CountTokens(RenderTools(tools));
        }

        return tokens;
    }

    private static string RenderTools(JsonElement tools)
    {
        var sb = new StringBuilder("# Tools\n\n## functions\n\nnamespace functions {\n\n");
        foreach (var t in tools.EnumerateArray())
        {
            var f = t.GetProperty("function");
            sb.Append("// ").Append(f.GetProperty("description").GetString()).Append('\n');
            sb.Append("type ").Append(f.GetProperty("name").GetString()).Append(" = (_: {\n");
            foreach (var p in f.GetProperty("parameters").GetProperty("properties").EnumerateObject())
            {
                if (p.Value.TryGetProperty("description", out var d))
                {
                    sb.Append("// ").Append(d.GetString()).Append('\n');
                }

                sb.Append(p.Name).Append("?: ").Append(p.Value.GetProperty("type").GetString()).Append(",\n");
            }

            sb.Append("}) => any;\n\n");
        }

        return sb.Append("} // namespace functions").ToString();
    }
}
