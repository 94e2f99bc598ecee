namespace Switchyard.AccessLog;

/// <summary>Where access-log lines go; called from the writer's one background thread only.</summary>
public interface IAccessLogSink : IDisposable
{
    /// <summary>Writes lines (each a JSON object and a newline); a batch may hold several.</summary>
    void Write(ReadOnlySpan<byte> lines);

    /// <summary>Called when the queue is empty for now.</summary>
    void Flush();
}
