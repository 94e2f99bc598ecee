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
public sealed class UsageRecorder(SpendWriter spend, TimeProvider time)
{
    /// <summary>
    /// A routed request's spend log row: what it used and cost. Completes once the row is in the spend journal (see
    /// <see cref="SpendWriter.AppendAsync"/>): awaited before the answer completes, so an answer the caller holds whole is
    /// spend that survives a kill -9.
    /// </summary>
    public ValueTask RecordAsync(CallerIdentity caller, RequestInfo info, DeploymentConfig deployment, long promptTokens, long completionTokens, decimal cost, int status, string correlationId, long startedTimestamp)
        => AppendAsync(caller, info, deployment, promptTokens, completionTokens, cost, status, correlationId, startedTimestamp);

    /// <summary>A request that reached no deployment: logged with zero usage (completes once journaled).</summary>
    public ValueTask RecordAsync(CallerIdentity caller, RequestInfo info, int status, string correlationId, long startedTimestamp)
        => AppendAsync(caller, info, null, 0, 0, 0, status, correlationId, startedTimestamp);

    private ValueTask AppendAsync(CallerIdentity caller, RequestInfo info, DeploymentConfig? deployment, long prompt, long completion, decimal cost, int status, string correlationId, long startedTimestamp)
    {
        var elapsed = time.GetElapsedTime(startedTimestamp);
        return spend.AppendAsync(new SpendRecord
        {
            RequestId = Guid.CreateVersion7().ToString("N"),
            CorrelationId = correlationId,
            TenantId = caller.TenantId,
            TokenHash = caller.TokenHash,
            UserId = caller.UserId,
            Alias = info.Model,
            Deployment = deployment?.Id,
            ProviderFamily = deployment?.Family,
            Model = deployment?.QualifiedModel,
            PromptTokens = prompt,
            CompletionTokens = completion,
            Cost = cost,
            Status = status,
            LatencyMs = elapsed.TotalMilliseconds,
            StartTime = time.GetUtcNow() - elapsed,
        });
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
