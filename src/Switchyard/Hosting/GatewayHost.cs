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
using Switchyard.Storage.Sqlite;
using Switchyard.Tenancy;
using Switchyard.Core.Admission;
using Switchyard.Core.Tenancy;

namespace Switchyard.Hosting;

/// <summary>Options the executable and the tests set when building a gateway.</summary>
public sealed record GatewayHostOptions
{
    /// <summary>Overrides switchyard.server.host/port; "http://127.0.0.1:0" picks a free port.</summary>
    public string? Url { get; init; }

    public TimeProvider Time { get; init; } = TimeProvider.System;

    public Action<ILoggingBuilder>? ConfigureLogging { get; init; }

    /// <summary>Extra trace setup (tests add an in-memory exporter); tracing is on when this is set or OTLP is configured.</summary>
    public Action<OpenTelemetry.Trace.TracerProviderBuilder>? ConfigureTracing { get; init; }

    /// <summary>Extra metrics setup (tests add an in-memory exporter).</summary>
    public Action<OpenTelemetry.Metrics.MeterProviderBuilder>? ConfigureMetrics { get; init; }

    /// <summary>"json" (default: structured lines with correlation_id, alias and tenant_id scopes) or "text".</summary>
    public string LogFormat { get; init; } = "json";

    /// <summary>The file reloads read (default: the file the config came from).</summary>
    public string? ConfigPath { get; init; }

    /// <summary>Overrides switchyard.store.sqlite_path (tests use a fresh file each).</summary>
    public string? SqlitePath { get; init; }
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
            if (options.LogFormat == "text")
            {
                builder.Logging.AddSimpleConsole(o =>
                {
                    o.SingleLine = true;
                    o.IncludeScopes = true;
                    o.UseUtcTimestamp = true;
                    o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
                });
            }
            else
            {
                builder.Logging.AddJsonConsole(o =>
                {
                    o.IncludeScopes = true;
                    o.UseUtcTimestamp = true;
                    o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                });
            }

            builder.Logging.SetMinimumLevel(LogLevel.Information);
            builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
            builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
            builder.Logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning);
        }

        // Request start/finish lines carry the query string, and LiteLLM-style calls put tokens there
        // (/key/info?key=, /spend/logs?api_key=): never log them, whatever the logging configuration.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);

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
        services.AddSingleton<Core.Telemetry.GatewayTelemetry>();
        services.AddSingleton<Telemetry.BreakerMetrics>();
        TelemetrySetup.Add(services, config, options);
        services.AddSingleton<TenantDirectory>();
        services.AddSingleton(sp => new AdmissionController(options.Time));
        services.AddSingleton<IGatewayStore>(sp => new SqliteGatewayStore(options.SqlitePath ?? config.Store.SqlitePath));
        services.AddSingleton<TenancyService>();
        services.AddSingleton(sp => new SpendWriter(sp.GetRequiredService<IGatewayStore>(), config.Store.SpendFlushInterval, config.Store.SpendBatchSize, sp.GetRequiredService<ILogger<SpendWriter>>()));
        services.AddHostedService(sp => new StoreInitializer(sp.GetRequiredService<TenancyService>(), sp.GetRequiredService<GatewayState>()));
        services.AddHostedService(sp => sp.GetRequiredService<SpendWriter>());
        services.AddSingleton<Authenticator>();
        services.AddSingleton<UsageRecorder>();
        services.AddSingleton<AdminEndpoints>();
        services.AddSingleton<InferenceEndpoint>();
        services.AddSingleton<Operations.AlertService>();
        services.AddHostedService(sp => sp.GetRequiredService<Operations.AlertService>());
        services.AddSingleton(sp => new Operations.ConfigReloader(sp.GetRequiredService<GatewayState>(), sp.GetRequiredService<TenancyService>(), sp.GetRequiredService<Operations.AlertService>(), sp.GetRequiredService<ILogger<Operations.ConfigReloader>>()) { ConfigPath = options.ConfigPath ?? config.SourcePath });
        services.AddHostedService(sp => sp.GetRequiredService<Operations.ConfigReloader>());
        services.AddSingleton<Operations.OperationsEndpoints>();
        services.AddSingleton<ModelsEndpoint>();
        services.AddSingleton<HealthEndpoints>();

        var app = builder.Build();
        app.Services.GetRequiredService<Telemetry.BreakerMetrics>();
        app.UseMiddleware<GatewayMiddleware>();
        if (config.Telemetry.Prometheus)
        {
            app.MapPrometheusScrapingEndpoint("/metrics");
        }

        Map(app);
        return app;
    }

    private static void Map(WebApplication app)
    {
        var inference = app.Services.GetRequiredService<InferenceEndpoint>();
        var models = app.Services.GetRequiredService<ModelsEndpoint>();
        var health = app.Services.GetRequiredService<HealthEndpoints>();
        var admin = app.Services.GetRequiredService<AdminEndpoints>();
        app.MapPost("/key/generate", admin.GenerateKey);
        app.MapPost("/key/update", admin.UpdateKey);
        app.MapPost("/key/delete", admin.DeleteKeys);
        app.MapPost("/key/regenerate", admin.RegenerateKey);
        app.MapPost("/key/{key}/regenerate", admin.RegenerateKey);
        app.MapGet("/key/info", admin.KeyInfo);
        app.MapGet("/key/list", admin.ListKeys);
        app.MapPost("/team/new", admin.NewTeam);
        app.MapPost("/team/update", admin.UpdateTeam);
        app.MapPost("/team/delete", admin.DeleteTeams);
        app.MapGet("/team/info", admin.TeamInfo);
        app.MapGet("/team/list", admin.ListTeams);
        app.MapGet("/spend/logs", admin.SpendLogs);
        var operations = app.Services.GetRequiredService<Operations.OperationsEndpoints>();
        app.MapPost("/config/reload", operations.Reload);
        app.MapPost("/alias/promote", operations.Promote);
        foreach (var prefix in new[] { "/v1", "" })
        {
            app.MapPost(prefix + "/chat/completions", (HttpContext c) => inference.HandleAsync(c, OperationKind.Chat));
            app.MapPost(prefix + "/embeddings", (HttpContext c) => inference.HandleAsync(c, OperationKind.Embeddings));
            app.MapGet(prefix + "/models", (HttpContext c) => models.HandleAsync(c));
        }

        app.MapGet("/health/liveliness", HealthEndpoints.Liveliness);
        app.MapGet("/health/liveness", HealthEndpoints.Liveliness);
        app.MapGet("/health/readiness", (HttpContext c) => health.Readiness(c));
        app.MapGet("/health", (HttpContext c) => health.Deployments(c));
        app.MapFallback((HttpContext c) => FailureResponses.WriteAsync(c, c.Request.Method is "GET" or "POST" or "HEAD"
            ? FailureResponses.NotFound(c.Request.Path)
            : FailureResponses.NotFound(c.Request.Path) with { Status = 405, Code = "method_not_allowed", Message = $"{c.Request.Method} is not allowed on {c.Request.Path}" }));
    }
}
