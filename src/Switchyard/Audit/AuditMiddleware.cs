using Switchyard.Http;

namespace Switchyard.Audit;

/// <summary>
/// Records one audit row per request to an audited route (<see cref="AuditActions"/>), whatever answered it: the
/// handler, a refusal, a failure. The row is queued for <see cref="AuditWriter"/> after the answer; nothing waits for
/// the store.
/// </summary>
public sealed class AuditMiddleware(RequestDelegate next, AuditWriter writer, TimeProvider time)
{
    public Task InvokeAsync(HttpContext context)
        => AuditActions.Match(context.Request.Method, context.Request.Path.Value) is { } action
            ? AuditedAsync(context, action)
            : next(context); // not audited (every inference request): no state machine of its own

    private async Task AuditedAsync(HttpContext context, string action)
    {
        var entry = new AuditEntry { Action = action, Time = time.GetUtcNow() };
        context.Features.Set(entry);
        var status = 0;
        try
        {
            await next(context);
            status = context.Response.StatusCode;
        }
        catch
        {
            status = 500; // the gateway middleware answers it with a failure summary
            throw;
        }
        finally
        {
            writer.Enqueue(entry.Complete(
                writer.NextId(entry.Time),
                status,
                context.Connection.RemoteIpAddress?.ToString(),
                context.Request.Headers.UserAgent.ToString() is { Length: > 0 } ua ? ua : null,
                context.Features.Get<CorrelationFeature>()?.CorrelationId));
        }
    }
}
