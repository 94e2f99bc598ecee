using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using Switchyard.Core.Config;
using Switchyard.Core.Correlation;
using Switchyard.Core.Failures;
using Switchyard.Core.Requests;
using Switchyard.Core.Resilience;
using Switchyard.Core.Routing;

namespace Switchyard.Benchmarks;

/// <summary>The schema gate, once per request: a small chat body and a ~60 KB agent body with 12 tools.</summary>
[MemoryDiagnoser]
public class RequestInspectorBenchmarks
{
    private readonly byte[] _small = Bodies.SmallChat;
    private readonly byte[] _agent = Bodies.OpenClawLike;

    [GlobalSetup]
    public void Setup()
    {
        var info = RequestInspector.Inspect(_agent, OperationKind.Chat);
        if (info.ToolCount != 12 || _agent.Length is < 55 * 1024 or > 66 * 1024)
        {
            throw new InvalidOperationException($"agent body is {_agent.Length} bytes with {info.ToolCount} tools; expected ~60 KB and 12");
        }

        Console.WriteLine($"// agent body: {_agent.Length} bytes, {info.ToolCount} tools, {info.MessageCount} messages; small body: {_small.Length} bytes");
    }

    [Benchmark(Baseline = true)]
    public RequestInfo SmallChat() => RequestInspector.Inspect(_small, OperationKind.Chat);

    [Benchmark]
    public RequestInfo OpenClaw60KB12Tools() => RequestInspector.Inspect(_agent, OperationKind.Chat);
}

/// <summary>The upstream body: model swapped in place, deployment defaults added when the caller did not set them.</summary>
[MemoryDiagnoser]
public class RequestRewriterBenchmarks
{
    private static readonly IReadOnlyDictionary<string, JsonNode?> NoDefaults = new Dictionary<string, JsonNode?>();
    private static readonly IReadOnlyDictionary<string, JsonNode?> Defaults = new Dictionary<string, JsonNode?> { ["temperature"] = 0.3, ["max_tokens"] = 1024 };
    private readonly byte[] _small = Bodies.SmallChat;
    private readonly byte[] _agent = Bodies.OpenClawLike;
    private RequestInfo _smallInfo = null!;
    private RequestInfo _agentInfo = null!;

    [GlobalSetup]
    public void Setup()
    {
        _smallInfo = RequestInspector.Inspect(_small, OperationKind.Chat);
        _agentInfo = RequestInspector.Inspect(_agent, OperationKind.Chat);
    }

    [Benchmark(Baseline = true)]
    public byte[] SmallChat() => RequestRewriter.Rewrite(_small, _smallInfo, "gpt-4o-mini", NoDefaults, requestStreamUsage: false);

    [Benchmark]
    public byte[] SmallChatWithDefaults() => RequestRewriter.Rewrite(_small, _smallInfo, "gpt-4o-mini", Defaults, requestStreamUsage: false);

    [Benchmark]
    public byte[] OpenClaw60KB12Tools() => RequestRewriter.Rewrite(_agent, _agentInfo, "gpt-4o-mini", NoDefaults, requestStreamUsage: true);
}

/// <summary>A new ULID-style correlation id (every request without a valid caller id).</summary>
[MemoryDiagnoser]
public class CorrelationIdBenchmarks
{
    private readonly TimeProvider _time = TimeProvider.System;

    [Benchmark]
    public string New() => CorrelationId.New(_time);
}

/// <summary>Weighted simple-shuffle pick over a 3-deployment group, all healthy.</summary>
[MemoryDiagnoser]
public class DeploymentSelectorBenchmarks
{
    private static readonly Func<RoutedDeployment, int, bool> Allowed = static (_, _) => true;
    private readonly int[] _attempts = new int[3];
    private RouteGroup _group = null!;

    [GlobalSetup]
    public void Setup() => _group = BenchConfig.Group(3);

    [Benchmark]
    public RoutedDeployment? PickShuffle() => DeploymentSelector.Pick(_group, RoutingStrategy.SimpleShuffle, DateTimeOffset.UtcNow, _attempts, Allowed, Random.Shared);

