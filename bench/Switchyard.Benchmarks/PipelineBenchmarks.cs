using System.Net;
using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Abstractions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Switchyard.Bench.FakeUpstream;
using Switchyard.Core.Config;
using Switchyard.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Switchyard.Providers.Http;

namespace Switchyard.Benchmarks;

/// <summary>
/// One whole inference request through the gateway's in-process pipeline, as Kestrel would hand it over: the real host
/// (<see cref="GatewayHost.Build"/>: every middleware, routing, the endpoint, auth, admission, spend journal, access log
/// and dashboard recorder), with the server replaced by one that only captures the application, and the upstream client
/// by a handler answering from precomputed bytes (the load benchmark's fake upstream: a small chat.completion, or an SSE
/// stream of 10 chunks, usage and [DONE]). The bodies are the load benchmark's (chat-200B, chat-48KB); the scoped token is
/// made as bench/load/run.sh makes it (rpm 1e9, tpm 2e9: admission and the prompt estimate run, nothing is refused).
/// <see cref="Floor"/> is the harness alone (a GET /health/liveliness through the same pipeline).
/// Allocated bytes are process-wide (BenchmarkDotNet counts every thread), so the access-log writer's formatting and the
/// spend journal's append count; the spend rows' batched SQLite insert is left out of the measured window
/// (<c>spend.flush_interval: 1h</c>): its per-row cost depends on how many rows a batch holds, i.e. on the machine's speed.
/// Run: <c>dotnet run -c Release --project bench/Switchyard.Benchmarks -- --filter *PipelineBenchmarks* --job short --inProcess</c>
/// </summary>
[MemoryDiagnoser]
public class PipelineBenchmarks
{
    private const string MasterKey = "sk-bench-master-0123456789";

    private string _dir = null!;
    private WebApplication _app = null!;
    private CaptureServer _server = null!;
    private byte[] _body = [];
    private string _authorization = "";

    [Params("master", "scoped")]
    public string Key { get; set; } = "master";

    [Params("200B", "48KB")]
    public string Body { get; set; } = "200B";

