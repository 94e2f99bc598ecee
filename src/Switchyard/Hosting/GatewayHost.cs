using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Switchyard.Core.Config;
using Switchyard.Core.Requests;
using Switchyard.Core.Routing;
using Switchyard.Endpoints;
using Switchyard.Http;
using Switchyard.Providers.Abstractions;
using Switchyard.Providers.Anthropic;
using Switchyard.Providers.Azure;
using Switchyard.Providers.Http;
using Switchyard.Providers.Mock;
using Switchyard.Providers.OpenAI;

namespace Switchyard.Hosting;

/// <summary>Options the executable and the tests set when building a gateway.</summary>
public sealed record GatewayHostOptions
{
    /// <summary>Overrides switchyard.server.host/port; "http://127.0.0.1:0" picks a free port.</summary>
    public string? Url { get; init; }

    public TimeProvider Time { get; init; } = TimeProvider.System;

    public Action<ILoggingBuilder>? ConfigureLogging { get; init; }
}

/// <summary>Builds the ASP.NET Core host around the core: a thin shell of endpoints over routing and providers.</summary>
public static class GatewayHost
{
    public static WebApplication Build(GatewayConfig config, GatewayHostOptions? options = null)
    {
        options ??= new GatewayHostOptions();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        if (options.ConfigureLogging is { } configure)
        {
            configure(builder.Logging);
        }
        else
        {
            builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
            builder.Logging.SetMinimumLevel(LogLevel.Information);
            builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        }

        builder.WebHost.UseUrls(options.Url ?? $"http://{config.Server.Host}:{config.Server.Port}");
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = null; // the gateway enforces max_body_bytes itself, with a 413 summary
            k.Limits.MinRequestBodyDataRate = new MinDataRate(bytesPerSecond: 240, gracePeriod: TimeSpan.FromSeconds(10));
        });

        var services = builder.Services;
        services.AddSingleton(options.Time);
        services.AddSingleton(sp => new DeploymentStateRegistry(options.Time));
        services.AddSingleton(sp => new GatewayState(config, sp.GetRequiredService<DeploymentStateRegistry>()));
        services.AddSingleton(sp => new RouteExecutor(options.Time));
        services.AddSingleton<UpstreamHttp>();
        services.AddSingleton<IProviderAdapter, OpenAIAdapter>();
        services.AddSingleton<IProviderAdapter, AzureOpenAIAdapter>();
        services.AddSingleton<IProviderAdapter, AnthropicAdapter>();
        services.AddSingleton<IProviderAdapter>(sp => new MockAdapter(options.Time));
        services.AddSingleton<ProviderRegistry>();
        services.AddSingleton<InferenceEndpoint>();
        services.AddSingleton<ModelsEndpoint>();
        services.AddSingleton<HealthEndpoints>();

        var app = builder.Build();
        app.UseMiddleware<GatewayMiddleware>();
        Map(app);
        return app;
    }

    private static void Map(WebApplication app)
    {
        var inference = app.Services.GetRequiredService<InferenceEndpoint>();
        var models = app.Services.GetRequiredService<ModelsEndpoint>();
        var health = app.Services.GetRequiredService<HealthEndpoints>();

        // Every mapped path with its methods, so a known path called with another method answers 405, not 404.
        var methods = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
        void Route(string method, string path, RequestDelegate handler)
        {
            app.MapMethods(path, [method], handler);
            if (!methods.TryGetValue(path, out var list))
            {
                methods[path] = list = [];
            }

            list.Add(method);
        }

        foreach (var prefix in new[] { "/v1", "" })
        {
            Route("POST", prefix + "/chat/completions", c => inference.HandleAsync(c, OperationKind.Chat));
            Route("POST", prefix + "/embeddings", c => inference.HandleAsync(c, OperationKind.Embeddings));
            Route("GET", prefix + "/models", models.HandleAsync);
        }

        Route("GET", "/health/liveliness", HealthEndpoints.Liveliness);
        Route("GET", "/health/liveness", HealthEndpoints.Liveliness);
        Route("GET", "/health/readiness", health.Readiness);
        Route("GET", "/health", health.Deployments);

        var allow = methods.ToDictionary(m => m.Key, m => string.Join(", ", m.Value), StringComparer.OrdinalIgnoreCase);
        app.MapFallback("{*path}", c =>
        {
            if (!allow.TryGetValue(c.Request.Path.Value?.TrimEnd('/') ?? "", out var allowed))
            {
                return FailureResponses.WriteAsync(c, FailureResponses.NotFound(c.Request.Path));
            }

            c.Response.Headers.Allow = allowed;
            return FailureResponses.WriteAsync(c, FailureResponses.MethodNotAllowed(c.Request.Method, c.Request.Path, allowed));
        });
    }
}
