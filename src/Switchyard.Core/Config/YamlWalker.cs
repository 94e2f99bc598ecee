using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace Switchyard.Core.Config;

/// <summary>Reads typed values out of YAML nodes and records every problem with its path and line.</summary>
internal sealed class YamlWalker
{
    public List<ConfigDiagnostic> Errors { get; } = [];
    public List<ConfigDiagnostic> Warnings { get; } = [];

    /// <summary>Findings that need no action (printed at start, not counted as warnings).</summary>
    public List<ConfigDiagnostic> Notices { get; } = [];

    /// <summary>
    /// Resolves <c>os.environ/NAME</c> in every scalar value read through <see cref="String"/>, <see cref="Int"/>,
    /// <see cref="Number"/>, <see cref="Bool"/> and <see cref="Duration"/> (LiteLLM resolves it for any value); null while
    /// environment_variables itself is read. Values that are secrets are read with <see cref="Reference"/> instead.
    /// </summary>
    public SecretResolver? Environment { get; set; }

    /// <summary>Names the file refers to, in file order; checked once the whole file is read.</summary>
    public List<NameReference> References { get; } = [];

    /// <summary>
    /// model_names of entries refused for their provider: the refusal is the finding, so aliases and fallbacks naming
    /// them are not reported again as pointing nowhere.
    /// </summary>
    public HashSet<string> RefusedGroups { get; } = new(StringComparer.Ordinal);

    public void Refer(NameReferenceKind kind, string path, YamlNode node, string name, string? target = null)
        => References.Add(new NameReference(kind, path, node, name, target));

    public void Error(string path, YamlNode? node, string message)
        => Errors.Add(new ConfigDiagnostic(path, message, Line(node)));

    public void Warn(string path, YamlNode? node, string message)
        => Warnings.Add(new ConfigDiagnostic(path, message, Line(node)));

    public void Notice(string path, YamlNode? node, string message)
        => Notices.Add(new ConfigDiagnostic(path, message, Line(node)));

    public static int? Line(YamlNode? node) => node is null ? null : (int)node.Start.Line;

    public static string Join(string parent, string key) => parent.Length == 0 ? key : parent + "." + key;

    public YamlMappingNode? Mapping(YamlNode? node, string path)
    {
        if (node is null || IsNull(node))
        {
            return null;
        }

        if (node is YamlMappingNode map)
        {
            return map;
        }

        Error(path, node, "must be a mapping");
        return null;
    }

    public YamlSequenceNode? Sequence(YamlNode? node, string path)
    {
        if (node is null || IsNull(node))
        {
            return null;
        }

        if (node is YamlSequenceNode seq)
        {
            return seq;
        }

        Error(path, node, "must be a list");
        return null;
    }

    /// <summary>Iterates a mapping's entries, reporting keys outside <paramref name="known"/> as unsupported.</summary>
    public IEnumerable<(string Key, YamlNode Value, string Path)> Entries(YamlMappingNode? map, string path, IReadOnlySet<string>? known = null, string? unsupportedHint = null)
    {
        if (map is null)
        {
            yield break;
        }

        foreach (var (k, v) in map.Children)
        {
            var key = (k as YamlScalarNode)?.Value ?? "";
            var p = Join(path, key);
            if (known is not null && !known.Contains(key))
            {
                Warn(p, k, "unsupported key, ignored" + DidYouMean(key, known) + (unsupportedHint is null ? "" : " (" + unsupportedHint + ")"));
                continue;
            }

            yield return (key, v, p);
        }
    }

    /// <summary>
    /// The value under <paramref name="key"/> when <paramref name="node"/> is a mapping, without reporting anything (for a
    /// key that one section's reader leaves to another; the section's own reader reports its shape and unknown keys).
    /// </summary>
    public static (YamlNode Value, string Path)? Child(YamlNode? node, string path, string key)
    {
        if (node is YamlMappingNode map)
        {
            foreach (var (k, v) in map.Children)
            {
                if (k is YamlScalarNode { Value: { } name } && name == key)
                {
                    return (v, Join(path, key));
                }
            }
        }

        return null;
    }
    /// <summary>"; did you mean 'max_retries'?" for a key near a known one (case drift or a typo), else "".</summary>
    public static string DidYouMean(string key, IEnumerable<string> known)
        => AliasSuggestions.Nearest(key, known, 1) is [var near] ? $"; did you mean '{near}'?" : "";

