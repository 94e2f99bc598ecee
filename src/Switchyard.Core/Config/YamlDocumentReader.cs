using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Switchyard.Core.Config;

/// <summary>
/// Parses config.yaml as LiteLLM's PyYAML would: <c>&lt;&lt;: *anchor</c> merge keys, and a key written twice in one
/// mapping keeps the last (with a warning). When the file is not valid YAML, each top-level section is parsed on its own so
/// that the sections that are valid are still checked: the syntax error is reported with every other finding.
/// </summary>
internal static class YamlDocumentReader
{
    /// <summary>The root node, or null for an empty file; <paramref name="broken"/> is true when a section could not be parsed.</summary>
    public static YamlNode? Read(string yaml, YamlWalker w, out bool broken)
    {
        broken = false;
        if (TryParse(yaml, w, out var root) is not { } error)
        {
            return root;
        }

        broken = true;
        var errors = new List<ConfigDiagnostic>();
        var merged = new YamlMappingNode();
        var sections = Sections(yaml);
        foreach (var (start, text) in sections)
        {
            // Blank lines in front keep each section's line numbers those of the whole file.
            var padded = new string('\n', start) + text;
            if (TryParse(padded, w, out var node) is { } sectionError)
            {
                errors.Add(sectionError);
                continue;
            }

            if (node is YamlMappingNode map)
            {
                foreach (var (k, v) in map.Children)
                {
                    if (merged.Children.ContainsKey(k))
                    {
                        w.Warn((k as YamlScalarNode)?.Value ?? "", k, "duplicate key; this later one is used (LiteLLM's YAML parser keeps the last as well)");
                        merged.Children.Remove(k);
                    }

                    merged.Children.Add(k, v);
                }
            }
        }

        w.Errors.AddRange(errors.Count == 0 || sections.Count < 2 ? [error] : errors);
        return merged.Children.Count == 0 ? null : merged;
    }

    private static ConfigDiagnostic? TryParse(string yaml, YamlWalker w, out YamlNode? root)
    {
        root = null;
        var scanner = new Scanner(new StringReader(yaml));
        try
        {
            // The duplicate scan reads the events once; the document is then built from a second read without them.
            var scanWalker = new YamlWalker();
            var skip = DuplicateKeyScan.Superseded(new MergingParser(new Parser(scanner)), scanWalker);
            scanner = new Scanner(new StringReader(yaml));
            var stream = new YamlStream();
            stream.Load(new SkippingParser(new MergingParser(new Parser(scanner)), skip));
            w.Warnings.AddRange(scanWalker.Warnings);
            root = stream.Documents.Count == 0 ? null : stream.Documents[0].RootNode;
            return null;
        }
        catch (YamlException e)
        {
            return new ConfigDiagnostic("(file)", "not valid YAML: " + e.Message, (int)e.Start.Line);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            // YamlDotNet's scanner throws this (not a YamlException) on some malformed input, e.g. an unclosed [ before a
            // block sequence, and ArgumentException on a malformed tag ("Global tags must be valid URIs"); it is a broken
            // file all the same, not a crash of the reload or of the start.
            return new ConfigDiagnostic("(file)", $"not valid YAML near line {scanner.CurrentPosition.Line} ({e.Message})", (int)scanner.CurrentPosition.Line);
        }
    }

    /// <summary>The file cut at each line that starts a top-level key: (lines before it, its text).</summary>
    private static List<(int Start, string Text)> Sections(string yaml)
    {
        var lines = yaml.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var starts = new List<int>();
        for (var i = 0; i < lines.Length; i++)
        {
            var l = lines[i];
            if (l.Length > 0 && !char.IsWhiteSpace(l[0]) && l[0] is not ('#' or '-' or '}' or ']') && l.Contains(':', StringComparison.Ordinal))
            {
                starts.Add(i);
            }
        }

        var sections = new List<(int, string)>();
        for (var s = 0; s < starts.Count; s++)
        {
            var end = s + 1 < starts.Count ? starts[s + 1] : lines.Length;
            sections.Add((starts[s], string.Join('\n', lines[starts[s]..end])));
        }

        return sections;
    }
}