    [Params(false, true)]
    public bool Stream { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _dir = Directory.CreateTempSubdirectory("switchyard-pipeline-bench-").FullName;
        var yaml = $"""
            model_list:
              - model_name: bench.chat
                litellm_params:
                  model: openai/gpt-4o-mini
                  api_base: http://127.0.0.1:5055/v1
                  api_key: sk-bench-upstream
            general_settings:
              master_key: {MasterKey}
            switchyard:
              store:
                sqlite_path: {_dir}/switchyard.db
              spend:
                flush_interval: 1h
            """;
        var config = ConfigLoader.Load(yaml, _dir, _ => null);
        _server = new CaptureServer();
        _app = GatewayHost.Build(config, new GatewayHostOptions
        {
            SqlitePath = Path.Combine(_dir, "switchyard.db"),
            ConfigureLogging = _ => { },
            AccessLogSink = new DiscardSink(),
            ConfigureServices = services =>
            {
                services.AddSingleton<IServer>(new Http.SecretTargetServer(_server));
                services.AddSingleton(new UpstreamHttp(TimeProvider.System, new FakeUpstreamHandler { Streams = Stream }));
            },
        });
        _app.StartAsync().GetAwaiter().GetResult();

        _authorization = "Bearer " + MasterKey;
        if (Key == "scoped")
        {
            var (status, answer) = Send("POST", "/key/generate", Encoding.UTF8.GetBytes("{\"key_alias\":\"bench-scoped\",\"rpm_limit\":1000000000,\"tpm_limit\":2000000000}"));
            var key = System.Text.Json.JsonDocument.Parse(answer).RootElement.GetProperty("key").GetString();
            _authorization = status == 200 && key is not null ? "Bearer " + key : throw new InvalidOperationException($"/key/generate answered {status}: {answer}");
        }

        var body = Body == "48KB" ? AgentBody.Agent("bench.chat") : AgentBody.Small("bench.chat", stream: false);
        _body = Stream ? Encoding.UTF8.GetBytes("{\"stream\":true," + Encoding.UTF8.GetString(body, 1, body.Length - 1)) : body;
        var (ok, text) = Send("POST", "/v1/chat/completions", _body);
        if (ok != 200)
        {
            throw new InvalidOperationException($"the gateway answered {ok}: {text}");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _app.StopAsync().GetAwaiter().GetResult();
        ((IDisposable)_app).Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Benchmark]
    public Task Request() => _server.Process(_body, "POST", "/v1/chat/completions", _authorization);

    [Benchmark]
    public Task Floor() => _server.Process([], "GET", "/health/liveliness", _authorization);

    private (int Status, string Body) Send(string method, string path, byte[] body)
    {
        var output = new MemoryStream();
        var features = NewRequest(method, path, body, output);
        _server.Process(features).GetAwaiter().GetResult();
        return (features.Get<IHttpResponseFeature>()!.StatusCode, Encoding.UTF8.GetString(output.ToArray()));
    }

    private FeatureCollection NewRequest(string method, string path, byte[] body, Stream output)
    {
        IHeaderDictionary headers = new HeaderDictionary
        {
            ["Host"] = "127.0.0.1:4000",
            ["Authorization"] = _authorization,
        };
        if (body.Length > 0)
        {
            headers.ContentType = "application/json";
            headers.ContentLength = body.Length;
        }

        var features = new FeatureCollection();
        features.Set<IHttpRequestFeature>(new HttpRequestFeature
        {
            Protocol = "HTTP/1.1",
            Scheme = "http",
            Method = method,
            Path = path,
            RawTarget = path,
            Headers = headers,
            Body = new MemoryStream(body, writable: false),
        });
        features.Set<IHttpResponseFeature>(new HttpResponseFeature());
        features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(output));
        features.Set<IHttpConnectionFeature>(new HttpConnectionFeature { RemoteIpAddress = IPAddress.Loopback, LocalIpAddress = IPAddress.Loopback, RemotePort = 40000, LocalPort = 4000 });
        features.Set<IHttpRequestLifetimeFeature>(new HttpRequestLifetimeFeature());
        return features;
    }

    /// <summary>Holds the host's application instead of listening: requests are handed to it directly.</summary>
    private sealed class CaptureServer : IServer
    {
        private Func<IFeatureCollection, Task>? _process;
        private Func<byte[], string, string, string, Task>? _reused;

        public IFeatureCollection Features { get; } = new FeatureCollection();

        public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken) where TContext : notnull
        {
            _process = async features =>
            {
                var context = application.CreateContext(features);
                Exception? failed = null;
                try
                {
                    await application.ProcessRequestAsync(context);
                }
                catch (Exception e)
                {
                    failed = e;
                    throw;
                }
                finally
                {
                    application.DisposeContext(context, failed);
                }
            };
            var connection = new Connection<TContext>();
            _reused = async (body, method, path, authorization) =>
            {
                connection.Reset(body, method, path, authorization);
                var context = application.CreateContext(connection);
                Exception? failed = null;
                try
                {
                    await application.ProcessRequestAsync(context);
                }
                catch (Exception e)
                {
                    failed = e;
                    throw;
                }
                finally
                {
                    application.DisposeContext(context, failed);
                }
            };
            return Task.CompletedTask;
        }

        /// <summary>A request on fresh features (setup: its answer is read back).</summary>
        public Task Process(IFeatureCollection features) => _process!(features);

