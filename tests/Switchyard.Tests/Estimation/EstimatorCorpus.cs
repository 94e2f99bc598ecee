using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Switchyard.Tests.Estimation;

/// <summary>One calibration sample: a category and the text a provider would tokenize.</summary>
public sealed record CorpusSample(string Category, string Name, string Text);

/// <summary>
/// The calibration corpus for the prompt estimate: real-looking prompts of each kind that makes BPE token counts
/// diverge (English prose, real docs and source files, source code, JSON tool schemas, CJK, Cyrillic, base64 and hex blobs, long unbroken words,
/// numbers, emoji, mixed agent transcripts), built deterministically from fixed seeds in a few sizes.
/// </summary>
public static class EstimatorCorpus
{
    private static readonly string[] Words =
    [
        "the", "of", "and", "to", "a", "in", "is", "you", "that", "it", "for", "with", "as", "are", "on", "be", "this", "tool",
        "file", "when", "user", "should", "always", "never", "before", "after", "answer", "question", "repository", "function",
        "configuration", "environment", "carefully", "instructions", "assistant", "request", "response", "message", "directory",
        "implementation", "documentation", "authentication", "permissions", "unfortunately", "straightforward", "characteristics",
        "available", "information", "important", "following", "example", "output", "command", "results", "system", "agent",
        "OpenClaw", "JavaScript", "TypeScript", "GitHub", "Kubernetes", "PostgreSQL", "API", "JSON", "HTTP", "URL", "CLI",
        "don't", "it's", "you're", "e.g.", "i.e.", "etc.", "ask", "run", "read", "write", "edit", "search", "fetch", "memory",
    ];

    private static readonly string[] Code =
    [
        "public sealed class {0}Service(ILogger<{0}Service> logger, TimeProvider time)\n{{\n",
        "    private readonly Dictionary<string, int> _counts = new(StringComparer.Ordinal);\n",
        "    public async Task<IReadOnlyList<{0}>> LoadAsync(CancellationToken cancellationToken)\n    {{\n",
        "        var items = await _store.QueryAsync(x => x.Id == id && !x.Deleted, cancellationToken).ConfigureAwait(false);\n",
        "        for (var i = 0; i < items.Count; i++) {{ total += items[i].Weight * 0.5; }}\n",
        "def parse_args(argv: list[str]) -> argparse.Namespace:\n    parser = argparse.ArgumentParser(prog=\"{0}\")\n",
        "    if not os.path.exists(path):\n        raise FileNotFoundError(f\"missing {{path!r}}\")\n",
        "const handler = async (req, res) => {{ const {{ id }} = req.params; res.json(await db.get(id) ?? null); }};\n",
        "        // TODO(perf): avoid the copy here; see #{1}\n        return string.Join(\",\", values.Select(v => v.ToString(\"x8\")));\n",
        "    }}\n}}\n\n",
        "SELECT u.id, u.email, COUNT(o.id) AS orders FROM users u LEFT JOIN orders o ON o.user_id = u.id GROUP BY u.id;\n",
        "\tif err != nil {{\n\t\treturn nil, fmt.Errorf(\"open %s: %w\", name, err)\n\t}}\n",
    ];

    private const string Cjk = "请根据以下要求完成任务。你是一个有帮助的助手，需要仔细阅读用户提供的文件并回答问题。如果不确定，请先询问。東京都の天気は晴れです。日本語の文章も含まれています。한국어 문장도 포함되어 있습니다. 数据库连接失败，请检查配置文件中的端口号和密码。鬱蒼とした森の奥に、龘靐齉爩などの珍しい漢字がある。";

    private const string Cyrillic = "Пожалуйста, внимательно прочитайте инструкции перед запуском команды. Конфигурация сервера хранится в файле настроек. ";

    private const string OtherScripts = "कृपया कमांड चलाने से पहले निर्देश ध्यान से पढ़ें। يرجى قراءة التعليمات بعناية قبل تشغيل الأمر. กรุณาอ่านคำแนะนำอย่างละเอียดก่อนเรียกใช้คำสั่ง Παρακαλώ διαβάστε προσεκτικά τις οδηγίες. ";

    private const string Markup = "| name | type | default |\n| --- | --- | ---: |\n| `max_tokens` | int? | null |\n<div class=\"x\"><a href=\"#\">&nbsp;</a></div>\n==========\n/* ---- */ a=>{b[c]=(d||{}).e?.f??[];};;\n\t\t\t\t\n        \n";

    private const string Emoji = "Great job! 🎉🚀 Let's ship it 👍🏽 — ready ✅ or not ❌? 🤖🧠💡 ";

    public static IReadOnlyList<CorpusSample> Samples { get; } = Build();

