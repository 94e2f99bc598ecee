using System.Text.Json;
using System.Text.Json.Nodes;
using Switchyard.Core.Config;
using Switchyard.Core.Failures;
using Switchyard.Core.Tenancy;
using Switchyard.Http;
using Switchyard.Operations.Canaries;

namespace Switchyard.Operations;

/// <summary>
/// The alias routes: GET /alias/status (health:read), POST /alias/promote, /alias/rollback and /alias/finalize (global
/// admin). Promotion checks the canary's live evidence first and refuses with the figures unless forced; every change
/// is an edit of the config file (comments kept, backup written) followed by a reload.
/// </summary>
public sealed partial class OperationsEndpoints
{
    /// <summary>How long the old primary backs an alias up after a promotion when no grace is given.</summary>
    public static readonly TimeSpan DefaultGrace = TimeSpan.FromHours(1);

    /// <summary>GET /alias/status?alias=NAME[&amp;window=15m]: traffic split, per-side calls, error rate, latency, breakers.</summary>
    public async Task AliasStatus(HttpContext c)
    {
        if (await authenticator.RequireAsync(c, Scopes.HealthRead) is null)
        {
            return;
        }

        var snapshot = state.Current;
        var alias = c.Request.Query["alias"].ToString();
        if (await UnknownAlias(c, snapshot.Config, alias))
        {
            return;
        }

        var window = snapshot.Config.Canaries.GetValueOrDefault(alias)?.Checks.Window ?? CanaryChecks.Default.Window;
        if (c.Request.Query["window"].ToString() is { Length: > 0 } w)
        {
            if (!DurationParser.TryParse(w, out window) || window <= TimeSpan.Zero || window > Core.Canaries.OutcomeWindow.Span)
            {
                await FailureResponses.WriteAsync(c, FailureSummary.BadRequest("'window' must be a duration between 1s and 1h (e.g. 5m)", "window", "invalid_value"));
                return;
            }
        }

        await WriteJsonAsync(c, 200, CanaryReport.Status(snapshot, alias, time.GetUtcNow(), window));
    }

    /// <summary>POST /alias/promote {"alias", "force"?, "grace"?}: the canary becomes the primary when its evidence allows.</summary>
    public async Task Promote(HttpContext c)
    {
        if (await AliasRequestAsync(c, "promoting a canary") is not { } request)
        {
            return;
        }

        var (alias, body, path) = request;
        var snapshot = state.Current;
        var now = time.GetUtcNow();
        var grace = DefaultGrace;
        if (body["grace"] is JsonValue g && g.TryGetValue<string>(out var text) && (!DurationParser.TryParse(text, out grace) || grace < TimeSpan.Zero))
        {
            await FailureResponses.WriteAsync(c, FailureSummary.BadRequest("'grace' must be a duration such as 0, 30m or 1h", "grace", "invalid_value"));
            return;
        }

        var force = body["force"] is JsonValue f && f.TryGetValue<bool>(out var forced) && forced;
        JsonObject? evidence = null;
        if (snapshot.Config.Canaries.GetValueOrDefault(alias) is { Target: not null } canary)
        {
            (var against, evidence) = CanaryReport.CheckPromotion(snapshot, alias, canary, now);
            if (against.Count > 0 && !force)
            {
                var summary = Refusal(alias, "canary_not_fit",
                    $"canary '{canary.Target}' of '{alias}' is not fit to promote: {string.Join("; ", against)}; nothing was changed (--force promotes anyway)");
                await WriteRefusalAsync(c, summary, evidence);
                return;
            }
        }

        var outcome = await CanaryFileEdits.PromoteAsync(path, alias, now, now + grace);
        await AnswerEditAsync(c, alias, outcome, "promoted", evidence);
    }

    /// <summary>POST /alias/rollback {"alias"}: ends an active canary (share 0), else restores the alias's group before its promotion.</summary>
    public async Task Rollback(HttpContext c)
    {
        if (await AliasRequestAsync(c, "rolling an alias back") is { } request)
        {
            await AnswerEditAsync(c, request.Alias, await CanaryFileEdits.RollbackAsync(request.Path, request.Alias, time.GetUtcNow()), "rolled_back", null);
        }
    }

