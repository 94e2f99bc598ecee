using Switchyard.Core.Admission;
using Switchyard.Core.Requests;
using Switchyard.Core.Routing;

namespace Switchyard.Core.Usage;

/// <summary>A request's reservation before the call: prompt estimate plus its completion allowance, and their cost at the group's dearest prices.</summary>
public readonly record struct UsageEstimate(long PromptTokens, long CompletionTokens, long CostNanos)
{
    public long Tokens => PromptTokens + CompletionTokens;

    /// <summary>
    /// The reservation for a request: the prompt's upper-bound estimate (with the group's framing) plus its completion
    /// cap per choice (max_tokens / max_completion_tokens, else <see cref="PromptEstimator.DefaultCompletionEstimate"/>),
    /// priced at the group's dearest input and output prices.
    /// </summary>
    /// <param name="bounded">Estimate from the text (for admission); false takes one token per 4 bytes of body, only a
    /// fallback for spend logs when the provider reports no usage (the master key is not admitted).</param>
    public static UsageEstimate For(ReadOnlySpan<byte> body, RequestInfo info, RouteGroup group, bool bounded, CancellationToken cancellationToken)
    {
        var (prompt, choices) = bounded
            ? PromptEstimator.Estimate(body, info, group.EstimateProfile, cancellationToken)
            : new PromptEstimate(Math.Max(1, body.Length / 4), 1);
        var completion = info.Operation is OperationKind.Embeddings or OperationKind.ImageGeneration or OperationKind.Moderations or OperationKind.Rerank
            ? 0 : (long)(info.MaxTokens ?? PromptEstimator.DefaultCompletionEstimate) * choices;
        var cost = (prompt * group.MaxInputPrice) + (completion * group.MaxOutputPrice) + (SearchUnits(info) * group.MaxQueryPrice);
        return new UsageEstimate(prompt, completion, AdmissionController.ToNanos(cost));
    }

    /// <summary>
    /// The search units a rerank request is reserved at: one per 100 documents (Cohere's unit; documents it splits into
    /// chunks can bill more, settled from the answer). 0 for other operations.
    /// </summary>
    public static long SearchUnits(RequestInfo info) => info.Operation == OperationKind.Rerank ? Math.Max(1, (info.Documents + 99) / 100) : 0;
}
