using Microsoft.AspNetCore.Server.Kestrel.Core;
using Switchyard.Core.Config;
using Switchyard.Core.Requests;
using Switchyard.Core.Routing;
using Switchyard.Endpoints;
using Switchyard.Http;
using Switchyard.Providers.Abstractions;
using Switchyard.Providers.Anthropic;
using Switchyard.Providers.Azure;
using Switchyard.Providers.Bedrock;
using Switchyard.Providers.Cohere;
using Switchyard.Providers.Gemini;
using Switchyard.Providers.Http;
using Switchyard.Providers.Mock;
using Switchyard.Providers.OpenAI;
using Switchyard.Providers.Vertex;
using Switchyard.Storage.Redis;
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

    /// <summary>Randomness for routing (weighted choice, jitter, canary split); must be thread-safe. Tests pass a seeded one.</summary>
#pragma warning disable RS0030 // the composition root is where the process-wide random source is chosen
    public Random Random { get; init; } = Random.Shared;
#pragma warning restore RS0030

    public Action<ILoggingBuilder>? ConfigureLogging { get; init; }

    /// <summary>Extra trace setup (tests add an in-memory exporter); tracing is on when this is set or OTLP is configured.</summary>
    public Action<OpenTelemetry.Trace.TracerProviderBuilder>? ConfigureTracing { get; init; }

    /// <summary>Extra metrics setup (tests add an in-memory exporter).</summary>
    public Action<OpenTelemetry.Metrics.MeterProviderBuilder>? ConfigureMetrics { get; init; }

    /// <summary>"json" (default: structured lines with correlation_id, alias and tenant_id scopes) or "text".</summary>
    public string LogFormat { get; init; } = "json";

    /// <summary>The file reloads read (default: the file the config came from).</summary>
    public string? ConfigPath { get; init; }

    /// <summary>
    /// The command line's --host / --port, already applied to the config; reloads apply them to the new file too, so a
    /// file whose address is overridden does not count as an address change.
    /// </summary>
    public string? HostOverride { get; init; }

    /// <inheritdoc cref="HostOverride"/>
    public int? PortOverride { get; init; }

    /// <summary>
    /// Overrides switchyard.store.sqlite_path (tests use a fresh file each); unused as a store when the config sets a
    /// database_url, but the default spend journal then still goes next to it, so that parallel tests never share one.
    /// </summary>
    public string? SqlitePath { get; init; }

    /// <summary>Where access-log lines go instead of switchyard.access_log.path (tests capture them).</summary>
    public AccessLog.IAccessLogSink? AccessLogSink { get; init; }

    /// <summary>Runs after the gateway's own Kestrel settings (tests shorten the data-rate grace and header timeouts).</summary>
    public Action<KestrelServerOptions>? ConfigureKestrel { get; init; }

    /// <summary>Runs last, before the host is built (the in-process pipeline benchmark swaps the server and the upstream client).</summary>
    public Action<IServiceCollection>? ConfigureServices { get; init; }
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
            builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical); // start failures are reported by serve in one line
        }

        // A stream that broke after its first byte is ended by throwing ResponseAbandonedException past the middleware
        // (so Kestrel closes it without the last chunk); the endpoint has logged it already, so Kestrel's Error line
        // for it is noise. Kestrel's warnings and critical lines still come through.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Server.Kestrel", level => level is LogLevel.Warning or LogLevel.Critical);

        // Request start/finish lines are noise at Information. (They carried tokens from LiteLLM-style query strings
        // once; now SecretTargetServer takes tokens out of every request target before anything can log it.)
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);

        builder.WebHost.UseUrls(options.Url ?? $"http://{config.Server.Host}:{config.Server.Port}");
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = null; // the gateway enforces max_body_bytes itself, with a 413 summary
            k.Limits.MinRequestBodyDataRate = new MinDataRate(bytesPerSecond: 240, gracePeriod: TimeSpan.FromSeconds(10));
            ProtocolLimits.Apply(k.Limits); // the gateway enforces the usual limits itself, with 414/431 summaries

            // Header values are read as Latin-1, so any byte above 0x7F is accepted instead of an empty 400 from
            // Kestrel; the gateway reads only ASCII headers (tokens, correlation id, trace context) and validates them.
            k.RequestHeaderEncodingSelector = static _ => System.Text.Encoding.Latin1;
            options.ConfigureKestrel?.Invoke(k);
        });

        var services = builder.Services;
        services.AddSingleton(options.Time);
        if (config.Shared.UsesRedis && config.Shared.Breakers)
        {
            // switchyard.shared.state: [breakers]: opens, closes, cooldowns and the half-open probe shared through Redis
            services.AddSingleton(sp => RedisBreakerCoordinator.Connect(config.Shared));
            services.AddSingleton<Core.Resilience.IBreakerCoordinator>(sp => sp.GetRequiredService<RedisBreakerCoordinator>());
        }

        services.AddSingleton(sp => new DeploymentStateRegistry(options.Time, sp.GetService<Core.Resilience.IBreakerCoordinator>()));
        services.AddSingleton(sp => new GatewayState(config, sp.GetRequiredService<DeploymentStateRegistry>()));
        services.AddSingleton(sp => new RouteExecutor(options.Time, options.Random));
        services.AddSingleton(sp => new UpstreamHttp(options.Time));
        services.AddSingleton<IProviderAdapter, OpenAIAdapter>();
        services.AddSingleton<IProviderAdapter, AzureOpenAIAdapter>();
        services.AddSingleton<IProviderAdapter, AnthropicAdapter>();
        services.AddSingleton<IProviderAdapter, GeminiAdapter>();
        services.AddSingleton<IProviderAdapter, BedrockAdapter>();
        services.AddSingleton<IProviderAdapter, CohereAdapter>();
        services.AddSingleton<IProviderAdapter, VertexAdapter>();
        services.AddSingleton<IProviderAdapter>(sp => new MockAdapter(options.Time));
        services.AddSingleton<ProviderRegistry>();
        services.AddSingleton<Core.Telemetry.GatewayTelemetry>();
        services.AddSingleton<Telemetry.BreakerMetrics>();
        services.AddSingleton<Telemetry.ConfigMetrics>();
        TelemetrySetup.Add(services, config, options);
        services.AddSingleton<TenantDirectory>();
        AddAdmission(services, config.Shared, options.Time);
        services.AddSingleton<IGatewayStore>(sp => config.Store.DatabaseUrl is { } databaseUrl
            ? new Storage.Postgres.PostgresGatewayStore(databaseUrl)
            : new SqliteGatewayStore(options.SqlitePath ?? config.Store.SqlitePath));
        services.AddSingleton<TenancyService>();
        services.AddSingleton(sp => new SpendWriter(sp.GetRequiredService<IGatewayStore>(), config.Store.SpendFlushInterval, config.Store.SpendBatchSize, options.Time, sp.GetRequiredService<ILogger<SpendWriter>>(),
            Tenancy.Journal.SpendJournalOptions.From(config.Store, options.SqlitePath)));
        services.AddSingleton<Deployments.StoredModelService>();
        services.AddHostedService(sp => new StoreInitializer(sp.GetRequiredService<TenancyService>(), sp.GetRequiredService<SpendWriter>(), sp.GetRequiredService<GatewayState>(), sp.GetRequiredService<Deployments.StoredModelService>()));
        services.AddHostedService<DirectoryRefresher>();
        services.AddHostedService(sp => sp.GetRequiredService<SpendWriter>());
        services.AddSingleton(sp => new Audit.AuditWriter(sp.GetRequiredService<IGatewayStore>(), config.Store.SpendFlushInterval, options.Time, sp.GetRequiredService<ILogger<Audit.AuditWriter>>()));
        services.AddHostedService(sp => sp.GetRequiredService<Audit.AuditWriter>());
        services.AddSingleton<SpendRetention>();
        services.AddHostedService(sp => sp.GetRequiredService<SpendRetention>());
        services.AddSingleton(sp => new AccessLog.AccessLogWriter(sp.GetRequiredService<GatewayState>(), options.Time, options.Random, options.AccessLogSink, sp.GetRequiredService<ILogger<AccessLog.AccessLogWriter>>()));
        services.AddHostedService(sp => sp.GetRequiredService<AccessLog.AccessLogWriter>());
        services.AddSingleton<Dashboard.SessionCookie>();
        services.AddSingleton<Authenticator>();
        services.AddSingleton(sp => new Dashboard.DashboardRecorder(options.Time));
        services.AddSingleton<Dashboard.ReloadHistory>();
        services.AddSingleton<Dashboard.DashboardData>();
        services.AddSingleton<Dashboard.SessionEndpoints>();
        services.AddSingleton<Dashboard.DashboardAssets>();
        services.AddSingleton<Callbacks.CallbackWebhook>();
        services.AddHostedService(sp => sp.GetRequiredService<Callbacks.CallbackWebhook>());
        services.AddSingleton<UsageRecorder>();
        services.AddSingleton<AdminEndpoints>();
        services.AddSingleton<Providers.Abstractions.IIngressCodec, Providers.Anthropic.Ingress.MessagesCodec>();
        services.AddSingleton<Ingress.IngressCodecs>();
        services.AddSingleton<Providers.Abstractions.IIngressCodec>(sp => new Providers.OpenAI.Responses.ResponsesCodec(options.Time));
        services.AddSingleton<Ingress.ResponseStore>();
        services.AddSingleton<ResponsesEndpoints>();
        services.AddSingleton(sp => new Caching.ResponseCacheService(sp.GetRequiredService<Core.Telemetry.GatewayTelemetry>(), options.Time, sp.GetRequiredService<ILogger<Caching.ResponseCacheService>>()) { SharedPrefix = config.Shared.KeyPrefix });
        services.AddSingleton<InferenceEndpoint>();
        services.AddSingleton<Operations.AlertService>();
        services.AddHostedService(sp => sp.GetRequiredService<Operations.AlertService>());
        services.AddSingleton(sp => new Operations.ConfigReloader(sp.GetRequiredService<GatewayState>(), sp.GetRequiredService<TenancyService>(), sp.GetRequiredService<Operations.AlertService>(), options.Time, sp.GetRequiredService<ILogger<Operations.ConfigReloader>>()) { ConfigPath = options.ConfigPath ?? config.SourcePath, HostOverride = options.HostOverride, PortOverride = options.PortOverride, History = sp.GetRequiredService<Dashboard.ReloadHistory>() });
        services.AddHostedService(sp => sp.GetRequiredService<Operations.ConfigReloader>());
        services.AddSingleton<Operations.OperationsEndpoints>();
        services.AddHostedService<Operations.Canaries.CanaryAutoRollback>();
        services.AddSingleton<ModelsEndpoint>();
        services.AddSingleton<HealthEndpoints>();
        services.AddHostedService<StartupNotices>();

        // Clear tokens leave the request target before the host, routing, logs or traces see it (RequestSecrets).
        var server = services.LastOrDefault(d => d.ServiceType == typeof(Microsoft.AspNetCore.Hosting.Server.IServer) && d.ImplementationType is not null)
            ?? throw new InvalidOperationException("no server registered");
        services.AddSingleton(server.ImplementationType!);
        services.AddSingleton<Microsoft.AspNetCore.Hosting.Server.IServer>(sp => new SecretTargetServer((Microsoft.AspNetCore.Hosting.Server.IServer)sp.GetRequiredService(server.ImplementationType!)));

        options.ConfigureServices?.Invoke(services);
        var app = builder.Build();
        app.Services.GetRequiredService<Telemetry.BreakerMetrics>();
        app.Services.GetRequiredService<Telemetry.ConfigMetrics>();
        app.Services.GetRequiredService<Telemetry.SharedStateMetrics>();
        UnpricedDeployments.Warn(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Switchyard.Startup"), config);
        app.UseMiddleware<GatewayMiddleware>();
        app.UseMiddleware<Audit.AuditMiddleware>();
        app.Use((c, next) =>
        {
            // the dashboard's security headers (CSP, nosniff, no-referrer, DENY, no-store) on every /ui answer
            if (c.Request.Path.StartsWithSegments("/ui", StringComparison.OrdinalIgnoreCase))
            {
                Dashboard.DashboardAssets.SecureHeaders(c.Response);
            }

            return next(c);
        });
        if (config.Telemetry.Prometheus)
        {
            app.MapPrometheusScrapingEndpoint("/metrics");
        }

        Map(app);
        return app;
    }

    /// <summary>
    /// Admission in process, or with Redis configured (and limits or budgets shared) through the shared limiter, behind
    /// its breaker and on_redis_failure. Read at start: changing switchyard.shared takes a restart.
    /// </summary>
    private static void AddAdmission(IServiceCollection services, SharedStateSettings shared, TimeProvider time)
    {
        services.AddSingleton<Telemetry.SharedStateMetrics>();
        if (shared.UsesRedis && (shared.Limits || shared.Budgets))
        {
            services.AddSingleton(sp => RedisSharedAdmission.Connect(shared, time));
            services.AddSingleton(sp => new AdmissionController(time, sp.GetRequiredService<RedisSharedAdmission>(), shared));
            return;
        }

        services.AddSingleton(sp => new AdmissionController(time));
    }

    private static void Map(WebApplication app)
    {
        var inference = app.Services.GetRequiredService<InferenceEndpoint>();
        var models = app.Services.GetRequiredService<ModelsEndpoint>();
        var storedResponses = app.Services.GetRequiredService<ResponsesEndpoints>();
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
            Route("POST", prefix + "/completions", c => inference.HandleAsync(c, OperationKind.Completions));
            Route("POST", prefix + "/images/generations", c => inference.HandleAsync(c, OperationKind.ImageGeneration));
            Route("POST", prefix + "/moderations", c => inference.HandleAsync(c, OperationKind.Moderations));
            Route("POST", prefix + "/rerank", c => inference.HandleAsync(c, OperationKind.Rerank));
            Route("POST", prefix + "/messages", c => inference.HandleAsync(c, OperationKind.Messages));
            Route("POST", prefix + "/messages/count_tokens", inference.HandleCountTokensAsync);
            Route("POST", prefix + "/responses", c => inference.HandleAsync(c, OperationKind.Responses));
            Route("GET", prefix + "/responses/{id}", storedResponses.GetAsync);
            Route("DELETE", prefix + "/responses/{id}", storedResponses.DeleteAsync);
            Route("GET", prefix + "/models", models.HandleAsync);
            Route("GET", prefix + "/models/{id}", models.HandleOneAsync);
        }

        Route("POST", "/v2/rerank", c => inference.HandleAsync(c, OperationKind.Rerank)); // Cohere's v2 path, as LiteLLM serves it

        Route("GET", "/health/liveliness", HealthEndpoints.Liveliness);
        Route("GET", "/health/liveness", HealthEndpoints.Liveliness);
        Route("GET", "/health/readiness", health.Readiness);
        Route("GET", "/health", health.Deployments);

        var admin = app.Services.GetRequiredService<AdminEndpoints>();
        Route("POST", "/key/generate", admin.GenerateKey);
        Route("POST", "/key/update", admin.UpdateKey);
        Route("POST", "/key/delete", admin.DeleteKeys);
        Route("POST", "/key/regenerate", admin.RegenerateKey);
        Route("POST", "/key/{key}/regenerate", admin.RegenerateKey);
        Route("GET", "/key/info", admin.KeyInfo);
        Route("GET", "/key/list", admin.ListKeys);
        Route("POST", "/team/new", admin.NewTeam);
        Route("POST", "/team/update", admin.UpdateTeam);
        Route("POST", "/team/delete", admin.DeleteTeams);
        Route("GET", "/team/info", admin.TeamInfo);
        Route("GET", "/team/list", admin.ListTeams);
        Route("POST", "/team/member_add", admin.AddTeamMembers);
        Route("POST", "/team/member_delete", admin.DeleteTeamMember);
        Route("POST", "/user/new", admin.NewUser);
        Route("POST", "/user/update", admin.UpdateUser);
        Route("POST", "/user/delete", admin.DeleteUsers);
        Route("GET", "/user/info", admin.UserInfo);
        Route("GET", "/user/list", admin.ListUsers);
        Route("GET", "/team/usage", admin.TeamUsage);
        Route("GET", "/spend/logs", admin.SpendLogs);
        Route("GET", "/spend/summary", admin.SpendSummary);
        Route("GET", "/global/spend/report", admin.SpendReport);
        Route("POST", "/model/new", admin.NewModel);
        Route("POST", "/model/update", admin.UpdateModel);
        Route("POST", "/model/delete", admin.DeleteModel);
        Route("GET", "/model/info", admin.ModelInfo);
        Route("GET", "/v1/model/info", admin.ModelInfo);
        Route("GET", "/audit/log", admin.AuditLog);
        Route("GET", "/ui/api/tenants", admin.TenantsPage);
        Route("GET", "/ui/api/spend", admin.SpendPage);
        var operations = app.Services.GetRequiredService<Operations.OperationsEndpoints>();
        Route("POST", "/config/reload", operations.Reload);
        Route("GET", "/config", operations.ShowConfig);
        Route("POST", "/alias/promote", operations.Promote);
        Route("POST", "/alias/rollback", operations.Rollback);
        Route("POST", "/alias/finalize", operations.Finalize);
        Route("GET", "/alias/status", operations.AliasStatus);

        var dashboard = app.Services.GetRequiredService<Dashboard.DashboardData>();
        Route("GET", "/ui/api/overview", dashboard.Overview);
        Route("GET", "/ui/api/routes", dashboard.Routes);
        Route("GET", "/ui/api/failures", dashboard.Failures);
        Route("GET", "/ui/api/calls/{correlation_id}", dashboard.Call);
        Route("GET", "/ui/api/reloads", dashboard.Reloads);
        // The dashboard (docs/dashboard.md): sign-in, its embedded files, and the one HTML shell for every page path.
        var session = app.Services.GetRequiredService<Dashboard.SessionEndpoints>();
        Route("POST", "/ui/session", session.SignIn);
        Route("GET", "/ui/session", session.Read);
        Route("DELETE", "/ui/session", session.SignOut);
        var assets = app.Services.GetRequiredService<Dashboard.DashboardAssets>();
        Route("GET", "/ui/assets/{**file}", assets.Asset);
        Route("GET", "/ui", assets.Shell);
        Route("GET", "/ui/{**page}", assets.Shell);

        Route("GET", "/routes", new RoutesEndpoint(app.Services.GetRequiredService<Authenticator>(), methods).HandleAsync);

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
