using System.Buffers;
using Switchyard.Core.Config;
using Switchyard.Core.Failures;
using Switchyard.Core.Requests;
using Switchyard.Core.Usage;
using Switchyard.Hosting;
using Switchyard.Http;
using Switchyard.Ingress;
using Switchyard.Providers.Abstractions;
using Switchyard.Providers.Anthropic;
using Switchyard.Tenancy;

namespace Switchyard.Endpoints;

public sealed partial class InferenceEndpoint
{
    /// <summary>
    /// <c>POST /v1/messages/count_tokens</c>: authenticated and checked against the alias as inference is, but not
    /// admitted or charged. The alias's first Anthropic deployment counts (Anthropic's own count_tokens); when the alias
    /// has none, or none of them answers, the gateway's prompt estimate (an upper bound) is returned, and
    /// <c>x-switchyard-token-count</c> says which (<c>provider</c> or <c>estimate</c>).
    /// </summary>
    public async Task HandleCountTokensAsync(HttpContext context)
    {
        var snapshot = state.Current;
        if (codecs.Get(OperationKind.Messages) is { } codec)
        {
            context.Features.Set(new IngressFeature(codec));
        }

        var (caller, body, length) = await ReadCallerAsync(context, snapshot);
        if (caller is null)
        {
            return;
        }

        try
        {
            await CountTokensAsync(context, snapshot, caller, body.AsMemory(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(body);
        }
    }

    private async Task CountTokensAsync(HttpContext context, GatewaySnapshot snapshot, CallerIdentity caller, ReadOnlyMemory<byte> body)
    {
        RequestInfo info;
        try
        {
            info = RequestInspector.InspectCountTokens(body.Span);
        }
        catch (RequestValidationException e)
        {
            await FailureResponses.WriteAsync(context, FailureSummary.BadRequest(e.Message, e.Param, e.Code));
            return;
        }

        var (group, resolved, refused) = ResolveGroup(snapshot.Routes, caller, info.Model);
        if (group is null)
        {
            await FailureResponses.WriteAsync(context, refused!);
            return;
        }

        info = info with { Model = resolved };

        var (counted, failure) = await CountUpstreamAsync(context, group, info, body);
        if (failure is not null)
        {
            await FailureResponses.WriteAsync(context, failure);
            return;
        }

        var answer = counted ?? AnthropicCountTokens.Answer(PromptEstimator.Estimate(body.Span, info, group.EstimateProfile, context.RequestAborted).PromptTokens);
        context.Response.Headers["x-switchyard-token-count"] = counted is null ? "estimate" : "provider";
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = answer.Length;
        await context.Response.Body.WriteAsync(answer, context.RequestAborted);
    }

    /// <summary>The first Anthropic deployment's count; a caller error it reports is the answer, other failures try the next.</summary>
    private async Task<(byte[]? Counted, FailureSummary? Failure)> CountUpstreamAsync(HttpContext context, Core.Routing.RouteGroup group, RequestInfo info, ReadOnlyMemory<byte> body)
    {
        var correlation = context.Features.Get<CorrelationFeature>()!;
        var forward = ForwardedHeaders(context);
        foreach (var deployment in group.Deployments)
        {
            if (deployment.Config.Family != ProviderFamilies.Anthropic || providers.Get(deployment.Config.Family) is not AnthropicAdapter anthropic)
            {
                continue;
            }

            var result = await anthropic.CountTokensAsync(new ProviderRequest
            {
                Info = info,
                Body = body,
                Deployment = deployment.Config,
                DropParams = deployment.Config.DropParams,
                CorrelationId = correlation.CorrelationId,
                ForwardHeaders = forward,
            }, context.RequestAborted);
            if (result.Value is { } counted)
            {
                return (counted, null);
            }

            if (result.Failure!.Kind is FailureKind.CallerError or FailureKind.ContextWindowExceeded)
            {
                return (null, FailureMapping.ToSummary(result.Failure, deployment.Config, 1) with { Route = info.Model, CorrelationId = correlation.CorrelationId });
            }
        }

        return (null, null);
    }
}
