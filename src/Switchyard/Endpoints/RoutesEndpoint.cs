using System.Text.Json;
using Switchyard.Core.Tenancy;
using Switchyard.Tenancy;

namespace Switchyard.Endpoints;

/// <summary>
/// GET /routes (LiteLLM's): every route the gateway serves as <c>{"routes": [{"path", "methods", "name"}]}</c>, in the
/// order they were mapped; any token with the invoke scope may read it.
/// </summary>
public sealed class RoutesEndpoint(Authenticator authenticator, IReadOnlyDictionary<string, List<string>> routes)
{
    public async Task HandleAsync(HttpContext context)
    {
        if (await authenticator.RequireAsync(context, Scopes.Invoke) is null)
        {
            return;
        }

        context.Response.ContentType = "application/json";
        await using var w = new Utf8JsonWriter(context.Response.Body);
        w.WriteStartObject();
        w.WriteStartArray("routes");
        foreach (var (path, methods) in routes)
        {
            w.WriteStartObject();
            w.WriteString("path", path);
            w.WriteStartArray("methods");
            foreach (var m in methods)
            {
                w.WriteStringValue(m);
            }

            w.WriteEndArray();
            w.WriteString("name", path.Trim('/').Replace('/', '_').Replace("{", "", StringComparison.Ordinal).Replace("}", "", StringComparison.Ordinal));
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }
}
