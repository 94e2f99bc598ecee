namespace Switchyard.Http;

/// <summary>
/// The clear tokens taken out of a request's target before anything else sees it (see <see cref="RequestTargetRedactor"/>):
/// the path and query string the host, routing, logs and traces see carry <see cref="RequestTargetRedactor.Placeholder"/>
/// instead, and only the endpoints that need the token read it from here.
/// </summary>
internal sealed class RequestSecrets
{
    /// <summary>The segment after <c>/key/</c> when it is not an action name: the token of <c>POST /key/{token}/regenerate</c>.</summary>
    public string? KeySegment { get; init; }

    /// <summary>Secret query parameters by name (case-insensitive), values decoded; repeated names joined with commas.</summary>
    public IReadOnlyDictionary<string, string>? Query { get; init; }

    /// <summary>Length of the request target as the client sent it (the redacted one is shorter), for the request-line limit.</summary>
    public int OriginalTargetLength { get; init; }

    /// <summary>The token given in the path form of a key route, if any.</summary>
    public static string? PathKey(HttpContext c) => c.Features.Get<RequestSecrets>()?.KeySegment;

    /// <summary>A query parameter that may hold a token: the clear value when it was taken out, else the query's own.</summary>
    public static string QueryValue(HttpContext c, string name)
        => c.Features.Get<RequestSecrets>()?.Query is { } q && q.TryGetValue(name, out var v) ? v : c.Request.Query[name].ToString();
}
