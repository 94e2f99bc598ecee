using System.Buffers;
using System.Text.Json;
using Switchyard.AccessLog;
using Switchyard.Core.Failures;
using Switchyard.Core.Tenancy;
using Switchyard.Http;

namespace Switchyard.Dashboard;

public sealed partial class DashboardData
{
    /// <summary>
    /// GET /ui/api/calls/{correlation_id}: the request, its attempts, the failure summary, the spend rows and the
    /// access-log line of one call. From this replica's recent calls (the last <see cref="DashboardRecorder.RecentCalls"/>);
    /// a call no longer there is answered from its spend rows alone (<c>"source": "spend_log"</c>). A tenant's token
    /// finds its tenant's calls only (another tenant's is <c>call_not_found</c>, as if unknown).
    /// </summary>
    public async Task Call(HttpContext c)
    {
        var (ok, tenant) = await ScopeAsync(c);
        if (!ok)
        {
            return;
        }

        var id = c.Request.RouteValues["correlation_id"] as string ?? "";
        var call = recorder.Calls.NewestFirst().FirstOrDefault(r => r.CorrelationId == id && (tenant is null || r.TenantId == tenant));
        IReadOnlyList<SpendRecord> spend;
        if (call is not null)
        {
            // bounded by the call's time and its token (or tenant), so the (token_hash|tenant_id, start_time) indexes serve it
            var token = call.TokenId is { } t && t != "master" ? t : null;
            spend = await store.QuerySpendAsync(new SpendQuery
            {
                CorrelationId = id,
                TokenHash = token,
                TenantId = token is null ? call.TenantId : null,
                From = call.Time.AddMinutes(-1),
                To = call.Time.AddHours(1),
                Limit = 20,
            }, c.RequestAborted);
        }
        else
        {
            spend = id.Length is > 0 and <= 128 ? await store.QuerySpendAsync(new SpendQuery { CorrelationId = id, TenantId = tenant, Limit = 20 }, c.RequestAborted) : [];
            if (spend.Count == 0)
            {
                await FailureResponses.WriteAsync(c, new FailureSummary
                {
                    Status = 404,
                    Type = FailureType.NotFound,
                    Code = "call_not_found",
                    Param = "correlation_id",
                    Message = $"no call with correlation id '{(id.Length > 128 ? id[..128] : id)}' among this replica's last {DashboardRecorder.RecentCalls} calls or in the spend log",
                });
                return;
            }
        }

        await WriteAsync(c, w =>
        {
            w.WriteStartObject();
            w.WriteString("correlation_id", id);
            w.WriteString("source", call is null ? "spend_log" : "memory");
            if (call is null)
            {
                w.WriteNull("request");
                w.WriteStartArray("attempts");
                w.WriteEndArray();
                w.WriteNull("failure");
            }
            else
            {
                WriteRequest(w, call);
                w.WriteStartArray("attempts");
                foreach (var a in call.AttemptLog)
                {
                    w.WriteStartObject();
                    w.WriteString("deployment", a.Deployment);
                    w.WriteString("provider_family", a.ProviderFamily);
                    w.WriteString("group", a.Group);
                    w.WriteBoolean("fallback", a.Fallback);
                    w.WriteString("outcome", a.Outcome);
                    if (a.UpstreamStatus is { } s)
                    {
                        w.WriteNumber("upstream_status", s);
                    }
                    else
                    {
                        w.WriteNull("upstream_status");
                    }

                    w.WriteNumber("latency_ms", Math.Round(a.LatencyMs, 1));
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                if (call.Failure is null)
                {
                    w.WriteNull("failure");
                }
                else
                {
                    w.WritePropertyName("failure");
                    using var envelope = JsonDocument.Parse(FailureSummaryWriter.ToUtf8(call.Failure));
                    envelope.RootElement.GetProperty("error").WriteTo(w);
                }
            }

            w.WriteStartArray("spend");
            foreach (var row in spend)
            {
                WriteSpendRow(w, row);
            }

            w.WriteEndArray();
            if (call is null)
            {
                w.WriteNull("access_log");
            }
            else
            {
                // the line as the access log writes it (also when the access log is off or excludes the path: see "written")
                var line = new ArrayBufferWriter<byte>(1024);
                using (var json = new Utf8JsonWriter(line))
                {
                    AccessLogFormatter.Write(call, line, json);
                }

                w.WritePropertyName("access_log");
                w.WriteRawValue(line.WrittenSpan.TrimEnd((byte)'\n'));
                w.WriteBoolean("access_log_written", call.Logged);
            }

            w.WriteEndObject();
        });
    }

    private static void WriteRequest(Utf8JsonWriter w, AccessRecord r)
    {
        w.WriteStartObject("request");
        w.WriteString("time", Iso(r.Time));
        w.WriteString("method", r.Method);
        w.WriteString("path", r.Path);
        StringOrNull(w, "protocol", r.Operation);
        StringOrNull(w, "alias", r.Alias);
        StringOrNull(w, "group", r.Group);
        StringOrNull(w, "deployment", r.Deployment);
        StringOrNull(w, "fallback", r.Fallback);
        w.WriteBoolean("canary", r.Canary);
        StringOrNull(w, "tenant", r.TenantId);
        StringOrNull(w, "key_id", r.TokenId);
        StringOrNull(w, "key_alias", r.KeyAlias);
        w.WriteNumber("status", r.Status ?? 0);
        w.WriteNumber("duration_ms", Math.Round(r.LatencyMs, 1));
        if (r.Stream is { } stream)
        {
            w.WriteBoolean("streamed", stream);
        }
        else
        {
            w.WriteNull("streamed");
        }

        w.WriteNumber("attempts", r.Attempts);
        NumberOrNull(w, "upstream_ms", r.UpstreamMs);
        if (r.PromptTokens is { } p)
        {
            w.WriteNumber("prompt_tokens", p);
        }
        else
        {
            w.WriteNull("prompt_tokens");
        }

        if (r.CompletionTokens is { } ct)
        {
            w.WriteNumber("completion_tokens", ct);
        }
        else
        {
            w.WriteNull("completion_tokens");
        }

        if (r.Cost is { } cost)
        {
            w.WriteNumber("cost_usd", cost);
        }
        else
        {
            w.WriteNull("cost_usd");
        }

        w.WriteEndObject();
    }

    private static void WriteSpendRow(Utf8JsonWriter w, SpendRecord row)
    {
        w.WriteStartObject();
        w.WriteString("request_id", row.RequestId);
        w.WriteString("row_id", row.RowId);
        w.WriteString("start_time", Iso(row.StartTime));
        w.WriteString("alias", row.Alias);
        StringOrNull(w, "deployment", row.Deployment);
        StringOrNull(w, "provider_family", row.ProviderFamily);
        StringOrNull(w, "model", row.Model);
        StringOrNull(w, "tenant", row.TenantId);
        StringOrNull(w, "key_id", row.TokenHash);
        StringOrNull(w, "user_id", row.UserId);
        w.WriteNumber("prompt_tokens", row.PromptTokens);
        w.WriteNumber("completion_tokens", row.CompletionTokens);
        w.WriteNumber("spend_usd", row.Cost);
        w.WriteNumber("status", row.Status);
        w.WriteNumber("latency_ms", Math.Round(row.LatencyMs, 1));
        w.WriteEndObject();
    }
}
