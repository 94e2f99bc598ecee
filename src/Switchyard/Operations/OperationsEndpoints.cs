using System.Text.Json;
using Switchyard.Core.Failures;
using Switchyard.Core.Tenancy;
using Switchyard.Http;
using Switchyard.Tenancy;

namespace Switchyard.Operations;

/// <summary>POST /config/reload and GET /config (global admin): reloads the config file and answers what happened, shows the live config; the alias routes are in OperationsEndpoints.Alias.cs.</summary>
public sealed partial class OperationsEndpoints(Authenticator authenticator, ConfigReloader reloader, Hosting.GatewayState state, TimeProvider time)
{
    public async Task Reload(HttpContext c)
    {
        if (!await RequireGlobalAdminAsync(c, "reloading the config"))
        {
            return;
        }

        var result = await reloader.ReloadAsync("POST /config/reload", c.RequestAborted);
        Audit.AuditEntry.Of(c)?.Describe(detail: result.Succeeded ? $"config {result.Config!.ConfigHash}" : $"{result.Errors.Count} error(s)");
        c.Response.ContentType = "application/json";
        if (!result.Succeeded)
        {
            c.Response.StatusCode = 422;
            if (Audit.AuditEntry.Of(c) is { } audit)
            {
                audit.ErrorCode = "config_invalid";
            }

            c.Response.Headers["x-should-retry"] = "false";
        }

        await using var w = new Utf8JsonWriter(c.Response.Body, FailureSummaryWriter.Options);
        w.WriteStartObject();
        if (!result.Succeeded)
        {
            var summary = new FailureSummary
            {
                Status = 422,
                Type = FailureType.InvalidRequest,
                Code = "config_invalid",
                Message = $"the config file has {result.Errors.Count} error(s); the previous config stays live: {result.Errors[0]}",
                CorrelationId = c.Features.Get<CorrelationFeature>()?.CorrelationId,
            };
            var envelope = FailureSummaryWriter.ToUtf8(summary);
            using var doc = JsonDocument.Parse(envelope);
            doc.RootElement.GetProperty("error").WriteTo(w.WritePropertyNameAndReturn("error"));
        }
        else
        {
            w.WriteString("status", "reloaded");
            w.WriteNumber("deployments_enabled", result.Config!.Deployments.Count(d => d.Enabled));
        }

        WriteDiagnostics(w, "errors", result.Errors);
        WriteDiagnostics(w, "warnings", result.Warnings);
        WriteDiagnostics(w, "restart_required", result.RestartRequired);
        w.WriteEndObject();
    }

    /// <summary>
    /// GET /config (global admin): the live config as <see cref="EffectiveConfig"/> renders it (secrets redacted), the
    /// same shape as <c>switchyard config show</c> prints for the file.
    /// </summary>
    public async Task ShowConfig(HttpContext c)
    {
        if (!await RequireGlobalAdminAsync(c, "reading the config"))
        {
            return;
        }

        var body = EffectiveConfig.Render(state.Current.Config);
        c.Response.ContentType = "application/json";
        c.Response.ContentLength = body.Length;
        await c.Response.Body.WriteAsync(body, c.RequestAborted);
    }

    /// <summary>These routes change the whole gateway: a tenant admin (an admin token bound to a tenant) may not call them.</summary>
    private async ValueTask<bool> RequireGlobalAdminAsync(HttpContext c, string what)
    {
        if (await authenticator.RequireAsync(c, Scopes.Admin) is not { } caller)
        {
            return false;
        }

        if (caller.IsGlobalAdmin)
        {
            return true;
        }

        await FailureResponses.WriteAsync(c, AdminDenials.GlobalAdminRequired(caller, what));
        return false;
    }

    internal static void WriteDiagnostics(Utf8JsonWriter w, string name, IReadOnlyList<Core.Config.ConfigDiagnostic> list)
    {
        w.WriteStartArray(name);
        foreach (var d in list)
        {
            w.WriteStartObject();
            w.WriteString("path", d.Path);
            if (d.Line is { } line)
            {
                w.WriteNumber("line", line);
            }
            else
            {
                w.WriteNull("line");
            }

            w.WriteString("message", d.Message);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }
}

internal static class Utf8JsonWriterExtensions
{
    public static Utf8JsonWriter WritePropertyNameAndReturn(this Utf8JsonWriter w, string name)
    {
        w.WritePropertyName(name);
        return w;
    }
}
