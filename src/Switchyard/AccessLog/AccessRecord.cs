using System.Net;

namespace Switchyard.AccessLog;

/// <summary>
/// One request's access-log line while the request runs: set as an HttpContext feature by <see cref="Http.GatewayMiddleware"/>
/// (time, method, path, correlation id), filled by whatever learns something (the authenticator: tenant and token id; the
/// failure writer: the summary's code; the inference endpoint and its lifecycle: alias, group, deployment, attempts,
/// fallback, canary, tokens, cost) and handed to <see cref="AccessLogWriter"/> when the request ends. Never a secret or
/// a body: the token appears only as its public id (the SHA-256 hex that <c>keys list</c> shows).
/// </summary>
public sealed class AccessRecord
{
    public DateTimeOffset Time { get; init; }
    public long StartTimestamp { get; init; }
    public required string Method { get; init; }
    public required string Path { get; init; }
    public required string CorrelationId { get; init; }
    public IPAddress? Client { get; init; }

    /// <summary>The status the caller saw; set when the request ends (or earlier, when it differs from the response's).</summary>
    public int? Status { get; set; }

    /// <summary>The failure summary's code (or a broken stream's error type).</summary>
    public string? Code { get; set; }

    /// <summary>The model name the caller asked for.</summary>
    public string? Alias { get; set; }

    /// <summary>The route group that answered (or was tried last).</summary>
    public string? Group { get; set; }
    public string? Deployment { get; set; }

    /// <summary>The fallback group that served the call (or was tried last), when a fallback was taken.</summary>
    public string? Fallback { get; set; }
    public bool Canary { get; set; }
    public bool OfflineStandby { get; set; }
    public bool? Stream { get; set; }
    public string? TenantId { get; set; }

    /// <summary>The token's public id (SHA-256 hex, as <c>keys list</c> shows it), or "master".</summary>
    public string? TokenId { get; set; }
    public string? KeyAlias { get; set; }
    public int Attempts { get; set; }
    public long? PromptTokens { get; set; }
    public long? CompletionTokens { get; set; }
    public decimal? Cost { get; set; }

    /// <summary>Milliseconds from the first byte of the request to the end of the answer (the whole stream for streams).</summary>
    public double LatencyMs { get; set; }

    /// <summary>Whether the access log writes this line (false when it is off or the path is excluded: the dashboard still reads the record).</summary>
    public bool Logged { get; init; } = true;

    /// <summary>The inference operation (chat, embeddings, messages, responses, ...) when an inference route took the request; null otherwise.</summary>
    public string? Operation { get; set; }

    /// <summary>The failure summary the caller got (or the one a broken stream ended with).</summary>
    public Core.Failures.FailureSummary? Failure { get; set; }

    /// <summary>Time inside upstream attempts (to the first byte for streams), once routed.</summary>
    public double? UpstreamMs { get; set; }

    /// <summary>Time to the answer's first byte for a stream, once routed.</summary>
    public double? FirstByteMs { get; set; }

    private List<Dashboard.AttemptRecord>? _attempts;

    /// <summary>Each upstream attempt, in order (the dashboard's call view).</summary>
    public IReadOnlyList<Dashboard.AttemptRecord> AttemptLog => _attempts ?? (IReadOnlyList<Dashboard.AttemptRecord>)[];

    /// <summary>Adds an attempt (attempts of one request run one after another).</summary>
    public void AddAttempt(Dashboard.AttemptRecord attempt) => (_attempts ??= []).Add(attempt);
}
