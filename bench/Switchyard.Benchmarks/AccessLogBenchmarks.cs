using System.Buffers;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Switchyard.AccessLog;
using Switchyard.Core.Config;
using Switchyard.Core.Routing;
using Switchyard.Hosting;

namespace Switchyard.Benchmarks;

/// <summary>
/// What the access log costs a request: on the request thread, starting the record, filling the fields an inference
/// request fills and queueing it (<see cref="RequestThread"/>); on the writer's thread, formatting one line
/// (<see cref="FormatLine"/>). The writer runs with a sink that discards, so the queue never fills.
/// Run: <c>dotnet run -c Release --project bench/Switchyard.Benchmarks -- --filter *AccessLogBenchmarks* --job short</c>
/// </summary>
[MemoryDiagnoser]
public class AccessLogBenchmarks
{
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);
    private AccessLogWriter _writer = null!;
    private DefaultHttpContext _context = null!;
    private Utf8JsonWriter _json = null!;
    private AccessRecord _record = null!;

    [GlobalSetup]
    public void Setup()
    {
        var config = ConfigLoader.Load("model_list:\n  - model_name: router.default\n    litellm_params:\n      model: mock/a\ngeneral_settings:\n  master_key: sk-bench\n", Path.GetTempPath(), _ => null);
        var state = new GatewayState(config, new DeploymentStateRegistry(TimeProvider.System));
        _writer = new AccessLogWriter(state, TimeProvider.System, new Random(1), new DiscardSink(), NullLogger<AccessLogWriter>.Instance);
        _writer.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
        _context = new DefaultHttpContext();
        _context.Request.Method = "POST";
        _context.Request.Path = "/v1/chat/completions";
        _context.Response.StatusCode = 200;
        _json = new Utf8JsonWriter(_buffer);
        _record = Fill(_writer.Begin(_context, "01JD0000000000000000000000"));
        _record.Status = 200;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _writer.StopAsync(CancellationToken.None).GetAwaiter().GetResult();
        _writer.Dispose();
        _json.Dispose();
    }

    [Benchmark]
    public void RequestThread()
    {
        var record = _writer.Begin(_context, "01JD0000000000000000000000");
        _writer.Complete(_context, Fill(record));
    }

    [Benchmark]
    public int FormatLine()
    {
        _buffer.ResetWrittenCount();
        AccessLogFormatter.Write(_record, _buffer, _json);
        return _buffer.WrittenCount;
    }

    private static AccessRecord Fill(AccessRecord r)
    {
        r.Alias = "router.default";
        r.Stream = false;
        r.Group = "router.default";
        r.TenantId = "research";
        r.TokenId = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
        r.KeyAlias = "agent-1";
        r.Deployment = "gpt-4o-mini-1";
        r.Attempts = 1;
        r.PromptTokens = 1200;
        r.CompletionTokens = 300;
        r.Cost = 0.00036m;
        return r;
    }

    private sealed class DiscardSink : IAccessLogSink
    {
        public void Write(ReadOnlySpan<byte> lines)
        {
        }

        public void Flush()
        {
        }

        public void Dispose()
        {
        }
    }
}
