using System.Text;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Switchyard.Operations.Canaries;

/// <summary>
/// Edits a YAML file as text, so everything it does not touch (comments, blank lines, quoting, key order, anchors) stays
/// byte for byte: each edit parses the current text, finds the node by its key path and splices the text at the node's
/// marks. Values are written plain when that is safe, else double-quoted.
/// </summary>
internal sealed partial class YamlTextEditor(string text)
{
    public string Text { get; private set; } = text;

    /// <summary>The node at a key path from the document's root mapping, or null.</summary>
    public YamlNode? Find(params string[] path)
    {
        YamlNode? node = Root();
        foreach (var key in path)
        {
            if (node is not YamlMappingNode map || !map.Children.TryGetValue(new YamlScalarNode(key), out node))
            {
                return null;
            }
        }

        return node;
    }

    public string? Scalar(params string[] path) => (Find(path) as YamlScalarNode)?.Value;

    /// <summary>Sets <paramref name="key"/> of the mapping at <paramref name="mapping"/> to a raw YAML scalar (replaced in place, or added as its first entry).</summary>
    public void Set(string[] mapping, string key, string rawValue)
    {
        var map = Find(mapping) as YamlMappingNode ?? throw new InvalidOperationException($"{string.Join('.', mapping)} is not a mapping");
        var keyNode = new YamlScalarNode(key);
        if (map.Children.TryGetValue(keyNode, out var existing))
        {
            if (existing is not YamlScalarNode)
            {
                throw new InvalidOperationException($"{string.Join('.', mapping)}.{key} is not a single value");
            }

            Splice((int)existing.Start.Index, (int)existing.End.Index, rawValue);
            return;
        }

        if (map.Children.Count == 0)
        {
            Splice((int)map.Start.Index, FlowEnd(map), $"{{{key}: {rawValue}}}");
            return;
        }

        var first = map.Children.First().Key;
        var at = (int)first.Start.Index;
        if (map.Style == YamlDotNet.Core.Events.MappingStyle.Flow)
        {
            Splice(at, at, $"{key}: {rawValue}, ");
        }
        else
        {
            var indent = new string(' ', (int)first.Start.Column - 1);
            Splice(at, at, $"{key}: {rawValue}{NewLine()}{indent}");
        }
    }

    /// <summary>Removes <paramref name="key"/> (and its value, with the lines it spans in block style) from the mapping at <paramref name="mapping"/>.</summary>
    public void Remove(string[] mapping, string key)
    {
        if (Find(mapping) is not YamlMappingNode map)
        {
            return;
        }

        var entries = map.Children.ToList();
        var i = entries.FindIndex(e => e.Key is YamlScalarNode s && s.Value == key);
        if (i < 0)
        {
            return;
        }

        var (k, v) = (entries[i].Key, entries[i].Value);
        if (map.Style == YamlDotNet.Core.Events.MappingStyle.Flow)
        {
            if (entries.Count == 1)
            {
                Splice((int)map.Start.Index, FlowEnd(map), "{}");
            }
            else if (i < entries.Count - 1)
            {
                Splice((int)k.Start.Index, (int)entries[i + 1].Key.Start.Index, "");
            }
            else
            {
                Splice(LastEnd(entries[i - 1].Value), LastEnd(v), "");
            }

            return;
        }

        if (entries.Count == 1 && mapping.Length > 0)
        {
            // the mapping would be empty: an explicit empty mapping keeps its parent key meaningful
            Splice((int)map.Start.Index, LastEnd(v), "{}");
            return;
        }

        var start = LineStart((int)k.Start.Index);
        var end = i < entries.Count - 1 ? LineStart((int)entries[i + 1].Key.Start.Index) : NextLine(LastEnd(v));
        Splice(start, end, "");
    }

    /// <summary>A string as a YAML scalar: plain when unambiguous, else double-quoted (JSON escaping is valid YAML).</summary>
    public static string Quote(string value)
        => SafePlain().IsMatch(value) && !ReservedPlain().IsMatch(value) ? value : System.Text.Json.JsonSerializer.Serialize(value, OperationsJson.Default.String);

    private YamlMappingNode? Root()
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(Text));
        return stream.Documents.Count == 0 ? null : stream.Documents[0].RootNode as YamlMappingNode;
    }

    /// <summary>
    /// Just past a flow mapping's closing brace (its end mark may sit at the next token, past comments and line breaks);
    /// an empty block value (<c>key:</c> with nothing) ends where it starts.
    /// </summary>
    private int FlowEnd(YamlMappingNode map)
    {
        if (map.Style != YamlDotNet.Core.Events.MappingStyle.Flow)
        {
            return map.Children.Count == 0 ? (int)map.Start.Index : LastEnd(map);
        }

        var from = map.Children.Count == 0 ? (int)map.Start.Index : LastEnd(map.Children.Last().Value);
        var close = Text.IndexOf('}', from);
        return close < 0 ? (int)map.End.Index : close + 1;
    }

    /// <summary>Where a value's text ends: the end of its last scalar for block collections (their own end mark can sit on a later line).</summary>
    private int LastEnd(YamlNode node) => node switch
    {
        YamlMappingNode { Style: YamlDotNet.Core.Events.MappingStyle.Block } m when m.Children.Count > 0 => m.Children.Max(c => Math.Max(LastEnd(c.Key), LastEnd(c.Value))),
        YamlSequenceNode { Style: YamlDotNet.Core.Events.SequenceStyle.Block } s when s.Children.Count > 0 => s.Children.Max(LastEnd),
        YamlMappingNode { Style: YamlDotNet.Core.Events.MappingStyle.Flow } m => FlowEnd(m),
        YamlSequenceNode { Style: YamlDotNet.Core.Events.SequenceStyle.Flow } s => Closing(s.Children.Count == 0 ? (int)s.Start.Index : LastEnd(s.Children[^1]), ']', (int)s.End.Index),
        _ => (int)node.End.Index,
    };

    private int Closing(int from, char bracket, int fallback)
    {
        var close = Text.IndexOf(bracket, from);
        return close < 0 ? fallback : close + 1;
    }

    private int LineStart(int index)
    {
        var nl = index == 0 ? -1 : Text.LastIndexOf('\n', index - 1);
        return nl + 1;
    }

    private int NextLine(int index)
    {
        var nl = Text.IndexOf('\n', index);
        return nl < 0 ? Text.Length : nl + 1;
    }

    private string NewLine() => Text.Contains("\r\n", StringComparison.Ordinal) ? "\r\n" : "\n";

    private void Splice(int start, int end, string replacement)
    {
        var b = new StringBuilder(Text.Length + replacement.Length);
        b.Append(Text, 0, start).Append(replacement).Append(Text, end, Text.Length - end);
        Text = b.ToString();
    }

    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9_./-]*$")]
    private static partial Regex SafePlain();

    [GeneratedRegex(@"^(true|false|yes|no|on|off|null|~|[-+]?[0-9][0-9_.eE+-]*)$", RegexOptions.IgnoreCase)]
    private static partial Regex ReservedPlain();
}

[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
internal sealed partial class OperationsJson : System.Text.Json.Serialization.JsonSerializerContext;
