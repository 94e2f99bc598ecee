using System.Diagnostics;
using Switchyard.Core.Admission;
using Switchyard.Core.Config;
using Switchyard.Core.Failures;
using Switchyard.Core.Pipeline;
using Switchyard.Core.Requests;
using Switchyard.Core.Usage;
using Switchyard.Tenancy;
using GenAi = Switchyard.Core.Telemetry.GenAiAttributes;

namespace Switchyard.Endpoints;

public sealed partial class InferenceEndpoint
{
    /// <summary>
    /// The host's side of a request's <see cref="RequestLifecycle"/>: what the gateway records when the lifecycle
    /// reports a refusal, a route failure or a settled answer (spend log rows, request metrics, the span's GenAI
    /// attributes, alerts). Every ingress protocol goes through this one place.
    /// </summary>
    private sealed class InferenceRequest(InferenceEndpoint endpoint, CallerIdentity caller, RequestInfo info, string correlationId, bool capture, Activity? span, UsageEstimate estimate)
        : RequestLifecycle(endpoint._admission, endpoint._executor.Time, span, estimate)
    {
        /// <summary>The call's routing state, once routing started (upstream time, translation).</summary>
        public CallState? Call { get; set; }

        /// <summary>A whole answer's body, for capture_content on the span.</summary>
        public ReadOnlyMemory<byte> AnswerBody { get; set; }

        /// <summary>The spend row of a request no deployment answered, being journaled: awaited before the failure is written.</summary>
        public Task UnroutedSpend { get; private set; } = Task.CompletedTask;

        private bool _spendJournaled;

        /// <summary>
        /// Settles the routed request and journals its spend row now: awaited before a whole answer is written, and
        /// after a stream's relay before the handler returns (so before the end of the chunked body), an answer the
        /// caller holds whole is spend that survives a kill -9 (docs/scaling.md, Spend durability).
        /// </summary>
        public ValueTask JournalSpendAsync()
        {
            var (prompt, completion, cost) = Settle();
            _spendJournaled = true;
            return endpoint._usage.RecordAsync(caller, info, Deployment!.Config, prompt, completion, cost, Status, correlationId, StartedTimestamp, Call?.ResponseId);
        }

        /// <summary>
        /// The answer comes from the response cache: admission settles nothing used, the spend row is journaled at zero
        /// cost with the cache-hit marker, and the request is counted in metrics as a 200 with no provider.
        /// </summary>
        public async Task CacheHitAsync(string deployment)
        {
            await ServedFromCacheAsync();
            await endpoint._usage.RecordCacheHitAsync(caller, info, deployment, correlationId, StartedTimestamp);
            if (Access is { } access)
            {
                access.Deployment = deployment;
            }

            Telemetry.RequestTelemetry.Complete(endpoint._telemetry, Span, info, null, null, 200, null, Elapsed, default, null, 0, false, caller.TenantId, 0, false, default);
        }

        /// <summary>The request's access-log line (null when the access log is off or excludes the path).</summary>
        public AccessLog.AccessRecord? Access { get; init; }

        protected override void OnRefused(AdmissionRejection rejection)
        {
            var telemetry = endpoint._telemetry;
            if (telemetry.LimiterRejections.Enabled)
            {
                telemetry.LimiterRejections.Add(1, new TagList { { "switchyard.limit", rejection.Code }, { GenAi.Alias, info.Model } });
            }

            if (telemetry.Requests.Enabled)
            {
                telemetry.Requests.Add(1, new TagList { { GenAi.Alias, info.Model }, { GenAi.Status, rejection.Status } });
            }

            if (rejection.Code == LimitCodes.Budget)
            {
                endpoint._alerts.Publish(Core.Alerts.AlertKinds.BudgetExceeded, rejection.Subject, "warning", rejection.Message, [info.Model]);
            }
        }

        protected override void OnUnrouted(FailureSummary failure)
        {
            Access?.Attempts = Attempts;
            Access?.UpstreamMs = Call?.UpstreamTime.TotalMilliseconds;
            UnroutedSpend = endpoint._usage.RecordAsync(caller, info, failure.Status, correlationId, StartedTimestamp, failure.Code).AsTask();
            Telemetry.RequestTelemetry.Complete(endpoint._telemetry, Span, info, null, null, failure.Status, failure.Code, Elapsed, Call?.UpstreamTime ?? default, null,
                Attempts, FallbackUsed, caller.TenantId, 0, false, default);
            LogRouteFailed(endpoint._logger, info.Model, failure.Code, Attempts, correlationId);
            // upstream failures were alerted per deployment as each attempt failed (InferenceEndpoint.SendAsync)
            if (failure.Type == FailureType.RouteUnavailable)
            {
                endpoint._alerts.Publish(Core.Alerts.AlertKinds.RouteUnavailable, info.Model, "critical", failure.Message, [info.Model]);
            }
        }

        protected override void OnSettled(DeploymentConfig deployment, long promptTokens, long completionTokens, decimal cost)
        {
            if (!_spendJournaled)
            {
                // an exit the endpoint did not reach JournalSpendAsync on (an exception): the row is still recorded
                _ = endpoint._usage.RecordAsync(caller, info, deployment, promptTokens, completionTokens, cost, Status, correlationId, StartedTimestamp, Call?.ResponseId).AsTask();
            }

            if (Access is { } access)
            {
                access.Deployment = deployment.Id;
                access.OfflineStandby = deployment.OfflineStandby;
                access.Attempts = Attempts;
                access.PromptTokens = promptTokens;
                access.CompletionTokens = completionTokens;
                access.Cost = cost;
                access.UpstreamMs = Call?.UpstreamTime.TotalMilliseconds;
                access.FirstByteMs = FirstByte?.TotalMilliseconds;
                if (RelayFailure is { } broken)
                {
                    // the header said 200, but the stream broke after its first byte: logged as the metrics count it
                    access.Status = Status;
                    access.Code = Telemetry.RequestTelemetry.ErrorType(broken);
                }
            }

            var errorType = RelayFailure is { } broke ? Telemetry.RequestTelemetry.ErrorType(broke) : null;
            Telemetry.RequestTelemetry.Complete(endpoint._telemetry, Span, info, deployment, Usage, Status, errorType, Elapsed, Call?.UpstreamTime ?? default,
                FirstByte, Attempts, FallbackUsed, caller.TenantId, cost, capture, AnswerBody);
        }
    }
}
