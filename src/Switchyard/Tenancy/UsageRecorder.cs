using System.Globalization;
using Switchyard.Core.Admission;
using Switchyard.Core.Config;
using Switchyard.Core.Requests;
using Switchyard.Core.Tenancy;
using Switchyard.Core.Usage;

namespace Switchyard.Tenancy;

/// <summary>
/// Spend log rows for inference requests (what the request lifecycle settled; see
/// <see cref="Core.Pipeline.RequestLifecycle"/>), and the response headers that tell the caller its limits and cost.
/// </summary>
public sealed class UsageRecorder(SpendWriter spend, TimeProvider time, Callbacks.CallbackWebhook callbacks)
{
    /// <summary>
    /// A routed request's spend log row: what it used and cost. Completes once the row is in the spend journal (see
    /// <see cref="SpendWriter.AppendAsync"/>): awaited before the answer completes, so an answer the caller holds whole is
    /// spend that survives a kill -9. <paramref name="responseId"/> is the answer's id as the caller saw it (null when
    /// it had none): the row's request_id, so <c>/spend/logs?request_id=</c> finds the call.
    /// </summary>
    public ValueTask RecordAsync(CallerIdentity caller, RequestInfo info, DeploymentConfig deployment, long promptTokens, long completionTokens, decimal cost, int status, string correlationId, long startedTimestamp, string? responseId)
        => AppendAsync(caller, info, deployment, promptTokens, completionTokens, cost, status, correlationId, startedTimestamp, responseId, null);

    /// <summary>
    /// A request that reached no deployment: logged with zero usage (completes once journaled). <paramref name="errorCode"/>
    /// is the failure summary's code, for the webhook callback.
    /// </summary>
    public ValueTask RecordAsync(CallerIdentity caller, RequestInfo info, int status, string correlationId, long startedTimestamp, string? errorCode = null)
        => AppendAsync(caller, info, null, 0, 0, 0, status, correlationId, startedTimestamp, null, errorCode);

    /// <summary>
    /// An answer served from the response cache: zero tokens and zero cost (no provider was called), provider_family
    /// <c>cache</c> as the cache-hit marker and the deployment that first answered it (completes once journaled).
    /// </summary>
    public ValueTask RecordCacheHitAsync(CallerIdentity caller, RequestInfo info, string deployment, string correlationId, long startedTimestamp)
        => AppendAsync(caller, info, null, 0, 0, 0, 200, correlationId, startedTimestamp, null, null, cachedBy: deployment);

    /// <summary>The provider_family of a spend row answered from the response cache.</summary>
    public const string CacheHitFamily = "cache";

    private ValueTask AppendAsync(CallerIdentity caller, RequestInfo info, DeploymentConfig? deployment, long prompt, long completion, decimal cost, int status, string correlationId, long startedTimestamp, string? responseId, string? errorCode, string? cachedBy = null)
    {
        var elapsed = time.GetElapsedTime(startedTimestamp);
        var rowId = Guid.CreateVersion7().ToString("N");
        var row = new SpendRecord
        {
            RowId = rowId,
            RequestId = responseId ?? rowId,
            CorrelationId = correlationId,
            TenantId = caller.TenantId,
            TokenHash = caller.TokenHash,
            UserId = caller.UserId,
            Alias = info.Model,
            Deployment = deployment?.Id ?? cachedBy,
            ProviderFamily = cachedBy is null ? deployment?.Family : CacheHitFamily,
            Model = deployment?.QualifiedModel,
            PromptTokens = prompt,
            CompletionTokens = completion,
            Cost = cost,
            Status = status,
            LatencyMs = elapsed.TotalMilliseconds,
            StartTime = time.GetUtcNow() - elapsed,
        };
        callbacks.Publish(caller, info, row, errorCode); // a channel write: the webhook callback posts it in the background
        return spend.AppendAsync(row);
    }

    public static void WriteRateLimitHeaders(HttpContext context, in AdmissionTicket ticket)
    {
        var h = context.Response.Headers;
        if (ticket.HasRequestLimit)
        {
            h["x-ratelimit-limit-requests"] = ticket.LimitRequests.ToString(CultureInfo.InvariantCulture);
            h["x-ratelimit-remaining-requests"] = ticket.RemainingRequests.ToString(CultureInfo.InvariantCulture);
        }

        if (ticket.HasTokenLimit)
        {
            h["x-ratelimit-limit-tokens"] = ticket.LimitTokens.ToString(CultureInfo.InvariantCulture);
            h["x-ratelimit-remaining-tokens"] = ticket.RemainingTokens.ToString(CultureInfo.InvariantCulture);
        }
    }

    public static void WriteCostHeader(HttpContext context, DeploymentConfig deployment, Core.Requests.Usage? usage)
    {
        if (usage is null)
        {
            return;
        }

        var cost = PriceTable.Cost(deployment, usage).ToString("0.##########", CultureInfo.InvariantCulture);
        context.Response.Headers["x-switchyard-response-cost"] = cost;
        context.Response.Headers["x-litellm-response-cost"] = cost;
    }
}
