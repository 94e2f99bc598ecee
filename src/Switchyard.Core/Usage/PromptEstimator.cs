using Switchyard.Core.Requests;

namespace Switchyard.Core.Usage;

/// <summary>A request's prompt estimate and the number of completions it asks for (chat <c>n</c>, default 1).</summary>
public readonly record struct PromptEstimate(long PromptTokens, int Choices);

/// <summary>
/// Estimates a request's prompt tokens before the call, for TPM and budget reservations: an upper bound of what the
/// provider will bill, settled to the provider's reported usage afterwards. The schema gate has already found where the
/// billed text sits (<see cref="RequestInfo.BilledRanges"/>: chat <c>messages</c>, <c>tools</c>, <c>functions</c>,
/// <c>response_format</c>, <c>tool_choice</c>; embeddings <c>input</c>), so the body is not parsed again:
/// <see cref="TextTokenBound"/> bounds those stretches as they are written (JSON syntax included, which only raises the
/// bound), in place, without decoding or allocating. Framing comes from the group's <see cref="EstimateProfile"/>.
/// </summary>
/// <remarks>
/// Work is linear in the body and capped: at most <see cref="MaxScannedBytes"/> of text are classified, the rest is
/// charged one token per byte (the hard bound) without being read. The caller's cancellation is checked every 64 KB of
/// text, so a request whose client has gone stops being counted.
/// </remarks>
public static class PromptEstimator
{
    /// <summary>Completion tokens assumed per choice when the request sets no max_tokens / max_completion_tokens.</summary>
    public const int DefaultCompletionEstimate = 256;

    /// <summary>The most text bytes classified per request.</summary>
    public const int MaxScannedBytes = 16 * 1024 * 1024;

    /// <summary>The estimate of a body the schema gate has not seen yet (it is inspected first; invalid bodies throw its error).</summary>
    public static PromptEstimate Estimate(ReadOnlySpan<byte> body, OperationKind operation, EstimateProfile profile, CancellationToken cancellationToken)
        => Estimate(body, RequestInspector.Inspect(body, operation), profile, cancellationToken);

    public static PromptEstimate Estimate(ReadOnlySpan<byte> body, RequestInfo info, EstimateProfile profile, CancellationToken cancellationToken)
    {
        long text = 0, scanned = 0;
        var ranges = info.BilledRanges;
        for (var i = 0; i + 1 < ranges.Count; i += 2)
        {
            var stretch = body[ranges[i]..ranges[i + 1]];
            var scan = (int)Math.Min(stretch.Length, Math.Max(0, MaxScannedBytes - scanned));
            text += TextTokenBound.Count(stretch[..scan], cancellationToken) + (stretch.Length - scan);
            scanned += scan;
        }

        long framing = 0;
        if (info.Operation is OperationKind.Chat or OperationKind.Messages)
        {
            framing = ((long)info.MessageCount * profile.PerMessage) + profile.ReplyPriming;
            var tools = (long)info.ToolCount + info.FunctionCount;
            framing += tools > 0 ? (tools * profile.PerTool) + profile.ToolsBlock : 0;
        }

        var tokens = (((text + framing) * profile.FactorThousandths) + 999) / 1000;
        if (profile.BytesPerTokenFloor is { } perToken)
        {
            tokens = Math.Max(tokens, body.Length / perToken);
        }

        return new PromptEstimate(Math.Max(1, tokens), info.Choices);
    }
}
