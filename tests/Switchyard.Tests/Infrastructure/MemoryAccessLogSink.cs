using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Switchyard.AccessLog;

namespace Switchyard.Tests.Infrastructure;

/// <summary>Captures a gateway's access-log lines as written (one JSON object per line).</summary>
public sealed class MemoryAccessLogSink : IAccessLogSink
{
    private readonly StringBuilder _partial = new();

    public ConcurrentQueue<string> Lines { get; } = new();

    /// <summary>The lines parsed, in the order written.</summary>
    public IReadOnlyList<JsonElement> Records => Lines.Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();

    /// <summary>The lines of the request with this correlation id.</summary>
    public IReadOnlyList<JsonElement> For(string correlationId)
        => Records.Where(r => r.GetProperty("correlation_id").GetString() == correlationId).ToList();

    public void Write(ReadOnlySpan<byte> lines)
    {
        _partial.Append(Encoding.UTF8.GetString(lines));
        var text = _partial.ToString();
        var end = text.LastIndexOf('\n');
        foreach (var line in text[..(end + 1)].Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            Lines.Enqueue(line);
        }

        _partial.Clear().Append(text[(end + 1)..]);
    }

    public void Flush()
    {
    }

    public void Dispose()
    {
    }
}
