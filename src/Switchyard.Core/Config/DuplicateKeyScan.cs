using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Switchyard.Core.Config;

/// <summary>
/// Finds mapping keys written twice in one mapping. PyYAML (so LiteLLM) keeps the last one; YamlDotNet refuses the file.
/// Returns the event index of every earlier occurrence (for <see cref="SkippingParser"/> to leave out) and warns about
/// each, with its path and line. Keys that <c>&lt;&lt;: *anchor</c> merged in are overridden silently, as YAML means.
/// </summary>
internal static class DuplicateKeyScan
{
    private sealed class Frame(bool mapping, string path, int startLine)
    {
        public bool Mapping { get; } = mapping;
        public string Path { get; } = path;
        public int StartLine { get; } = startLine;
        public int Children { get; set; }
        public string? PendingKey { get; set; }
        public (int Index, int Line) PendingKeyAt { get; set; }
        public Dictionary<string, List<(int Index, int Line)>> Keys { get; } = new(StringComparer.Ordinal);
    }

    public static HashSet<int> Superseded(IParser parser, YamlWalker w)
    {
        var skip = new HashSet<int>();
        var stack = new Stack<Frame>();
        var index = -1;
        while (parser.MoveNext())
        {
            index++;
            var e = parser.Current;
            switch (e)
            {
                case MappingStart or SequenceStart:
                    stack.Push(new Frame(e is MappingStart, ChildPath(stack), (int)e.Start.Line));
                    break;
                case MappingEnd or SequenceEnd:
                    var done = stack.Pop();
                    if (done.Mapping)
                    {
                        Report(done, skip, w);
                    }

                    Completed(stack, null, index, 0);
                    break;
                case Scalar s:
                    Completed(stack, s.Value, index, (int)s.Start.Line);
                    break;
                case AnchorAlias:
                    Completed(stack, null, index, 0);
                    break;
            }
        }

        return skip;
    }

    private static string ChildPath(Stack<Frame> stack)
    {
        if (!stack.TryPeek(out var parent))
        {
            return "";
        }

        return parent.Mapping ? YamlWalker.Join(parent.Path, parent.PendingKey ?? "?") : $"{parent.Path}[{parent.Children}]";
    }

    private static void Completed(Stack<Frame> stack, string? scalar, int index, int line)
    {
        if (!stack.TryPeek(out var parent))
        {
            return;
        }

        if (parent.Mapping && parent.Children % 2 == 0)
        {
            parent.PendingKey = scalar;
            parent.PendingKeyAt = (index, line);
        }
        else if (parent.Mapping && parent.PendingKey is { } key)
        {
            if (!parent.Keys.TryGetValue(key, out var list))
            {
                parent.Keys[key] = list = [];
            }

            list.Add(parent.PendingKeyAt);
        }

        parent.Children++;
    }

    private static void Report(Frame map, HashSet<int> skip, YamlWalker w)
    {
        foreach (var (key, at) in map.Keys)
        {
            for (var i = 0; i < at.Count - 1; i++)
            {
                skip.Add(at[i].Index);
                if (at[i].Line >= map.StartLine)
                {
                    // (a key merged in from an anchor sits above the mapping: overriding it is what the merge means)
                    w.Warnings.Add(new ConfigDiagnostic(YamlWalker.Join(map.Path, key), $"duplicate key; the one at line {at[^1].Line} is used and this one ignored (LiteLLM's YAML parser keeps the last as well)", at[i].Line));
                }
            }
        }
    }
}
