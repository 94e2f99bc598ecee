using System.Text.Json;
using Switchyard.Core.Failures;
using Switchyard.Core.Tenancy;
using Switchyard.Hosting;
using Switchyard.Http;
using Switchyard.Tenancy;

namespace Switchyard.Endpoints;

/// <summary>
/// GET /v1/models: the aliases and model groups the caller may use, in OpenAI's list shape; GET /v1/models/{id}: one
/// of them (404 summary with the nearest names otherwise).
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

        context.Response.ContentType = "application/json";
        await using var w = new Utf8JsonWriter(context.Response.Body);
        w.WriteStartObject();
        w.WriteString("object", "list");
        w.WriteStartArray("data");
        foreach (var name in snapshot.Routes.PublicNames)
        {
            if (caller.MayUse(name, snapshot.Routes.Resolve(name)?.Name))
            {
                WriteModel(w, name);
            }
        }

        w.WriteEndArray();
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
        WriteModel(w, id);
    }

    private static void WriteModel(Utf8JsonWriter w, string name)
    {
        w.WriteStartObject();
        w.WriteString("id", name);
        w.WriteString("object", "model");
        w.WriteNumber("created", 1_700_000_000);
        w.WriteString("owned_by", "switchyard");
        w.WriteEndObject();
    }
}
