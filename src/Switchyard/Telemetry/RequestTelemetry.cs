using System.Diagnostics;
using System.Text;
using Switchyard.Core.Config;
using Switchyard.Core.Failures;
using Switchyard.Core.Requests;
using Switchyard.Core.Routing;
using Switchyard.Core.Telemetry;
using Switchyard.Http;

namespace Switchyard.Telemetry;

/// <summary>
/// Spans and metrics for one request: a request span (<c>{operation} {alias}</c>) continuing the caller's trace, a
/// client span per upstream attempt (<c>{operation} {provider model}</c>), and the GenAI and gateway metrics at the
/// end. Each step checks for listeners first, so with no exporter nothing is built.
/// </summary>
public static class RequestTelemetry
{
    /// <summary>gen_ai.operation.name: the GenAI conventions' names where they have one (images are generate_content).</summary>
    public static string OperationName(OperationKind op) => op switch
    {
        OperationKind.Embeddings => "embeddings",
        OperationKind.Completions => "text_completion",
        OperationKind.ImageGeneration => "generate_content",
        OperationKind.Moderations => "moderation",
        OperationKind.Rerank => "rerank",
        _ => "chat",
    };

    public static Activity? StartRequest(GatewayTelemetry t, RequestInfo info, CorrelationFeature correlation, string? tenantId, bool captureContent, ReadOnlySpan<byte> body)
    {
        if (!t.Source.HasListeners())
        {
            return null;
        }

        if (!ActivityContext.TryParse(correlation.TraceParent, correlation.TraceState, isRemote: true, out var parent) && Activity.Current is { Recorded: false })
        {
            // ASP.NET Core starts an unrecorded activity per request (for log correlation). As the parent of the request
            // span it would make a parent-based sampler drop the whole trace and leave a parent id no exporter ever sees:
            // without a caller trace context, the request span starts its own trace.
            Activity.Current = null;
        }

        var op = OperationName(info.Operation);
        var activity = t.Source.StartActivity($"{op} {info.Model}", ActivityKind.Server, parent);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(GenAiAttributes.OperationName, op);
            activity.SetTag(GenAiAttributes.RequestModel, info.Model);
            activity.SetTag(GenAiAttributes.Alias, info.Model);
            activity.SetTag(GenAiAttributes.CorrelationId, correlation.CorrelationId);
            if (tenantId is not null)
            {
                activity.SetTag(GenAiAttributes.TenantId, tenantId);
            }

            if (info.MaxTokens is { } max)
            {
                activity.SetTag(GenAiAttributes.RequestMaxTokens, max);
            }

            if (captureContent)
            {
                activity.SetTag(GenAiAttributes.InputMessages, Encoding.UTF8.GetString(body.Length > 65536 ? body[..65536] : body));
            }
        }

