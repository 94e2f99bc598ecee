using System.Buffers;
using System.Text.Json;
using System.Threading.Channels;
using Switchyard.Hosting;
using Switchyard.Http;

namespace Switchyard.AccessLog;

/// <summary>
/// The access log (switchyard.access_log; docs/operations.md, "Access log"): one JSON line per request, excluded paths
/// and unsampled successes left out. The request thread only fills an <see cref="AccessRecord"/> and queues it (no
/// formatting, no I/O); one background loop formats lines into a reused buffer and writes them to the sink in batches.
/// A full queue drops lines rather than slowing requests, and says how many it dropped. Stopping drains the queue.
/// </summary>
public sealed partial class AccessLogWriter : IHostedService, IDisposable
{
    private const int QueueLength = 16_384;
    private readonly Channel<AccessRecord> _queue = Channel.CreateBounded<AccessRecord>(new BoundedChannelOptions(QueueLength)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.DropWrite,
        AllowSynchronousContinuations = false,
    });

    private readonly GatewayState _state;
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly ILogger<AccessLogWriter> _logger;
    private IAccessLogSink? _sink;
    private Task? _loop;
    private long _dropped;
    private bool _sinkBroken;

    public AccessLogWriter(GatewayState state, TimeProvider time, Random random, IAccessLogSink? sink, ILogger<AccessLogWriter> logger)
    {
        _state = state;
        _time = time;
        _random = random;
        _sink = sink;
        _logger = logger;
    }

    /// <summary>
    /// A record for this request; <see cref="AccessRecord.Logged"/> is false when the access log is off or the path is
    /// excluded (the dashboard's recent calls still read the record).
    /// </summary>
    public AccessRecord Begin(HttpContext context, string correlationId)
        => Create(context, correlationId, _time.GetUtcNow(), _time.GetTimestamp(), IsLogged(context.Request.Path.Value ?? ""));

    /// <summary>
    /// The record of a request whose line the access log writes, or null when it is off or the path is excluded: then
    /// nothing reads a record unless an inference route takes the request, which makes one with <see cref="Unlogged"/>.
    /// </summary>
    public AccessRecord? BeginIfLogged(HttpContext context, CorrelationFeature correlation)
        => IsLogged(context.Request.Path.Value ?? "") ? Create(context, correlation.CorrelationId, correlation.StartTime, correlation.StartTimestamp, logged: true) : null;

    /// <summary>The record of a request the access log does not write (an inference request's, which the dashboard reads).</summary>
    public static AccessRecord Unlogged(HttpContext context, CorrelationFeature correlation)
        => Create(context, correlation.CorrelationId, correlation.StartTime, correlation.StartTimestamp, logged: false);

    private bool IsLogged(string path)
    {
        var settings = _state.Current.Config.AccessLog;
        return settings.Enabled && !IsExcluded(settings.ExcludePaths, path);
    }

    private static AccessRecord Create(HttpContext context, string correlationId, DateTimeOffset time, long timestamp, bool logged) => new()
    {
        Logged = logged,
        Time = time,
        StartTimestamp = timestamp,
        Method = context.Request.Method,
        Path = context.Request.Path.Value ?? "",
        CorrelationId = correlationId,
        Client = context.Connection.RemoteIpAddress,
    };

    private static bool IsExcluded(IReadOnlyList<string> excluded, string path)
    {
        for (var i = 0; i < excluded.Count; i++) // indexed: no enumerator per request
        {
            if (string.Equals(excluded[i], path, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The request ended: the record gets its status and latency and is queued (unless it is an unsampled 2xx).</summary>
    public void Complete(HttpContext context, AccessRecord record)
    {
        if (record.Status is null && !context.Response.HasStarted && context.RequestAborted.IsCancellationRequested)
        {
            // the caller left before any answer: nginx's "client closed request"
            record.Status = 499;
            record.Code ??= "client_closed";
        }

        record.Status ??= context.Response.StatusCode;
        record.LatencyMs = _time.GetElapsedTime(record.StartTimestamp).TotalMilliseconds;
        if (!record.Logged)
        {
            return;
        }

        var sample = _state.Current.Config.AccessLog.SampleSuccess;
#pragma warning disable CA5394 // sampling, not a secret: System.Random is right here
        if (record.Status is >= 200 and < 300 && sample < 1 && _random.NextDouble() >= sample)
#pragma warning restore CA5394
        {
            return;
        }

        if (!_queue.Writer.TryWrite(record))
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _loop = Task.Run(RunAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        if (_loop is { } loop)
        {
            await loop.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        _queue.Writer.TryComplete();
        _sink?.Dispose();
    }

    private async Task RunAsync()
    {
        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        using var json = new Utf8JsonWriter(buffer);
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var record))
            {
                AccessLogFormatter.Write(record, buffer, json);
                if (buffer.WrittenCount >= 32 * 1024)
                {
                    Drain(buffer);
                }
            }

            Drain(buffer);
            Flush();
            if (Interlocked.Exchange(ref _dropped, 0) is > 0 and var dropped)
            {
                LogDropped(_logger, dropped, QueueLength);
            }
        }

        Flush();
    }

    private void Drain(ArrayBufferWriter<byte> buffer)
    {
        if (buffer.WrittenCount == 0)
        {
            return;
        }

        try
        {
            (_sink ??= CreateSink()).Write(buffer.WrittenSpan);
            _sinkBroken = false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (!_sinkBroken)
            {
                LogSinkFailed(_logger, _state.Current.Config.AccessLog.Path, e.Message);
                _sinkBroken = true;
            }
        }

        buffer.ResetWrittenCount();
    }

    private void Flush()
    {
        try
        {
            _sink?.Flush();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // reported by the next failing write
        }
    }

    /// <summary>The destination configured at start (a reload cannot move it: see RestartRequired).</summary>
    private IAccessLogSink CreateSink()
    {
        var settings = _state.Current.Config.AccessLog;
        return settings.Path switch
        {
            "stdout" => new ConsoleAccessLogSink(stderr: false),
            "stderr" => new ConsoleAccessLogSink(stderr: true),
            var path => new FileAccessLogSink(path, settings.MaxFileBytes, settings.MaxFiles),
        };
    }

    [LoggerMessage(EventId = 120, Level = LogLevel.Warning, Message = "access log: dropped {Count} lines because the writer fell {Queue} lines behind")]
    private static partial void LogDropped(ILogger logger, long count, int queue);

    [LoggerMessage(EventId = 121, Level = LogLevel.Error, Message = "access log: cannot write to {Path}: {Reason}; lines are dropped until it works again")]
    private static partial void LogSinkFailed(ILogger logger, string path, string reason);
}
