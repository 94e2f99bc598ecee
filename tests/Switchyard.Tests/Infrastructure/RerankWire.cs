using System.Text.Json;

namespace Switchyard.Tests.Infrastructure;

/// <summary>
/// The rerank APIs as the real services speak them, scored by the share of the query's words each document holds:
/// Cohere's <c>POST /v2/rerank</c> (and <c>/v1/rerank</c>): documents as strings only, <c>top_n</c>, results best first
/// as <c>{index, relevance_score}</c>, <c>meta.billed_units.search_units</c> (one per 100 documents), errors as
/// <c>{"id","message"}</c>; Jina's <c>/v1/rerank</c> (<c>top_n</c>, <c>return_documents</c> default true, documents back
/// as <c>{"text"}</c>, <c>usage.total_tokens</c>, errors as <c>{"detail"}</c>); Voyage's <c>/v1/rerank</c> (<c>top_k</c>,
/// results under <c>data</c>, <c>usage.total_tokens</c>, errors as <c>{"detail"}</c>). Each checks its Bearer key.
/// </summary>
public static class RerankWire
{
    public const string Key = "rr-test-key-5678";

    /// <summary>A Cohere rerank handler: 401 without the key, 400 for a v2 body Cohere would refuse, else the ranked answer.</summary>
    public static Func<HttpContext, RecordedRequest, Task> Cohere(int? searchUnits = null)
        => async (c, r) =>
        {
            if (!Authorized(r))
            {
                await CohereWire.WriteErrorAsync(c, 401, "invalid api token");
                return;
            }

            var body = JsonDocument.Parse(r.Body).RootElement;
            if (body.GetProperty("documents").EnumerateArray().Any(d => d.ValueKind != JsonValueKind.String))
            {
                await CohereWire.WriteErrorAsync(c, 400, "invalid request: documents must be a list of strings");
                return;
            }

            var ranked = Rank(body, body.TryGetProperty("top_n", out var n) ? n.GetInt32() : null);
            var count = body.GetProperty("documents").GetArrayLength();
            await c.Response.WriteAsJsonAsync(new
            {
                id = "07734bd2-2473-4f07-94e1-0d9f0e6843cf",
                results = ranked.Select(x => new { index = x.Index, relevance_score = x.Score }),
                meta = new { api_version = new { version = "2" }, billed_units = new { search_units = searchUnits ?? ((count + 99) / 100) } },
            });
        };

    public static Func<HttpContext, RecordedRequest, Task> Jina()
        => async (c, r) =>
        {
            if (!Authorized(r))
            {
                await WriteDetailAsync(c, 401, "Unauthorized: invalid API key");
                return;
            }

            var body = JsonDocument.Parse(r.Body).RootElement;
            var documents = body.GetProperty("documents").EnumerateArray().Select(d => d.GetString()).ToArray();
            var returnDocuments = !body.TryGetProperty("return_documents", out var rd) || rd.GetBoolean();
            var ranked = Rank(body, body.TryGetProperty("top_n", out var n) ? n.GetInt32() : null);
            await c.Response.WriteAsJsonAsync(new
            {
                model = body.GetProperty("model").GetString(),
                usage = new { total_tokens = 37 },
                results = ranked.Select(x => returnDocuments
                    ? (object)new { index = x.Index, document = new { text = documents[x.Index] }, relevance_score = x.Score }
                    : new { index = x.Index, relevance_score = x.Score }),
            });
        };

    public static Func<HttpContext, RecordedRequest, Task> Voyage()
        => async (c, r) =>
        {
            if (!Authorized(r))
            {
                await WriteDetailAsync(c, 401, "Provided API key is invalid.");
                return;
            }

            var body = JsonDocument.Parse(r.Body).RootElement;
            if (body.TryGetProperty("top_n", out _))
            {
                await WriteDetailAsync(c, 400, "Request body has unknown field 'top_n'");
                return;
            }

            var ranked = Rank(body, body.TryGetProperty("top_k", out var k) ? k.GetInt32() : null);
            await c.Response.WriteAsJsonAsync(new
            {
                @object = "list",
                data = ranked.Select(x => new { relevance_score = x.Score, index = x.Index }),
                model = body.GetProperty("model").GetString(),
                usage = new { total_tokens = 52 },
            });
        };

    public static async Task WriteDetailAsync(HttpContext c, int status, string detail, string? retryAfter = null)
    {
        c.Response.StatusCode = status;
        if (retryAfter is not null)
        {
            c.Response.Headers.RetryAfter = retryAfter;
        }

        await c.Response.WriteAsJsonAsync(new { detail });
    }

    private static bool Authorized(RecordedRequest r) => r.Headers.TryGetValue("authorization", out var auth) && auth == "Bearer " + Key;

    /// <summary>The documents by the share of the query's words each holds, best first (ties by index), at most <paramref name="top"/>.</summary>
    private static (int Index, double Score)[] Rank(JsonElement body, int? top)
    {
        var words = Words(body.GetProperty("query").GetString()!);
        return [.. body.GetProperty("documents").EnumerateArray()
            .Select((d, i) => (Index: i, Score: Math.Round(Words(d.GetString()!).Count(words.Contains) / (double)words.Count, 4)))
            .OrderByDescending(x => x.Score).ThenBy(x => x.Index)
            .Take(top ?? int.MaxValue)];
    }

    private static HashSet<string> Words(string text) => [.. text.ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries)];
}