    /// <summary>POST /alias/finalize {"alias"}: drops a promotion's record (and with it the grace fallback and the way back).</summary>
    public async Task Finalize(HttpContext c)
    {
        if (await AliasRequestAsync(c, "finalizing a promotion") is { } request)
        {
            await AnswerEditAsync(c, request.Alias, await CanaryFileEdits.FinalizeAsync(request.Path, request.Alias, time.GetUtcNow()), "finalized", null);
        }
    }

    private async Task<(string Alias, JsonObject Body, string Path)?> AliasRequestAsync(HttpContext c, string what)
    {
        if (!await RequireGlobalAdminAsync(c, what))
        {
            return null;
        }

        JsonObject? body;
        try
        {
            body = await JsonNode.ParseAsync(c.Request.Body, cancellationToken: c.RequestAborted) as JsonObject;
        }
        catch (JsonException)
        {
            body = null;
        }

        if (body?["alias"] is not JsonValue a || !a.TryGetValue<string>(out var alias))
        {
            await FailureResponses.WriteAsync(c, FailureSummary.BadRequest("'alias' is required", "alias", "missing_field"));
            return null;
        }

        Audit.AuditEntry.Of(c)?.Describe(alias, detail: body["force"] is JsonValue f && f.TryGetValue<bool>(out var forced) && forced ? "force" : null);
        if (await UnknownAlias(c, state.Current.Config, alias))
        {
            return null;
        }

        if (reloader.ConfigPath is not { } path)
        {
            await FailureResponses.WriteAsync(c, FailureSummary.BadRequest("this gateway was not started from a config file", null, "no_config_file"));
            return null;
        }

        return (alias, body, path);
    }

    private static async Task<bool> UnknownAlias(HttpContext c, GatewayConfig config, string alias)
    {
        if (alias.Length > 0 && config.Router.ModelGroupAlias.ContainsKey(alias))
        {
            return false;
        }

        var near = AliasSuggestions.Nearest(alias, config.Router.ModelGroupAlias.Keys.ToArray(), 3);
        await FailureResponses.WriteAsync(c, new FailureSummary
        {
            Status = 404,
            Type = FailureType.NotFound,
            Code = "not_found",
            Param = "alias",
            Route = alias.Length == 0 ? null : alias,
            Message = alias.Length == 0 ? "'alias' is required" : $"no alias named '{alias}'" + (near.Count > 0 ? $"; did you mean {string.Join(", ", near.Select(n => "'" + n + "'"))}?" : ""),
        });
        return true;
    }

    private async Task AnswerEditAsync(HttpContext c, string alias, CanaryFileEdits.Outcome outcome, string status, JsonObject? evidence)
    {
        if (!outcome.Succeeded)
        {
            await WriteRefusalAsync(c, Refusal(alias, outcome.Code, outcome.Message), null);
            return;
        }

        var reload = await reloader.ReloadAsync($"alias {status} {alias}", c.RequestAborted);
        await WriteJsonAsync(c, 200, new JsonObject
        {
            ["status"] = reload.Succeeded ? status : "written_not_reloaded",
            ["message"] = outcome.Message,
            ["backup"] = outcome.BackupPath,
            ["evidence"] = evidence,
        });
    }

    private static FailureSummary Refusal(string alias, string code, string message)
        => new() { Status = 409, Type = FailureType.InvalidRequest, Code = code, Param = "alias", Route = alias, Message = message };

    /// <summary>The failure envelope with the evidence beside it.</summary>
    private static async Task WriteRefusalAsync(HttpContext c, FailureSummary summary, JsonObject? evidence)
    {
        summary = summary with { CorrelationId = c.Features.Get<CorrelationFeature>()?.CorrelationId };
        var envelope = JsonNode.Parse(FailureSummaryWriter.ToUtf8(summary).AsSpan())!.AsObject();
        if (evidence is not null)
        {
            envelope["evidence"] = evidence;
        }

        c.Response.Headers["x-should-retry"] = "false";
        await WriteJsonAsync(c, summary.Status, envelope);
    }

    private static async Task WriteJsonAsync(HttpContext c, int status, JsonObject body)
    {
        c.Response.StatusCode = status;
        c.Response.ContentType = "application/json";
        await c.Response.WriteAsync(body.ToJsonString());
    }
}