    [Benchmark]
    public RoutedDeployment? PickLeastBusy() => DeploymentSelector.Pick(_group, RoutingStrategy.LeastBusy, DateTimeOffset.UtcNow, _attempts, Allowed, Random.Shared);
}

/// <summary>The breaker's per-attempt cost on the success path: acquire, then record a success.</summary>
[MemoryDiagnoser]
public class CircuitBreakerBenchmarks
{
    private readonly CircuitBreaker _breaker = new("bench", new BreakerSettings(), TimeProvider.System);
    private readonly CircuitBreaker _slowRules = new("bench-slow", new BreakerSettings { SlowCallDuration = TimeSpan.FromSeconds(10) }, TimeProvider.System);
    private readonly TimeSpan _latency = TimeSpan.FromMilliseconds(120);

    [Benchmark(Baseline = true)]
    public bool AcquireAndRecordSuccess()
    {
        var ok = _breaker.TryAcquire();
        _breaker.RecordSuccess(_latency);
        return ok;
    }

    [Benchmark]
    public bool AcquireAndRecordSuccessWithSlowCallRule()
    {
        var ok = _slowRules.TryAcquire();
        _slowRules.RecordSuccess(_latency);
        return ok;
    }
}

/// <summary>The failure summary envelope as UTF-8 JSON (every error answer).</summary>
[MemoryDiagnoser]
public class FailureSummaryWriterBenchmarks
{
    private readonly FailureSummary _summary = new()
    {
        Status = 504,
        Type = FailureType.UpstreamTimeout,
        Code = "upstream_timeout",
        Message = "openai/gpt-4o-mini (deployment router.default-openai-1) gave no response headers within 60 s after 3 attempts",
        Route = "router.default",
        ProviderFamily = "openai",
        RetryAfterMs = 1500,
        CorrelationId = "01JDQ8ZK3V8X4T2M6N9P0R5S7W",
    };

    [Benchmark]
    public byte[] ToUtf8() => FailureSummaryWriter.ToUtf8(_summary);
}

/// <summary>
/// Caller authentication on every request: Bearer parsing, SHA-256 (OpenSSL), constant-time compare with the master
/// key hashes, then a token-hash lookup in the in-memory directory (no store access).
/// </summary>
[MemoryDiagnoser]
public class AuthenticatorBenchmarks
{
    private readonly Microsoft.AspNetCore.Http.DefaultHttpContext _master = new();
    private readonly Microsoft.AspNetCore.Http.DefaultHttpContext _token = new();
    private Switchyard.Tenancy.Authenticator _authenticator = null!;

    [GlobalSetup]
    public void Setup()
    {
        var config = ConfigLoader.Load("""
            model_list:
              - model_name: m
                litellm_params: { model: mock/m }
            general_settings: { master_key: sk-bench-master-key-0001 }
            """, ".", _ => null);
        var state = new Switchyard.Hosting.GatewayState(config, new Core.Routing.DeploymentStateRegistry(TimeProvider.System));
        var directory = new Core.Tenancy.TenantDirectory();
        var token = Core.Tenancy.TokenHash.NewToken();
        directory.SetKey(new Core.Tenancy.KeyRecord { TokenHash = Core.Tenancy.TokenHash.Of(token).ToHex(), KeyName = "sk-...bench" });
        _authenticator = new Switchyard.Tenancy.Authenticator(state, directory, TimeProvider.System, new Switchyard.Dashboard.SessionCookie(state, TimeProvider.System));
        _master.Request.Headers.Authorization = "Bearer sk-bench-master-key-0001";
        _token.Request.Headers.Authorization = "Bearer " + token;
    }

    [Benchmark]
    public bool MasterKey() => _authenticator.AuthenticateToken(_master).Caller is not null;

    [Benchmark]
    public bool ScopedToken() => _authenticator.AuthenticateToken(_token).Caller is not null;
}
