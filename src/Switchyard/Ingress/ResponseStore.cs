using System.Text.Json;
using System.Text.Json.Nodes;
using Switchyard.Core.Failures;
using Switchyard.Core.Requests;
using Switchyard.Core.Tenancy;
using Switchyard.Hosting;

namespace Switchyard.Ingress;

/// <summary>
/// The gateway's own Responses store: answers kept per tenant (unless the request said <c>store: false</c>) for
/// <c>GET/DELETE /v1/responses/{id}</c>, and <c>previous_response_id</c> expanded here into the stored conversation
/// before routing, for translated and native deployments alike (the next call may land on another deployment, which
/// knows nothing of the first one's store).
/// </summary>
public sealed partial class ResponseStore(IGatewayStore store, GatewayState state, TimeProvider time, ILogger<ResponseStore> logger)
{
    /// <summary>The tenant scope a caller's stored responses live in ("" for callers without a tenant).</summary>
    public static string Scope(string? tenantId) => tenantId ?? "";

    public static FailureSummary NotFound(string id, string? param) => new()
    {
        Status = 404,
        Type = FailureType.NotFound,
        Code = "response_not_found",
        Param = param,
        Message = $"no stored response '{id}' for this tenant (it may have expired after switchyard.responses.retention, been deleted, or been created with store: false)",
    };

    /// <summary>
    /// The request with its <c>previous_response_id</c> replaced by the stored conversation followed by its own input;
    /// null when the tenant has no such (unexpired) response.
    /// </summary>
    public async Task<(byte[] Body, RequestInfo Info)?> ExpandAsync(ReadOnlyMemory<byte> body, RequestInfo info, string scope, CancellationToken ct)
    {
        var stored = await store.GetResponseAsync(scope, info.PreviousResponseId!, time.GetUtcNow(), ct);
        if (stored is null)
        {
            return null;
        }

        var root = JsonNode.Parse(body.Span, documentOptions: new JsonDocumentOptions { MaxDepth = RequestInspector.MaxDepth })!.AsObject();
        var history = JsonNode.Parse(stored.Conversation)!.AsArray();
        foreach (var item in InputItems(root))
        {
            history.Add(item);
        }

        root["input"] = history;
        root.Remove("previous_response_id");
        var bytes = ToBytes(root);
        return (bytes, RequestInspector.Inspect(bytes, OperationKind.Responses) with { PreviousResponseId = info.PreviousResponseId });
    }

    /// <summary>Keeps a finished answer with the conversation it ends; failures are logged, never thrown at the caller.</summary>
    public async Task SaveAsync(string scope, ReadOnlyMemory<byte> requestBody, ReadOnlyMemory<byte> response, CancellationToken ct)
    {
        try
        {
            var answer = JsonNode.Parse(response.Span, documentOptions: new JsonDocumentOptions { MaxDepth = RequestInspector.MaxDepth })!.AsObject();
            if ((string?)answer["id"] is not { Length: > 0 } id || (string?)answer["status"] is "failed" or "cancelled")
            {
                return;
            }

            var request = JsonNode.Parse(requestBody.Span, documentOptions: new JsonDocumentOptions { MaxDepth = RequestInspector.MaxDepth })!.AsObject();
            var conversation = new JsonArray();
            foreach (var item in InputItems(request))
            {
                conversation.Add(item);
            }

            foreach (var item in OutputAsInput(answer))
            {
                conversation.Add(item);
            }

            var now = time.GetUtcNow();
            await store.SaveResponseAsync(new StoredResponse
            {
                Id = id,
                TenantId = scope,
                CreatedAt = now,
                ExpiresAt = now + state.Current.Config.Store.ResponsesRetention,
                Response = response.ToArray(),
                Conversation = ToBytes(conversation),
            }, ct);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or Microsoft.Data.Sqlite.SqliteException or IOException)
        {
            LogSaveFailed(logger, e);
        }
    }

    public async Task<byte[]?> GetAsync(string scope, string id, CancellationToken ct)
        => (await store.GetResponseAsync(scope, id, time.GetUtcNow(), ct))?.Response;

    public Task<bool> DeleteAsync(string scope, string id, CancellationToken ct) => store.DeleteResponseAsync(scope, id, ct);

    private static byte[] ToBytes(JsonNode node)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(1024);
        using (var w = new Utf8JsonWriter(buffer))
        {
            node.WriteTo(w);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The request's input as items (a string input is one user message).</summary>
    private static IEnumerable<JsonNode> InputItems(JsonObject request)
    {
        var input = request["input"];
        if (input is JsonValue value && value.TryGetValue<string>(out var text))
        {
            yield return new JsonObject { ["role"] = "user", ["content"] = text };
        }
        else if (input is JsonArray items)
        {
            foreach (var item in items)
            {
                if (item is not null)
                {
                    yield return item.DeepClone();
                }
            }
        }
    }

    /// <summary>
    /// An answer's output as input items any deployment accepts: assistant text as a plain assistant message, function
    /// calls as function_call items. Reasoning items are left out (encrypted or summarised, tied to the deployment that
    /// made them), as are hosted tools' calls, which only that deployment could replay.
    /// </summary>
    private static IEnumerable<JsonNode> OutputAsInput(JsonObject answer)
    {
        if (answer["output"] is not JsonArray output)
        {
            yield break;
        }

        foreach (var item in output.OfType<JsonObject>())
        {
            switch ((string?)item["type"])
            {
                case "message":
                    var text = new System.Text.StringBuilder();
                    foreach (var part in (item["content"] as JsonArray ?? []).OfType<JsonObject>())
                    {
                        text.Append((string?)part["text"] ?? (string?)part["refusal"]);
                    }

                    yield return new JsonObject { ["role"] = "assistant", ["content"] = text.ToString() };
                    break;
                case "function_call":
                    yield return new JsonObject
                    {
                        ["type"] = "function_call",
                        ["call_id"] = (string?)item["call_id"],
                        ["name"] = (string?)item["name"],
                        ["arguments"] = (string?)item["arguments"] ?? "",
                    };
                    break;
            }
        }
    }

    [LoggerMessage(EventId = 88, Level = LogLevel.Error, Message = "storing a Responses answer failed; it cannot be continued with previous_response_id")]
    private static partial void LogSaveFailed(ILogger logger, Exception e);
}