    private static List<CorpusSample> Build()
    {
        var samples = new List<CorpusSample>();
        foreach (var size in new[] { 200, 2_000, 20_000 })
        {
            for (var seed = 1; seed <= 3; seed++)
            {
                var rng = new Random(seed * 7919 + size);
                samples.Add(new("prose", $"prose-{size}-{seed}", Prose(rng, size)));
                samples.Add(new("code", $"code-{size}-{seed}", Fill(rng, size, r => string.Format(CultureInfo.InvariantCulture, Code[r.Next(Code.Length)], "Order" + r.Next(100), r.Next(9999)))));
                samples.Add(new("json-schema", $"schema-{size}-{seed}", Schemas(rng, size)));
                samples.Add(new("cjk", $"cjk-{size}-{seed}", Fill(rng, size, r => Cjk.Substring(r.Next(Cjk.Length / 2), 20 + r.Next(40)))));
                samples.Add(new("cyrillic", $"cyrillic-{size}-{seed}", Fill(rng, size, r => Cyrillic[r.Next(Cyrillic.Length / 2)..])));
                samples.Add(new("other-scripts", $"scripts-{size}-{seed}", Fill(rng, size, r => OtherScripts[r.Next(OtherScripts.Length / 2)..])));
                samples.Add(new("markup", $"markup-{size}-{seed}", Fill(rng, size, r => Markup[r.Next(Markup.Length / 2)..] + Prose(r, 40))));
                samples.Add(new("emoji", $"emoji-{size}-{seed}", Fill(rng, size, r => Emoji[r.Next(10)..] + Prose(r, 60))));
                samples.Add(new("base64", $"base64-{size}-{seed}", Convert.ToBase64String(RandomBytes(rng, size * 3 / 4))));
                samples.Add(new("hex", $"hex-{size}-{seed}", Fill(rng, size, r => Convert.ToHexStringLower(RandomBytes(r, 32)) + " ")));
                samples.Add(new("numbers", $"numbers-{size}-{seed}", Fill(rng, size, r => r.Next(5) switch
                {
                    0 => r.Next().ToString(CultureInfo.InvariantCulture) + ", ",
                    1 => (r.NextDouble() * 1000).ToString("F4", CultureInfo.InvariantCulture) + " ",
                    2 => $"2026-{r.Next(1, 13):00}-{r.Next(1, 29):00}T{r.Next(24):00}:{r.Next(60):00}:00Z ",
                    3 => $"+1 ({r.Next(200, 999)}) {r.Next(100, 999)}-{r.Next(1000, 9999)}\n",
                    _ => $"[{r.Next(100)}, {r.Next(1000)}, {r.Next(10000)}] ",
                })));
                samples.Add(new("long-word", $"word-letters-{size}-{seed}", LongWord(rng, size)));
                samples.Add(new("long-word", $"word-same-{size}-{seed}", new string((char)('a' + seed), size)));
                samples.Add(new("long-word", $"word-url-{size}-{seed}", Fill(rng, size, r => "https://example.com/a/" + Convert.ToHexStringLower(RandomBytes(r, 8)) + "?q=" + r.Next() + "&")));
                samples.Add(new("agent-transcript", $"agent-{size}-{seed}", Transcript(rng, size)));
            }
        }

        // real text shipped with the tests: the project's own docs, a playbook and source files (Estimation/Corpus)
        foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Estimation", "Corpus"), "*.txt").Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(file);
            var text = File.ReadAllText(file);
            var category = name.StartsWith("code", StringComparison.Ordinal) ? "code" : "prose";
            samples.Add(new(category, name, text));
            samples.Add(new(category, name + "-2000", text[..Math.Min(2_000, text.Length)]));
        }

        return samples;
    }

    private static string Prose(Random r, int size)
    {
        var sb = new StringBuilder(size + 32);
        var sentence = 0;
        while (sb.Length < size)
        {
            var w = Words[r.Next(Words.Length)];
            sb.Append(sentence == 0 ? char.ToUpperInvariant(w[0]) + w[1..] : w);
            sentence++;
            if (sentence > 6 + r.Next(12))
            {
                sb.Append(r.Next(8) == 0 ? ".\n\n" : r.Next(6) == 0 ? "? " : ". ");
                sentence = 0;
            }
            else
            {
                sb.Append(r.Next(12) == 0 ? ", " : r.Next(40) == 0 ? " (" + r.Next(100) + ") " : " ");
            }
        }

        return sb.ToString();
    }

    private static string Fill(Random r, int size, Func<Random, string> piece)
    {
        var sb = new StringBuilder(size + 128);
        while (sb.Length < size)
        {
            sb.Append(piece(r));
        }

        return sb.ToString();
    }

    private static string Schemas(Random r, int size) => Fill(r, size, rng => JsonSerializer.Serialize(new
    {
        type = "function",
        function = new
        {
            name = Words[rng.Next(Words.Length)] + "_" + Words[rng.Next(Words.Length)],
            description = Prose(rng, 80 + rng.Next(200)),
            parameters = new
            {
                type = "object",
                properties = new Dictionary<string, object>
                {
                    ["path"] = new { type = "string", description = Prose(rng, 40) },
                    ["limit"] = new { type = "integer", minimum = 1, maximum = 1000 },
                    ["mode"] = new { type = "string", @enum = new[] { "read", "write", "append" } },
                },
                required = new[] { "path" },
                additionalProperties = false,
            },
        },
    }));

    private static string Transcript(Random r, int size) => Fill(r, size, rng => rng.Next(4) switch
    {
        0 => "User: " + Prose(rng, 120) + "\n",
        1 => "Assistant: I'll run `grep -rn \"" + Words[rng.Next(Words.Length)] + "\" src/` first.\n",
        2 => "Tool result:\n" + string.Format(CultureInfo.InvariantCulture, Code[rng.Next(Code.Length)], "Agent", rng.Next(999)),
        _ => "{\"tool_call_id\":\"call_" + Convert.ToHexStringLower(RandomBytes(rng, 12)) + "\",\"arguments\":{\"path\":\"/srv/app/" + Words[rng.Next(Words.Length)] + ".json\",\"limit\":" + rng.Next(500) + "}}\n",
    });

    private static string LongWord(Random r, int size)
    {
        var sb = new StringBuilder(size);
        while (sb.Length < size)
        {
            sb.Append((char)('a' + r.Next(26)));
        }

        return sb.ToString();
    }

    private static byte[] RandomBytes(Random r, int n)
    {
        var b = new byte[n];
        r.NextBytes(b);
        return b;
    }
}
