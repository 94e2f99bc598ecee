using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json.Nodes;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Clients;

/// <summary>
/// A request an agent client really sent, captured against a fake upstream (Clients/Captured/*.json: the path with its
/// query, the headers but the credential, and the body with long texts cut to 160 characters and tool schemas whole),
/// replayed against a gateway with a scoped key in the header the client uses.
/// </summary>
internal sealed record CapturedRequest(string Path, IReadOnlyDictionary<string, string> Headers, JsonObject Body)
{
    public static CapturedRequest Load(string name)
    {
        var root = JsonNode.Parse(File.ReadAllText(System.IO.Path.Combine(Directory(), "Captured", name + ".json")))!.AsObject();
        var headers = root["headers"]!.AsObject().ToDictionary(p => p.Key, p => (string)p.Value!, StringComparer.OrdinalIgnoreCase);
        return new CapturedRequest((string)root["path"]!, headers, root["body"]!.AsObject());
    }

    /// <summary>Sends it (the body as it is, or <paramref name="body"/>) with the key as <c>Authorization: Bearer</c>, as each of these clients does.</summary>
    public async Task<(int Status, string Body, HttpResponseHeaders Headers)> SendAsync(GatewayFixture gw, string key, JsonObject? body = null, string? path = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path ?? Path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        foreach (var (name, value) in Headers)
        {
            if (!name.Equals("content-type", StringComparison.OrdinalIgnoreCase))
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }

        request.Content = new StringContent((body ?? Body).ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await gw.Bare.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(), response.Headers);
    }

    /// <summary>A copy of the body (tests change the model or add fields without touching the loaded one).</summary>
    public JsonObject CopyBody() => Body.DeepClone().AsObject();

    private static string Directory([CallerFilePath] string path = "") => System.IO.Path.GetDirectoryName(path)!;
}
