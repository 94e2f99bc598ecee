using System.Text.Json;
using Switchyard.Core.Failures;
using Switchyard.Core.Tenancy;
using Switchyard.Hosting;
using Switchyard.Http;
using Switchyard.Tenancy;

namespace Switchyard.Endpoints;

/// <summary>
/// GET /v1/models: the aliases and model groups the caller may use, in OpenAI's list shape; GET /v1/models/{id}: one
/// of them (404 summary with the nearest names otherwise). A caller that sends <c>anthropic-version</c> (the Anthropic
/// SDKs, Claude Code) gets Anthropic's fields as well: <c>type</c>, <c>display_name</c>, <c>created_at</c> on each model
/// and <c>has_more</c>, <c>first_id</c>, <c>last_id</c> on the list, beside OpenAI's.
/// </summary>
public sealed class ModelsEndpoint(GatewayState state, Authenticator authenticator)
{
    public async Task HandleAsync(HttpContext context)
    {
        var snapshot = state.Current;
        if (await authenticator.RequireAsync(context, Scopes.Invoke, session: false) is not { } caller)
        {
            return;
        }

        var anthropic = IsAnthropic(context);
        context.Response.ContentType = "application/json";
        await using var w = new Utf8JsonWriter(context.Response.Body);
        w.WriteStartObject();
        w.WriteString("object", "list");
        w.WriteStartArray("data");
        string? first = null, last = null;
        foreach (var name in snapshot.Routes.PublicNames)
        {
            if (caller.MayUse(name, snapshot.Routes.Resolve(name)?.Name))
            {
                WriteModel(w, name, anthropic);
                first ??= name;
                last = name;
            }
        }

        w.WriteEndArray();
        if (anthropic)
        {
            w.WriteBoolean("has_more", false);
            w.WriteString("first_id", first);
            w.WriteString("last_id", last);
        }

        w.WriteEndObject();
    }

    public async Task HandleOneAsync(HttpContext context)
    {
        var snapshot = state.Current;
        if (await authenticator.RequireAsync(context, Scopes.Invoke, session: false) is not { } caller)
        {
            return;
        }

        var id = context.Request.RouteValues["id"] as string ?? "";
        var group = snapshot.Routes.Resolve(id);
        if (group is null || !snapshot.Routes.PublicNames.Contains(id) || !caller.MayUse(id, group.Name))
        {
            var near = snapshot.Routes.Nearest(id);
            await FailureResponses.WriteAsync(context, new FailureSummary
            {
                Status = 404,
                Type = FailureType.NotFound,
                Code = "model_not_found",
                Param = "model",
                Message = $"no alias or model group named '{id}'" + (near.Count > 0 ? $"; did you mean {string.Join(", ", near.Select(n => "'" + n + "'"))}?" : ""),
            });
            return;
        }

        context.Response.ContentType = "application/json";
        await using var w = new Utf8JsonWriter(context.Response.Body);
        WriteModel(w, id, IsAnthropic(context));
    }

    private static bool IsAnthropic(HttpContext context) => context.Request.Headers.ContainsKey("anthropic-version");

    private static void WriteModel(Utf8JsonWriter w, string name, bool anthropic)
    {
        w.WriteStartObject();
        w.WriteString("id", name);
        w.WriteString("object", "model");
        w.WriteNumber("created", 1_700_000_000);
        w.WriteString("owned_by", "switchyard");
        if (anthropic)
        {
            w.WriteString("type", "model");
            w.WriteString("display_name", name);
            w.WriteString("created_at", "2023-11-14T22:13:20Z"); // the same instant as created
        }

        w.WriteEndObject();
    }
}