    public static bool IsNull(YamlNode node)
        => node is YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain } s && (s.Value is null or "" or "~" or "null" or "Null" or "NULL");

    public string? String(YamlNode? node, string path) => FromEnvironment(Reference(node, path), path, node);

    /// <summary>
    /// A string as written, <c>os.environ/</c> and <c>file:</c> references left for <see cref="SecretResolver"/> (secrets:
    /// a missing one may disable a deployment rather than refuse the file, and the value read is kept out of renderings).
    /// </summary>
    public string? Reference(YamlNode? node, string path)
    {
        if (node is null || IsNull(node))
        {
            return null;
        }

        if (node is YamlScalarNode s)
        {
            return s.Value;
        }

        Error(path, node, "must be a string");
        return null;
    }

    /// <summary>The value of an <c>os.environ/NAME</c> scalar, or an error naming the variable when it has none.</summary>
    private string? FromEnvironment(string? text, string path, YamlNode? node)
    {
        if (text is null || Environment is null || !text.StartsWith(SecretResolver.EnvPrefix, StringComparison.Ordinal))
        {
            return text;
        }

        var name = text[SecretResolver.EnvPrefix.Length..];
        if (Environment.Variable(name) is { } value)
        {
            return value;
        }

        Error(path, node, Environment.MissingReason(name) + $" (the value is {text})");
        return null;
    }

    public double? Number(YamlNode? node, string path, double min = double.MinValue, double max = double.MaxValue)
    {
        var text = Scalar(node, path, "a number");
        if (text is null)
        {
            return null;
        }

        if (!Yaml11Scalars.TryFloat(text, out var v) || double.IsNaN(v))
        {
            Error(path, node, $"must be a number, got '{text}'");
            return null;
        }

        if (v < min || v > max)
        {
            Error(path, node, $"must be between {min.ToString(CultureInfo.InvariantCulture)} and {max.ToString(CultureInfo.InvariantCulture)}, got {text}");
            return null;
        }

        return v;
    }

    public int? Int(YamlNode? node, string path, int min = 0, int max = int.MaxValue)
    {
        var text = Scalar(node, path, "an integer");
        if (text is null)
        {
            return null;
        }

        if (!Yaml11Scalars.TryInteger(text, out var l) || l is < int.MinValue or > int.MaxValue)
        {
            Error(path, node, $"must be an integer, got '{text}'");
            return null;
        }

        var v = (int)l;

        if (v < min || v > max)
        {
            Error(path, node, $"must be between {min} and {max}, got {v}");
            return null;
        }

        return v;
    }

    public bool? Bool(YamlNode? node, string path)
    {
        var text = Scalar(node, path, "true or false");
        if (text is null)
        {
            return null;
        }

        if (Yaml11Scalars.TryBool(text, out var b))
        {
            return b;
        }

        Error(path, node, $"must be true or false, got '{text}'");
        return null;
    }

    /// <summary>A duration: a bare number is seconds (LiteLLM's convention); strings take ms, s, m, h suffixes.</summary>
    public TimeSpan? Duration(YamlNode? node, string path)
    {
        var text = Scalar(node, path, "a duration");
        if (text is null)
        {
            return null;
        }

        if ((DurationParser.TryParse(text, out var d) || (Yaml11Scalars.TryFloat(text, out var seconds) && double.IsFinite(seconds) && DurationParser.TryParse(seconds.ToString("R", CultureInfo.InvariantCulture), out d))) && d >= TimeSpan.Zero)
        {
            return d;
        }

        Error(path, node, $"must be a duration such as 30, 1.5, 500ms, 30s, 5m or 1h, got '{text}'");
        return null;
    }

    public IReadOnlyList<string>? StringList(YamlNode? node, string path)
    {
        if (node is YamlScalarNode s && !IsNull(s))
        {
            return [s.Value ?? ""];
        }

        var seq = Sequence(node, path);
        if (seq is null)
        {
            return null;
        }

        var list = new List<string>();
        for (var i = 0; i < seq.Children.Count; i++)
        {
            if (String(seq.Children[i], $"{path}[{i}]") is { } v)
            {
                list.Add(v);
            }
        }

        return list;
    }

    /// <summary>Converts a YAML value into JSON for request defaults (max_tokens, stop, ...).</summary>
    public static JsonNode? ToJson(YamlNode node)
    {
        switch (node)
        {
            case YamlScalarNode s when IsNull(s):
                return null;
            case YamlScalarNode s when s.Style != YamlDotNet.Core.ScalarStyle.Plain:
                return JsonValue.Create(s.Value);
            case YamlScalarNode s:
                if (Yaml11Scalars.TryInteger(s.Value ?? "", out var l))
                {
                    return JsonValue.Create(l);
                }

                if (Yaml11Scalars.TryFloat(s.Value ?? "", out var d) && double.IsFinite(d))
                {
                    return JsonValue.Create(d);
                }

                if (Yaml11Scalars.TryBool(s.Value ?? "", out var b))
                {
                    return JsonValue.Create(b);
                }

                return JsonValue.Create(s.Value);
            case YamlSequenceNode seq:
                var arr = new JsonArray();
                foreach (var c in seq.Children)
                {
                    arr.Add(ToJson(c));
                }

                return arr;
            case YamlMappingNode map:
                var obj = new JsonObject();
                foreach (var (k, v) in map.Children)
                {
                    obj[((YamlScalarNode)k).Value ?? ""] = ToJson(v);
                }

                return obj;
            default:
                return null;
        }
    }

    private string? Scalar(YamlNode? node, string path, string what)
    {
        if (node is null || IsNull(node))
        {
            return null;
        }

        if (node is YamlScalarNode s)
        {
            return FromEnvironment(s.Value, path, node);
        }

        Error(path, node, "must be " + what);
        return null;
    }
}
