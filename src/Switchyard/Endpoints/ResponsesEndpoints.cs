using Switchyard.Hosting;
using Switchyard.Http;
using Switchyard.Ingress;
using Switchyard.Tenancy;

namespace Switchyard.Endpoints;

/// <summary>
/// <c>GET</c> and <c>DELETE /v1/responses/{id}</c>: the gateway's stored Responses answers, with the same auth as
/// inference (an invoke token) and confined to the caller's tenant: another tenant's id is 404, as an unknown one.
/// </summary>
public sealed class ResponsesEndpoints(GatewayState state, Authenticator authenticator, ResponseStore store)
{
    public Task GetAsync(HttpContext context) => HandleAsync(context, delete: false);

    public Task DeleteAsync(HttpContext context) => HandleAsync(context, delete: true);

    private async Task HandleAsync(HttpContext context, bool delete)
    {
        var (caller, denied) = authenticator.AuthenticateToken(context);
        if (caller is null)
        {
            await FailureResponses.WriteAsync(context, denied!);
            return;
        }

        if (InferenceEndpoint.InvokeDenied(caller, state.Current) is { } forbidden)
        {
            await FailureResponses.WriteAsync(context, forbidden);
            return;
        }

        var id = context.Request.RouteValues["id"] as string ?? "";
        var scope = ResponseStore.Scope(caller.TenantId);
        if (delete)
        {
            if (!await store.DeleteAsync(scope, id, context.RequestAborted))
            {
                await FailureResponses.WriteAsync(context, ResponseStore.NotFound(id, null));
                return;
            }

            var buffer = new System.Buffers.ArrayBufferWriter<byte>(128);
            using (var w = new System.Text.Json.Utf8JsonWriter(buffer))
            {
                w.WriteStartObject();
                w.WriteString("id", id);
                w.WriteString("object", "response");
                w.WriteBoolean("deleted", true);
                w.WriteEndObject();
            }

            await WriteJsonAsync(context, buffer.WrittenSpan.ToArray());
            return;
        }

        if (await store.GetAsync(scope, id, context.RequestAborted) is not { } body)
        {
            await FailureResponses.WriteAsync(context, ResponseStore.NotFound(id, null));
            return;
        }

        await WriteJsonAsync(context, body);
    }

    private static async Task WriteJsonAsync(HttpContext context, byte[] body)
    {
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, context.RequestAborted);
    }
}
