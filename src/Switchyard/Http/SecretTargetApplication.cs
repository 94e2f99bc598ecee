using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http.Features;

namespace Switchyard.Http;

/// <summary>
/// Wraps the host's application: before the host creates the request's context (its log scope with RequestPath, the
/// request start line, the trace activity) and before routing, takes clear tokens out of the request target into
/// <see cref="RequestSecrets"/>, so no log, scope, route value or span ever holds them.
/// </summary>
internal sealed class SecretTargetApplication<TContext>(IHttpApplication<TContext> inner) : IHttpApplication<TContext>
    where TContext : notnull
{
    public TContext CreateContext(IFeatureCollection contextFeatures)
    {
        RequestSecrets? secrets = null;
        if (contextFeatures.Get<IHttpRequestFeature>() is { } request && RequestTargetRedactor.Redact(request.Path, request.QueryString) is { } redacted)
        {
            request.Path = redacted.Path;
            request.QueryString = redacted.QueryString;
            var originalLength = request.RawTarget.Length;
            request.RawTarget = request.PathBase + redacted.Path + redacted.QueryString;
            secrets = new RequestSecrets { KeySegment = redacted.Secrets.KeySegment, Query = redacted.Secrets.Query, OriginalTargetLength = originalLength };
        }

        contextFeatures.Set(secrets); // also clears what an earlier request on this connection left
        return inner.CreateContext(contextFeatures);
    }

    public Task ProcessRequestAsync(TContext context) => inner.ProcessRequestAsync(context);

    public void DisposeContext(TContext context, Exception? exception) => inner.DisposeContext(context, exception);
}
