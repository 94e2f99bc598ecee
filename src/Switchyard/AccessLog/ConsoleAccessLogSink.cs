using System.Text;

namespace Switchyard.AccessLog;

/// <summary>
/// stdout or stderr, through <see cref="Console.Out"/> / <see cref="Console.Error"/>: the same synchronized writer the
/// console logger uses, so an access line and a log line never interleave mid-line.
/// </summary>
internal sealed class ConsoleAccessLogSink(bool stderr) : IAccessLogSink
{
    public void Write(ReadOnlySpan<byte> lines) => (stderr ? Console.Error : Console.Out).Write(Encoding.UTF8.GetString(lines));

    public void Flush() => (stderr ? Console.Error : Console.Out).Flush();

    public void Dispose()
    {
    }
}
