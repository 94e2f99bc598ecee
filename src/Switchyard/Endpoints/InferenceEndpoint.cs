using System.Buffers;
using Microsoft.AspNetCore.Http.Features;
using Switchyard.Core.Admission;
using Switchyard.Core.Config;
using Switchyard.Core.Failures;
using Switchyard.Core.Requests;
using Switchyard.Core.Routing;
using Switchyard.Core.Usage;
using Switchyard.Hosting;
using Switchyard.Http;
using Switchyard.Ingress;
using Switchyard.Providers.Abstractions;
using Switchyard.Tenancy;

namespace Switchyard.Endpoints;

/// <summary>
/// POST /v1/chat/completions, /v1/embeddings, /v1/messages and /v1/responses: authenticate, read and gate the body,
/// resolve the alias, route with retries, breakers and fallbacks, then answer: the body whole, or SSE relayed chunk by
/// chunk. Messages and Responses come through their <see cref="IIngressCodec"/>: a deployment that speaks the protocol
/// gets the caller's body, any other gets it as Chat Completions and its answer is turned back.
/// </summary>
public sealed partial class InferenceEndpoint(
    GatewayState state,
    RouteExecutor executor,
    ProviderRegistry providers,
    Authenticator authenticator,
    AdmissionController admission,
    UsageRecorder usage,
    Operations.AlertService alerts,
    Core.Telemetry.GatewayTelemetry telemetry,
    IngressCodecs codecs,
    ResponseStore responseStore,
    Caching.ResponseCacheService cache,
    Dashboard.DashboardRecorder dashboard,
    ILogger<InferenceEndpoint> logger)
{
    private readonly RouteExecutor _executor = executor;
    private readonly AdmissionController _admission = admission;
    private readonly UsageRecorder _usage = usage;
    private readonly Operations.AlertService _alerts = alerts;
    private readonly Core.Telemetry.GatewayTelemetry _telemetry = telemetry;
    private readonly ILogger<InferenceEndpoint> _logger = logger;
    private readonly Caching.ResponseCacheService _cache = cache;

    /// <summary>Caller headers a native deployment receives as sent (protocol versions and opt-in betas).</summary>
    private static readonly string[] ForwardedHeaderNames = ["anthropic-version", "anthropic-beta", "openai-beta"];

    public async Task HandleAsync(HttpContext context, OperationKind operation)
    {
        var snapshot = state.Current;
        if (context.Features.Get<AccessLog.AccessRecord>() is not { } record)
        {
            // the access log writes no line for it, but the dashboard counts it and keeps it among the recent calls
            record = AccessLog.AccessLogWriter.Unlogged(context, context.Features.Get<CorrelationFeature>()!);
            context.Features.Set(record);
        }

        record.Operation = Telemetry.RequestTelemetry.OperationName(operation); // counted by the dashboard
        IIngressCodec? codec = null;
        if (operation is OperationKind.Messages or OperationKind.Responses)
        {
            codec = codecs.Get(operation);
            if (codec is null)
            {
                await FailureResponses.WriteAsync(context, FailureResponses.NotFound(context.Request.Path));
                return;
            }

            context.Features.Set(new IngressFeature(codec));
        }

        var (caller, body, length) = await ReadCallerAsync(context, snapshot);
        if (caller is null)
        {
            return;
        }

        try
        {
            await HandleBodyAsync(context, snapshot, caller, operation, codec, body.AsMemory(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(body);
        }
    }

    /// <summary>
    /// The caller (authenticated, allowed to invoke) and the body read into a pooled buffer the caller returns; or, with
    /// the failure already answered, no caller.
    /// </summary>
    private async ValueTask<(CallerIdentity? Caller, byte[] Body, int Length)> ReadCallerAsync(HttpContext context, GatewaySnapshot snapshot)
    {
        var (caller, denied) = authenticator.AuthenticateToken(context);
        if (caller is null)
        {
            // refused before the body is read: route is the name asked for when a small body says it (RequestedModel)
            await FailureResponses.WriteAsync(context, denied! with { Route = await RequestedModel.PeekAsync(context) });
            return (null, [], 0);
        }

        if (InvokeDenied(caller, snapshot) is { } forbidden)
        {
            await FailureResponses.WriteAsync(context, forbidden with { Route = await RequestedModel.PeekAsync(context) });
            return (null, [], 0);
        }

        var (body, length, tooLarge) = await BodyReader.ReadAsync(context, snapshot.Config.Server.MaxBodyBytes);
        if (tooLarge is not null)
        {
            await FailureResponses.WriteAsync(context, tooLarge);
            return (null, [], 0);
        }

        return (caller, body!, length);
    }

    private async Task HandleBodyAsync(HttpContext context, GatewaySnapshot snapshot, CallerIdentity caller, OperationKind operation, IIngressCodec? codec, ReadOnlyMemory<byte> body)
    {
        RequestInfo info;
        try
        {
            info = RequestInspector.Inspect(body.Span, operation);
        }
        catch (RequestValidationException e)
        {
            await FailureResponses.WriteAsync(context, FailureSummary.BadRequest(e.Message, e.Param, e.Code));
            return;
        }

        IReadOnlyCollection<string>? tags = null;
        if (snapshot.Config.Router.EnableTagFiltering)
        {
            // tag-based routing: the request's tags (taken out of the body: they are not the provider's) with its key's and team's
            try
            {
                var (requestTags, untagged) = RequestTags.Take(body.Span);
                if (untagged is not null)
                {
                    body = untagged;
                    info = RequestInspector.Inspect(body.Span, operation);
                }

                tags = RequestTags.Merge(requestTags, caller.Key?.Tags, caller.Tenant?.Tags);
            }
            catch (RequestValidationException e)
            {
                await FailureResponses.WriteAsync(context, FailureSummary.BadRequest(e.Message, e.Param, e.Code) with { Route = info.Model });
                return;
            }
        }

        var access = context.Features.Get<AccessLog.AccessRecord>();
        if (access is not null)
        {
            access.Alias = info.Model;
            access.Stream = info.Stream;
        }

        var routes = snapshot.Routes;
        var (group, resolved, refused) = ResolveGroup(routes, caller, info.Model);
        if (group is null)
        {
            await FailureResponses.WriteAsync(context, refused!);
            return;
        }

        access?.Group = group.Name;
        if (resolved != info.Model)
        {
            // a key or team alias: from here the request is the one for the name it stands for (limits, routing, spend)
            info = info with { Model = resolved };
            access?.Alias = resolved;
        }

        if (info.PreviousResponseId is { } previous && operation == OperationKind.Responses)
        {
            // expanded here, before the estimate and routing, so limits see the whole conversation and any deployment can serve it
            var expanded = await responseStore.ExpandAsync(body, info, ResponseStore.Scope(caller.TenantId), context.RequestAborted);
            if (expanded is not { } e)
            {
                await FailureResponses.WriteAsync(context, ResponseStore.NotFound(previous, "previous_response_id") with { Route = info.Model });
                return;
            }

            (body, info) = (e.Body, e.Info with { Model = resolved });
        }

        Caching.CachePlan? cachePlan = null;
        var cacheSettings = snapshot.Config.Cache;
        if (Caching.ResponseCacheService.Applies(cacheSettings, info.Operation))
        {
            try
            {
                (cachePlan, body, info) = Caching.ResponseCacheService.Plan(cacheSettings, caller, info, group.Name, body);
            }
            catch (RequestValidationException e)
            {
                await FailureResponses.WriteAsync(context, FailureSummary.BadRequest(e.Message, e.Param, e.Code) with { Route = info.Model });
                return;
            }
        }

        var correlation = context.Features.Get<CorrelationFeature>()!;
        using var logScope = _logger.BeginScope(new LogFields(info.Model, caller.TenantId));
        var capture = snapshot.Config.Telemetry.CaptureContent;
        // The master key is not admitted against limits, so it needs no estimate (only a fallback for spend logs);
        // estimated before the span starts, so a client that leaves mid-estimate leaves no span open.
        var estimate = UsageEstimate.For(body.Span, info, group, bounded: !caller.IsMaster, context.RequestAborted);
        // From here one owner holds the ticket, the span and (once routed) the lease, settles, and releases them once on every exit.
        using var request = new InferenceRequest(this, caller, info, correlation.CorrelationId, capture,
            Telemetry.RequestTelemetry.StartRequest(_telemetry, info, correlation, caller.TenantId, capture, body.Span), estimate)
        {
            Access = access,
        };
        if (!caller.IsMaster)
        {
            var denied = await request.AdmitAsync(caller.Key!.Limits, caller.Tenant?.Limits, caller.Tenant?.AliasLimits.GetValueOrDefault(info.Model), caller.User?.Limits, context.RequestAborted);
            UsageRecorder.WriteRateLimitHeaders(context, request.Ticket);
            if (denied is { } rejection)
            {
                await FailureResponses.WriteAsync(context, new FailureSummary
                {
                    Status = rejection.Status, // 429; 503 when the shared limits are unreachable and the policy fails closed
                    Type = rejection.Status == 503 ? FailureType.RouteUnavailable : FailureType.RateLimited,
                    Code = rejection.Code,
                    Route = info.Model,
                    ProviderFamily = group.Family,
                    Message = rejection.Message,
                    RetryAfterMs = rejection.RetryAfter is { } ra ? (long)Math.Ceiling(ra.TotalMilliseconds) : null,
                });
                return;
            }
        }

        if (cachePlan is { Lookup: true } && await _cache.LookupAsync(cacheSettings, cachePlan, info, context.RequestAborted) is var (cached, bytes))
        {
            // counted against rpm when admitted (as LiteLLM counts requests); nothing against tpm or budgets
            await request.CacheHitAsync(cached.Deployment);
            await _cache.WriteHitAsync(context, cachePlan, info, cached, bytes);
            return;
        }

        var call = request.Call = new CallState(this, info, body, correlation, codec, codec is null ? [] : ForwardedHeaders(context)) // only native protocol deployments read them
        {
            TenantScope = ResponseStore.Scope(caller.TenantId),
            AliasDropsParams = routes.AliasDropsParams(info.Model),
            Cache = cachePlan,
            CacheSettings = cacheSettings,
            Access = access,
        };
        var result = await _executor.ExecuteAsync(routes, info.Model, call, static (d, attempt, s, ct) => s.Endpoint.SendAsync(d, attempt, s, ct), context.RequestAborted, routes.DrawCanary(info.Model, _executor.Random),
            countsAsEvidence: !SmokeMarker.IsSmoke(context, caller), tags: tags);
        if (access is not null)
        {
            access.Group = result.GroupUsed ?? group.Name;
            access.Fallback = result.FallbackUsed ? result.GroupUsed : null;
        }

        if (result.Value is not { } response)
        {
            var failure = request.Unrouted(result);
            await request.UnroutedSpend; // journaled before the failure is written
            await FailureResponses.WriteAsync(context, failure);
            return;
        }

        request.Routed(result, response.IsStream);
        if (!response.IsStream)
        {
            await request.AnsweredAsync(response.Usage);
            request.AnswerBody = response.Body;
            // the answer as the caller gets it (turned back when translated): its id is the spend row's request_id
            call.Answer = call.Translated ? call.Codec!.FromChat(response.Body.Span, info, call.Body) : response.Body;
            call.ResponseId = ResponseIds.Of(call.Answer.Span);
            await request.JournalSpendAsync(); // before the answer is written
        }

        var outcome = await RespondAsync(context, snapshot, result, response, call);
        request.RelayEnded(outcome, response.Usage);
        if (response.IsStream)
        {
            await request.JournalSpendAsync(); // before the handler returns: the chunked body's end follows it
        }
        if (outcome.Failure is not null)
        {
            // The typed event is for clients that read it; ending the body without its last chunk makes the transfer
            // fail for clients that skip unknown events, so none of them mistakes half an answer for a whole one.
            // (The request is settled and recorded as it is disposed, on the way out.)
            throw new ResponseAbandonedException();
        }
    }

    private async Task<RelayOutcome> RespondAsync(HttpContext context, GatewaySnapshot snapshot, RouteResult<UpstreamResponse> result, UpstreamResponse response, CallState call)
    {
        var info = call.Info;
        await using (response)
        {
            var deployment = result.Deployment!;
            var headers = context.Response.Headers;
            headers["x-switchyard-route"] = info.Model;
            headers["x-switchyard-deployment"] = deployment.Config.Id;
            headers["x-switchyard-attempts"] = result.Attempts.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (response.RequestId is { } requestId)
            {
                // OpenAI SDKs expose x-request-id; Anthropic's own request-id is kept under its name as well
                headers[Providers.Http.UpstreamRequestId.StandardHeader] = requestId.Value;
                headers[requestId.HeaderName] = requestId.Value;
            }

            if (result.GroupUsed is { } used && snapshot.Config.Canaries.TryGetValue(info.Model, out var canary) && canary.Target == used)
            {
                headers["x-switchyard-canary"] = "true";
                context.Features.Get<AccessLog.AccessRecord>()?.Canary = true;
            }

            if (result.FallbackUsed && result.GroupUsed is { } fallback)
            {
                headers["x-switchyard-fallback"] = fallback; // the fallback group that answered
            }

            if (deployment.Config.Family == Core.Config.ProviderFamilies.Mock)
            {
                // every mock answer says so; one from the offline standby (no provider key set) says that too
                headers["x-switchyard-mock"] = "true";
                if (deployment.Config.OfflineStandby)
                {
                    headers[Core.Config.OfflineStandby.Header] = "true";
                }
            }

            var dropped = call.Translated && call.Translation?.Value is { Dropped.Count: > 0 } translation
                ? [.. translation.Dropped, .. response.DroppedParams]
                : response.DroppedParams;
            if (dropped.Count > 0)
            {
                headers["x-switchyard-dropped-params"] = string.Join(',', dropped); // drop_params: docs/configuration.md
            }

            if (!response.IsStream)
            {
                UsageRecorder.WriteCostHeader(context, result.Deployment!.Config, response.Usage);
                context.Response.StatusCode = 200;
                context.Response.ContentType = "application/json";
                var answer = call.Answer;
                if (info.Operation == OperationKind.Responses && info.Store)
                {
                    // kept before the answer goes out, so a continuation sent the moment it arrives finds it
                    await responseStore.SaveAsync(call.TenantScope, call.Body, answer, context.RequestAborted);
                }

                if (call.Cache is { } plan)
                {
                    headers["x-switchyard-cache"] = plan.MissHeader;
                    await _cache.StoreAsync(call.CacheSettings, plan, info, Core.Caching.CachedAnswerKind.Whole, answer, deployment.Config.Id, context.RequestAborted);
                }

                context.Response.ContentLength = answer.Length;
                await context.Response.Body.WriteAsync(answer, context.RequestAborted);
                return RelayOutcome.Completed;
            }

            return await RelayStreamAsync(context, response, deployment, call);
        }
    }

    private async Task<RelayOutcome> RelayStreamAsync(HttpContext context, UpstreamResponse response, RoutedDeployment deployment, CallState call)
    {
        var info = call.Info;
        var correlationId = call.Correlation.CorrelationId;
        context.Response.StatusCode = 200;
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        context.Response.Headers["X-Accel-Buffering"] = "no";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        var sniffer = new ResponseIdSniffer(context.Response.BodyWriter);
        System.IO.Pipelines.PipeWriter output = sniffer;
        var capture = call.Cache is { Store: true } ? new Caching.CapturingPipeWriter(output, call.CacheSettings.MaxEntryBytes) : null;
        if (call.Cache is { } plan)
        {
            context.Response.Headers["x-switchyard-cache"] = plan.MissHeader;
        }

        output = capture ?? output;
        // the translated request's info: it carries the prompt estimate made while translating (message_start reports it)
        using var transcoder = call.Translated ? call.Codec!.CreateTranscoder(call.Translation?.Value is { } chat ? chat.Info : info, call.Body) : null;
        var relayOutput = transcoder is null ? output : new TranscodingPipeWriter(output, transcoder);
        var outcome = await response.RelayAsync(relayOutput, context.RequestAborted);
        call.ResponseId = sniffer.Id; // the id of the stream as the caller read it (its first event carrying one)
        switch (outcome.Status)
        {
            case RelayStatus.Completed:
                if (info.Operation == OperationKind.Responses && info.Store
                    && ((transcoder as Providers.OpenAI.Responses.IResponsesCapture) ?? (response as Providers.OpenAI.Responses.IResponsesCapture))?.CompletedResponse is { } completed)
                {
                    // before the body ends: a client reads to the end of the stream before it can send the continuation
                    await responseStore.SaveAsync(call.TenantScope, call.Body, completed, context.RequestAborted);
                }

                if (capture?.Captured is { } sent)
                {
                    // only a stream that completed cleanly (its final event arrived) is kept, before the body ends
                    await _cache.StoreAsync(call.CacheSettings, call.Cache!, info, Core.Caching.CachedAnswerKind.Stream, sent, deployment.Config.Id, context.RequestAborted);
                }

                break;
            case RelayStatus.UpstreamFailed:
                var failure = outcome.Failure!; // the breaker hears of it from the request's lifecycle
                LogStreamFailed(_logger, info.Model, deployment.Config.Id, failure.Kind, correlationId);
                _alerts.UpstreamFailed(deployment.Config, failure, info.Model);
                if (!outcome.AtEventBoundary && transcoder is null)
                {
                    output.Write("\n\n"u8);
                }

                var summary = FailureMapping.ToSummary(failure, deployment.Config, 1) with { Route = info.Model, CorrelationId = correlationId };
                call.Access?.Failure = summary; // the dashboard's failures ring: the summary the stream ended with
                if (transcoder is not null)
                {
                    transcoder.Error(summary, output); // continues the translated stream's numbering
                }
                else
                {
                    output.Write(call.Codec is { } codec ? codec.ErrorEvent(summary) : FailureSummaryWriter.ToSseEvent(summary));
                }
                await output.FlushAsync(context.RequestAborted);
                break;
            default:
                break; // the caller left: nothing to write
        }

        return outcome;
    }

    internal static FailureSummary? InvokeDenied(CallerIdentity caller, GatewaySnapshot snapshot)
    {
        if (caller.IsMaster)
        {
            return snapshot.Config.Auth.MasterKeyInvoke ? null : Authenticator.Forbidden(Core.Tenancy.Scopes.Invoke) with
            {
                Code = "admin_token_on_inference",
                Message = "the master key may not call inference routes here (switchyard.auth.master_key_invoke: false); use an invoke token",
            };
        }

        if (caller.Has(Core.Tenancy.Scopes.Admin))
        {
            // admin covers every other scope (as on /v1/models, /health and usage routes) once inference is allowed to it
            return snapshot.Config.Auth.AllowAdminInvoke ? null : Authenticator.Forbidden(Core.Tenancy.Scopes.Invoke) with
            {
                Code = "admin_token_on_inference",
                Message = "admin tokens may not call inference routes (switchyard.auth.allow_admin_invoke); give agents an invoke token",
            };
        }

        return caller.Has(Core.Tenancy.Scopes.Invoke) ? null : Authenticator.Forbidden(Core.Tenancy.Scopes.Invoke);
    }

    private async ValueTask<AttemptResult<UpstreamResponse>> SendAsync(RoutedDeployment deployment, AttemptInfo attempt, CallState call, CancellationToken ct)
    {
        var adapter = providers.Get(deployment.Config.Family);
        var info = call.Info;
        var body = call.Body;
        if (!DeploymentModes.Takes(deployment.Config.Mode, info.Operation))
        {
            // another deployment of the group may take it; none does: a 400 naming the mode, not an upstream's error
            return new UpstreamFailure(FailureKind.Unsupported, null,
                $"is model_info.mode '{deployment.Config.Mode}'; {Providers.OpenAI.OpenAIWireAdapter.OperationName(info.Operation)} needs a deployment with mode '{DeploymentModes.For(info.Operation)}' (or none)")
            {
                UpstreamParam = "model",
            };
        }

        var translated = call.Codec is not null && !adapter.SpeaksNatively(info.Operation, deployment.Config);
        if (translated)
        {
            // translated once per request, on the first deployment that needs Chat Completions
            // drop_params lets a codec leave out what the deployment cannot honour (named in a header); the offline mock
            // honours nothing for real, so it always may (Codex offers web_search on every call: docs/clients.md)
            var dropParams = call.AliasDropsParams || deployment.Config.DropParams || deployment.Config.Family == ProviderFamilies.Mock;
            call.Translation ??= call.Codec!.ToChat(call.Body, call.Info, dropParams);
            if (call.Translation.Value.Value is not { } chat)
            {
                return call.Translation.Value.Failure!;
            }

            info = chat.Info;
            body = chat.Body;
        }

        call.Translated = translated;
        var span = Telemetry.RequestTelemetry.StartAttempt(_telemetry, call.Info, deployment, attempt);
        var request = new ProviderRequest
        {
            Info = info,
            Body = body,
            ForwardHeaders = call.ForwardHeaders,
            Deployment = deployment.Config,
            DropParams = call.AliasDropsParams || deployment.Config.DropParams,
            CorrelationId = call.Correlation.CorrelationId,
            TraceParent = span?.Id ?? call.Correlation.TraceParent,
            TraceState = span?.TraceStateString ?? call.Correlation.TraceState,
        };
        var started = _executor.Time.GetTimestamp();
        try
        {
            var result = await adapter.SendAsync(request, ct);
            Telemetry.RequestTelemetry.EndAttempt(span, result.Failure);
            dashboard.RecordAttempt(call.Access, new Dashboard.AttemptRecord(deployment.Config.Id, deployment.Config.Family, attempt.Group, attempt.IsFallback,
                Dashboard.AttemptRecord.OutcomeOf(result.Failure), result.Failure is { } f ? f.UpstreamStatus : 200, _executor.Time.GetElapsedTime(started).TotalMilliseconds));
            if (result.Failure is { } failed)
            {
                _alerts.UpstreamFailed(deployment.Config, failed, call.Info.Model); // keyed by deployment id, classified by kind
            }

            return result;
        }
        catch
        {
            span?.Dispose();
            throw;
        }
        finally
        {
            call.UpstreamTime += _executor.Time.GetElapsedTime(started);
        }
    }

    /// <summary>
    /// The route group <paramref name="requested"/> reaches and the name it resolved to (through the caller's key
    /// aliases, then its team's, then the global ones), or the failure to answer: 404 with the nearest names, or 403 for
    /// a token not allowed it; a name nothing routes goes to litellm_settings.default_model when there is one the caller
    /// may use. As in LiteLLM, a key alias passes when the token may call the name or what it stands
    /// for, and a team alias is itself the grant (the team's admin set it).
    /// </summary>
    private static (RouteGroup? Group, string Model, FailureSummary? Failure) ResolveGroup(RouteTable routes, CallerIdentity caller, string requested)
    {
        var (model, teamAlias) = caller.ResolveAlias(requested);
        if (routes.IsWildcardName(model))
        {
            return (null, model, FailureSummary.BadRequest($"'{model}' is a wildcard route: call a name it matches (such as {model.Replace("*", "<model>", StringComparison.Ordinal)})", "model", "wildcard_model_name") with { Route = model });
        }

        var group = routes.Resolve(model);
        if (group is null && routes.Config.Router.DefaultModel is { } fallback && routes.Resolve(fallback) is { } byDefault && caller.MayUse(fallback, byDefault.Name))
        {
            return (byDefault, fallback, null); // litellm_settings.default_model: an unknown name is a request for the default
        }

        if (group is null)
        {
            var unknown = UnknownModel(routes, model);
            return (null, model, model == requested ? unknown : unknown with
            {
                Route = requested,
                Message = $"'{requested}' is this caller's {(teamAlias ? "team" : "key")} alias for '{model}', which is no alias or model group here",
            });
        }

        var allowed = teamAlias || caller.MayUse(model, group.Name) || (model != requested && caller.MayUse(requested));
        return allowed ? (group, model, null) : (null, model, new FailureSummary
        {
            Status = 403,
            Type = FailureType.PermissionDenied,
            Code = "model_not_allowed",
            Param = "model",
            Route = requested,
            Message = model == requested ? $"this token may not call '{model}'" : $"this token may not call '{model}' (its alias '{requested}' stands for it)",
        });
    }

    private static FailureSummary UnknownModel(RouteTable routes, string model)
    {
        var near = routes.Nearest(model);
        var hint = near.Count > 0 ? $"; did you mean {string.Join(", ", near.Select(n => "'" + n + "'"))}?" : "; GET /v1/models lists the names you may use";
        return new FailureSummary
        {
            Status = 404,
            Type = FailureType.NotFound,
            Code = "model_not_found",
            Param = "model",
            Route = model,
            Message = $"no alias or model group named '{model}'{hint}",
        };
    }

    private static KeyValuePair<string, string>[] ForwardedHeaders(HttpContext context)
    {
        var headers = context.Request.Headers;
        List<KeyValuePair<string, string>>? found = null;
        foreach (var name in ForwardedHeaderNames)
        {
            if (headers.TryGetValue(name, out var values) && values.ToString() is { Length: > 0 } value)
            {
                (found ??= []).Add(new(name, value));
            }
        }

        return found is null ? [] : [.. found];
    }

    private sealed class CallState(InferenceEndpoint endpoint, RequestInfo info, ReadOnlyMemory<byte> body, CorrelationFeature correlation, IIngressCodec? codec,
        IReadOnlyList<KeyValuePair<string, string>> forwardHeaders)
    {
        public InferenceEndpoint Endpoint { get; } = endpoint;
        public RequestInfo Info { get; } = info;
        public ReadOnlyMemory<byte> Body { get; } = body;
        public CorrelationFeature Correlation { get; } = correlation;

        /// <summary>The front-door protocol's codec (Messages, Responses); null for Chat Completions and Embeddings.</summary>
        public IIngressCodec? Codec { get; } = codec;

        public IReadOnlyList<KeyValuePair<string, string>> ForwardHeaders { get; } = forwardHeaders;

        /// <summary>The caller's tenant scope in the Responses store.</summary>
        public string TenantScope { get; init; } = "";

        /// <summary>The request's response-cache plan (null when the cache does not apply).</summary>
        public Caching.CachePlan? Cache { get; init; }

        /// <summary>The live cache settings the plan was made under.</summary>
        public required CacheSettings CacheSettings { get; init; }

        /// <summary>The called alias opted in to drop_params; applies to every deployment the request reaches (fallbacks, canaries too).</summary>
        public bool AliasDropsParams { get; init; }

        /// <summary>The request as Chat Completions, made on the first deployment that does not speak the protocol.</summary>
        public AttemptResult<ChatTranslation>? Translation { get; set; }

        /// <summary>Whether the latest attempt went out as Chat Completions (so its answer must be turned back).</summary>
        public bool Translated { get; set; }

        /// <summary>A whole answer as the caller gets it (turned back into its protocol when translated).</summary>
        public ReadOnlyMemory<byte> Answer { get; set; }

        /// <summary>The answer's id as the caller saw it (<see cref="ResponseIds"/>); null until answered, or when it had none.</summary>
        public string? ResponseId { get; set; }

        /// <summary>Time spent inside upstream attempts (to the first byte for streams).</summary>
        public TimeSpan UpstreamTime { get; set; }

        /// <summary>The request's access record (attempts are added to it for the dashboard).</summary>
        public AccessLog.AccessRecord? Access { get; init; }
    }

    /// <summary>Log scope fields: every line logged during the request carries the alias and tenant.</summary>
    private sealed class LogFields(string alias, string? tenantId) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        public int Count => 2;

        public KeyValuePair<string, object?> this[int index] => index == 0 ? new("alias", alias) : new("tenant_id", tenantId);

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
        {
            yield return this[0];
            yield return this[1];
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => $"alias={alias} tenant_id={tenantId}";
    }

    [LoggerMessage(EventId = 10, Level = LogLevel.Warning, Message = "route {Route} failed with {Code} after {Attempts} attempts (correlation_id {CorrelationId})")]
    private static partial void LogRouteFailed(ILogger logger, string route, string? code, int attempts, string correlationId);

    [LoggerMessage(EventId = 11, Level = LogLevel.Warning, Message = "stream on route {Route} broke after its first byte at deployment {Deployment}: {Kind} (correlation_id {CorrelationId})")]
    private static partial void LogStreamFailed(ILogger logger, string route, string deployment, FailureKind kind, string correlationId);
}
