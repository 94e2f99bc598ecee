using System.Globalization;
using Switchyard.Core.Admission;
using Switchyard.Core.Config;
using Switchyard.Core.Requests;
using Switchyard.Core.Routing;
using Switchyard.Core.Tenancy;
using Switchyard.Core.Usage;

namespace Switchyard.Tenancy;

/// <summary>A request's reservation before the call: prompt estimate plus its completion allowance, and their cost at the group's dearest prices.</summary>
public readonly record struct UsageEstimate(long PromptTokens, long CompletionTokens, long CostNanos)
{
    public long Tokens => PromptTokens + CompletionTokens;
}

/// <summary>
/// Turns what a call used into limits settled, cost and a spend record: estimates before, real usage after
/// (the provider's usage block; the estimate when it gave none), and the response headers that tell the caller.
/// </summary>
public sealed class UsageRecorder(AdmissionController admission, SpendWriter spend, TimeProvider time)
{
    /// <summary>
    /// The reservation for a request: the prompt's upper-bound estimate (with the group's framing) plus its completion
    /// cap per choice (max_tokens / max_completion_tokens, else <see cref="PromptEstimator.DefaultCompletionEstimate"/>),
    /// priced at the group's dearest input and output prices.
    /// </summary>
    /// <param name="bounded">Estimate from the text (for admission); false takes one token per 4 bytes of body, only a
    /// fallback for spend logs when the provider reports no usage (the master key is not admitted).</param>
    public static UsageEstimate Estimate(ReadOnlySpan<byte> body, RequestInfo info, RouteGroup group, bool bounded, CancellationToken cancellationToken)
    {
        var (prompt, choices) = bounded
            ? PromptEstimator.Estimate(body, info, group.EstimateProfile, cancellationToken)
            : new PromptEstimate(Math.Max(1, body.Length / 4), 1);
        var completion = info.Operation == OperationKind.Embeddings ? 0 : (long)(info.MaxTokens ?? PromptEstimator.DefaultCompletionEstimate) * choices;
        var cost = (prompt * group.MaxInputPrice) + (completion * group.MaxOutputPrice);
        return new UsageEstimate(prompt, completion, AdmissionController.ToNanos(cost));
    }

    public decimal Settle(ref AdmissionTicket ticket, CallerIdentity caller, RequestInfo info, DeploymentConfig deployment, Providers.Abstractions.Usage? usage, UsageEstimate estimate, int status, string correlationId, long startedTimestamp)
    {
        var (prompt, completion, cost) = SettleAdmission(ref ticket, deployment, usage, estimate);
        Enqueue(caller, info, deployment, prompt, completion, cost, status, correlationId, startedTimestamp);
        return cost;
    }

    /// <summary>
    /// Replaces the request's reservations by what it used (once; a later call is a no-op). Called before a complete
    /// answer is written, so the caller's next request never meets this one's reservation.
    /// </summary>
    public (long Prompt, long Completion, decimal Cost) SettleAdmission(ref AdmissionTicket ticket, DeploymentConfig deployment, Providers.Abstractions.Usage? usage, UsageEstimate estimate)
    {
        var prompt = usage?.PromptTokens ?? estimate.PromptTokens;
        var completion = usage?.CompletionTokens ?? 0;
        var cost = usage is null ? PriceTable.Cost(deployment, prompt, completion) : CostOf(deployment, usage);
        admission.Complete(ref ticket, prompt + completion, AdmissionController.ToNanos(cost));
        return (prompt, completion, cost);
    }

    /// <summary>A request that reached no deployment: logged with zero usage.</summary>
    public void Record(CallerIdentity caller, RequestInfo info, int status, string correlationId, long startedTimestamp)
        => Enqueue(caller, info, null, 0, 0, 0, status, correlationId, startedTimestamp);

    private void Enqueue(CallerIdentity caller, RequestInfo info, DeploymentConfig? deployment, long prompt, long completion, decimal cost, int status, string correlationId, long startedTimestamp)
    {
        var elapsed = time.GetElapsedTime(startedTimestamp);
        spend.Enqueue(new SpendRecord
        {
            RequestId = Guid.CreateVersion7().ToString("N"),
            CorrelationId = correlationId,
            TenantId = caller.TenantId,
            TokenHash = caller.TokenHash,
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

    public static void WriteCostHeader(HttpContext context, DeploymentConfig deployment, Providers.Abstractions.Usage? usage)
    {
        if (usage is null)
        {
            return;
        }

        var cost = CostOf(deployment, usage).ToString("0.##########", CultureInfo.InvariantCulture);
        context.Response.Headers["x-switchyard-response-cost"] = cost;
        context.Response.Headers["x-litellm-response-cost"] = cost;
    }

    /// <summary>What a call cost: its whole prompt and completion, with prompt-cache reads and writes at their own prices.</summary>
    public static decimal CostOf(DeploymentConfig deployment, Providers.Abstractions.Usage usage)
        => PriceTable.Cost(deployment, usage.PromptTokens, usage.CompletionTokens, usage.CacheReadTokens, usage.CacheWrite5mTokens, usage.CacheWrite1hTokens);
}
