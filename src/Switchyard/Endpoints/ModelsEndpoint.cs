using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Switchyard.Core.Tenancy;
using Switchyard.Hosting;
using Switchyard.Http;
using Switchyard.Tenancy;

namespace Switchyard.Endpoints;

/// <summary>GET /v1/models: the aliases and model groups the caller may use, in OpenAI's list shape.</summary>
public sealed class ModelsEndpoint(GatewayState state, Authenticator authenticator)
{
    public async Task HandleAsync(HttpContext context)
    {
        var snapshot = state.Current;
        if (await authenticator.RequireAsync(context, Scopes.Invoke) is not { } caller)
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
            if (!caller.MayUse(name, snapshot.Routes.Resolve(name)?.Name))
            {
                continue;
            }

            w.WriteStartObject();
            w.WriteString("id", name);
            w.WriteString("object", "model");
            w.WriteNumber("created", 1_700_000_000);
            w.WriteString("owned_by", "switchyard");
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }
}