        return activity;
    }

    public static Activity? StartAttempt(GatewayTelemetry t, RequestInfo info, RoutedDeployment d, AttemptInfo attempt)
    {
        if (!t.Source.HasListeners())
        {
            return null;
        }

        var op = OperationName(info.Operation);
        var activity = t.Source.StartActivity($"{op} {d.Config.Model}", ActivityKind.Client);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(GenAiAttributes.OperationName, op);
            activity.SetTag(GenAiAttributes.ProviderName, GenAiAttributes.Provider(d.Config.Family));
            activity.SetTag(GenAiAttributes.RequestModel, d.Config.Model);
            activity.SetTag(GenAiAttributes.Deployment, d.Config.Id);
            activity.SetTag(GenAiAttributes.Attempt, attempt.Number);
            activity.SetTag(GenAiAttributes.FallbackUsed, attempt.IsFallback);
            activity.SetTag(GenAiAttributes.BreakerState, StateName(d.State.Breaker.State));
            if (d.Config.ApiBase is { } apiBase && Uri.TryCreate(apiBase, UriKind.Absolute, out var uri))
            {
                activity.SetTag(GenAiAttributes.ServerAddress, uri.Host);
                activity.SetTag(GenAiAttributes.ServerPort, uri.Port);
            }
        }

        return activity;
    }

    public static void EndAttempt(Activity? activity, UpstreamFailure? failure)
    {
        if (activity is null)
        {
            return;
        }

        if (failure is not null)
        {
            activity.SetStatus(ActivityStatusCode.Error, failure.Detail);
            activity.SetTag(GenAiAttributes.ErrorType, ErrorType(failure));
        }

        activity.Dispose();
    }

    /// <summary>Ends the request span and records the request's metrics.</summary>
    public static void Complete(GatewayTelemetry t, Activity? activity, RequestInfo info, DeploymentConfig? deployment, Usage? usage, int status, string? errorType,
        TimeSpan total, TimeSpan upstream, TimeSpan? firstChunk, int attempts, bool fallbackUsed, string? tenantId, decimal cost, bool captureContent, ReadOnlyMemory<byte> output)
    {
        var op = OperationName(info.Operation);
        var provider = deployment is null ? null : GenAiAttributes.Provider(deployment.Family);
        if (activity is not null)
        {
            if (activity.IsAllDataRequested)
            {
                activity.SetTag(GenAiAttributes.ProviderName, provider);
                activity.SetTag(GenAiAttributes.ResponseModel, deployment?.Model);
                activity.SetTag(GenAiAttributes.Deployment, deployment?.Id);
                activity.SetTag(GenAiAttributes.Attempt, attempts);
                activity.SetTag(GenAiAttributes.FallbackUsed, fallbackUsed);
                activity.SetTag(GenAiAttributes.Status, status);
                if (usage is not null)
                {
                    activity.SetTag(GenAiAttributes.InputTokens, usage.PromptTokens);
                    activity.SetTag(GenAiAttributes.OutputTokens, usage.CompletionTokens);
                }

                if (captureContent && !output.IsEmpty)
                {
                    activity.SetTag(GenAiAttributes.OutputMessages, Encoding.UTF8.GetString(output.Span.Length > 65536 ? output.Span[..65536] : output.Span));
                }
            }

            if (errorType is not null)
            {
                activity.SetStatus(ActivityStatusCode.Error);
                activity.SetTag(GenAiAttributes.ErrorType, errorType);
            }

            activity.Dispose();
        }

        if (t.OperationDuration.Enabled)
        {
            var tags = new TagList
            {
                { GenAiAttributes.OperationName, op },
                { GenAiAttributes.RequestModel, info.Model },
                { GenAiAttributes.ProviderName, provider },
                { GenAiAttributes.ResponseModel, deployment?.Model },
            };
            if (errorType is not null)
            {
                tags.Add(GenAiAttributes.ErrorType, errorType);
            }

            t.OperationDuration.Record(total.TotalSeconds, tags);
        }

        if (usage is not null && t.TokenUsage.Enabled)
        {
            var tags = new TagList
            {
                { GenAiAttributes.OperationName, op },
                { GenAiAttributes.RequestModel, info.Model },
                { GenAiAttributes.ProviderName, provider },
                { GenAiAttributes.ResponseModel, deployment?.Model },
                { GenAiAttributes.TokenType, "input" },
            };
            t.TokenUsage.Record(usage.PromptTokens, tags);
            tags[4] = new KeyValuePair<string, object?>(GenAiAttributes.TokenType, "output");
            t.TokenUsage.Record(usage.CompletionTokens, tags);
        }

        if (firstChunk is { } ttfc && t.TimeToFirstChunk.Enabled)
        {
            t.TimeToFirstChunk.Record(ttfc.TotalSeconds, new TagList { { GenAiAttributes.OperationName, op }, { GenAiAttributes.RequestModel, info.Model }, { GenAiAttributes.ProviderName, provider } });
        }

        if (t.Requests.Enabled)
        {
            t.Requests.Add(1, new TagList { { GenAiAttributes.Alias, info.Model }, { GenAiAttributes.Deployment, deployment?.Id }, { GenAiAttributes.Status, status } });
        }

        if (deployment is not null && t.Overhead.Enabled)
        {
            var overhead = (firstChunk ?? total) - upstream;
            t.Overhead.Record(Math.Max(0, overhead.TotalSeconds), new TagList { { GenAiAttributes.Alias, info.Model } });
        }

        if (cost > 0 && t.Spend.Enabled)
        {
            // by tenant, alias and the provider model that answered: spend per model straight from /metrics
            t.Spend.Add((double)cost, new TagList
            {
                { GenAiAttributes.TenantId, tenantId ?? "(master)" },
                { GenAiAttributes.Alias, info.Model },
                { GenAiAttributes.ProviderName, provider },
                { GenAiAttributes.ResponseModel, deployment?.Model },
            });
        }
    }

    public static string ErrorType(UpstreamFailure f) => f.Kind switch
    {
        FailureKind.Timeout => "timeout",
        FailureKind.RateLimited => "rate_limited",
        FailureKind.ConnectionError => "connection_error",
        FailureKind.InvalidResponse => "invalid_response",
        FailureKind.UpstreamAuth => "upstream_auth",
        FailureKind.ServerError => f.UpstreamStatus?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "server_error",
        FailureKind.ContextWindowExceeded => "context_length_exceeded",
        FailureKind.Unsupported => "unsupported",
        _ => f.UpstreamStatus?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "caller_error",
    };

    public static string StateName(Core.Resilience.BreakerState s) => s switch
    {
        Core.Resilience.BreakerState.Open => "open",
        Core.Resilience.BreakerState.HalfOpen => "half_open",
        _ => "closed",
    };
}