        /// <summary>A request on the one reused connection, as Kestrel reuses a keep-alive connection's features and context.</summary>
        public Task Process(byte[] body, string method, string path, string authorization) => _reused!(body, method, path, authorization);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public void Dispose()
        {
        }
    }

    /// <summary>
    /// One keep-alive connection's features, reset for each request as Kestrel resets its own (headers cleared, extra
    /// features dropped, the host's context reused through <see cref="IHostContextContainer{TContext}"/>), so that what
    /// the benchmark allocates is the gateway's, not a test server's.
    /// </summary>
    private sealed class Connection<TContext> : IFeatureCollection, IHostContextContainer<TContext>, IHttpResponseBodyFeature, IRequestBodyPipeFeature
        where TContext : notnull
    {
        private readonly List<KeyValuePair<Type, object?>> _features = [];
        private readonly HttpRequestFeature _request = new() { Protocol = "HTTP/1.1", Scheme = "http" };
        private readonly HttpResponseFeature _response = new();
        private readonly HttpConnectionFeature _connection = new() { RemoteIpAddress = IPAddress.Loopback, LocalIpAddress = IPAddress.Loopback, RemotePort = 40000, LocalPort = 4000 };
        private readonly HttpRequestLifetimeFeature _lifetime = new();
        private readonly IHeaderDictionary _requestHeaders = new HeaderDictionary();
        private readonly IHeaderDictionary _responseHeaders = new HeaderDictionary();
        private readonly BodyPipeReader _body = new();
        private readonly DiscardPipeWriter _output = new();

        public TContext? HostContext { get; set; }

        public bool IsReadOnly => false;

        public int Revision { get; private set; }

        public Stream Stream => System.IO.Stream.Null;

        public System.IO.Pipelines.PipeWriter Writer => _output;

        System.IO.Pipelines.PipeReader IRequestBodyPipeFeature.Reader => _body;

        public object? this[Type key]
        {
            get => Get(key);
            set => Set(key, value);
        }

        public void Reset(byte[] body, string method, string path, string authorization)
        {
            _features.Clear();
            Revision++;
            _requestHeaders.Clear();
            _requestHeaders.Host = "127.0.0.1:4000";
            _requestHeaders.Authorization = authorization;
            if (body.Length > 0)
            {
                _requestHeaders.ContentType = "application/json";
                _requestHeaders.ContentLength = body.Length;
            }

            _request.Method = method;
            _request.Path = path;
            _request.RawTarget = path;
            _request.QueryString = "";
            _request.Headers = _requestHeaders;
            _request.Body = System.IO.Stream.Null;
            _responseHeaders.Clear();
            _response.StatusCode = 200;
            _response.ReasonPhrase = null;
            _response.Headers = _responseHeaders;
            _body.Reset(body);
        }

        public object? Get(Type key)
        {
            if (key == typeof(IHttpRequestFeature))
            {
                return _request;
            }

            if (key == typeof(IHttpResponseFeature))
            {
                return _response;
            }

            if (key == typeof(IHttpResponseBodyFeature) || key == typeof(IRequestBodyPipeFeature))
            {
                return this;
            }

            if (key == typeof(IHttpConnectionFeature))
            {
                return _connection;
            }

            if (key == typeof(IHttpRequestLifetimeFeature))
            {
                return _lifetime;
            }

            foreach (var (type, value) in _features)
            {
                if (type == key)
                {
                    return value;
                }
            }

            return null;
        }

        public TFeature? Get<TFeature>() => (TFeature?)Get(typeof(TFeature));

        public void Set(Type key, object? value)
        {
            Revision++;
            for (var i = 0; i < _features.Count; i++)
            {
                if (_features[i].Key == key)
                {
                    if (value is null)
                    {
                        _features.RemoveAt(i);
                    }
                    else
                    {
                        _features[i] = new(key, value);
                    }

                    return;
                }
            }

            if (value is not null)
            {
                _features.Add(new(key, value));
            }
        }

        public void Set<TFeature>(TFeature? instance) => Set(typeof(TFeature), instance);

        public IEnumerator<KeyValuePair<Type, object>> GetEnumerator() => _features.Where(f => f.Value is not null).Select(f => new KeyValuePair<Type, object>(f.Key, f.Value!)).GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        public void DisableBuffering()
        {
        }

        public Task StartAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

        public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default) => Task.CompletedTask;

        public Task CompleteAsync() => Task.CompletedTask;
    }

    /// <summary>The whole request body at once, as Kestrel's pipe holds it once the body has arrived.</summary>
    private sealed class BodyPipeReader : System.IO.Pipelines.PipeReader
    {
        private System.Buffers.ReadOnlySequence<byte> _body;

        public void Reset(byte[] body) => _body = new(body);

        public override bool TryRead(out System.IO.Pipelines.ReadResult result)
        {
            result = new(_body, isCanceled: false, isCompleted: true);
            return true;
        }

        public override ValueTask<System.IO.Pipelines.ReadResult> ReadAsync(CancellationToken cancellationToken = default) => new(new System.IO.Pipelines.ReadResult(_body, isCanceled: false, isCompleted: true));

        public override void AdvanceTo(SequencePosition consumed) => _body = _body.Slice(consumed);

        public override void AdvanceTo(SequencePosition consumed, SequencePosition examined) => _body = _body.Slice(consumed);

        public override void CancelPendingRead()
        {
        }

        public override void Complete(Exception? exception = null)
        {
        }
    }

    /// <summary>A response body writer that keeps nothing (one reused buffer).</summary>
    private sealed class DiscardPipeWriter : System.IO.Pipelines.PipeWriter
    {
        private readonly byte[] _buffer = new byte[64 * 1024];

        public override void Advance(int bytes)
        {
        }

        public override Memory<byte> GetMemory(int sizeHint = 0) => sizeHint <= _buffer.Length ? _buffer : new byte[sizeHint];

        public override Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

        public override void CancelPendingFlush()
        {
        }

        public override void Complete(Exception? exception = null)
        {
        }

        public override ValueTask<System.IO.Pipelines.FlushResult> FlushAsync(CancellationToken cancellationToken = default) => new(new System.IO.Pipelines.FlushResult(isCanceled: false, isCompleted: false));

        public override ValueTask<System.IO.Pipelines.FlushResult> WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default) => FlushAsync(cancellationToken);
    }

    /// <summary>The load benchmark's fake upstream, in memory: reads the whole request body, answers from precomputed bytes (SSE when <see cref="Streams"/>).</summary>
    private sealed class FakeUpstreamHandler : HttpMessageHandler
    {
        private const string Model = "gpt-4o-mini";

        /// <summary>Answer with the SSE stream (the benchmark sends only one kind of request per run).</summary>
        public bool Streams { get; set; }

        private static readonly byte[] Completion = Encoding.UTF8.GetBytes(
            "{\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion\",\"created\":1700000000,\"model\":\"" + Model + "\"," +
            "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Hello! How can I help you today?\"},\"logprobs\":null,\"finish_reason\":\"stop\"}]," +
            "\"usage\":{\"prompt_tokens\":21,\"completion_tokens\":9,\"total_tokens\":30}}");

        private static readonly byte[] Events = Encoding.UTF8.GetBytes(
            string.Concat(Enumerable.Range(0, 10).Select(i => Chunk("tok" + i.ToString(System.Globalization.CultureInfo.InvariantCulture) + " ", "null"))) +
            Chunk("", "\"stop\"") +
            "data: {\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"" + Model + "\",\"choices\":[]," +
            "\"usage\":{\"prompt_tokens\":21,\"completion_tokens\":9,\"total_tokens\":30}}\n\n" +
            "data: [DONE]\n\n");

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Content is { } content)
            {
                await content.CopyToAsync(System.IO.Stream.Null, cancellationToken); // as a socket would, without keeping it
            }

            await Task.Yield(); // a socket's answer arrives later: every await above this one completes asynchronously, as in production
            var stream = Streams;
            var answer = new ByteArrayContent(stream ? Events : Completion);
            answer.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(stream ? "text/event-stream" : "application/json");
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = answer, RequestMessage = request };
        }

        private static string Chunk(string content, string finish)
            => "data: {\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"" + Model + "\"," +
               "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + content + "\"},\"finish_reason\":" + finish + "}]}\n\n";
    }

    private sealed class DiscardSink : AccessLog.IAccessLogSink
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
