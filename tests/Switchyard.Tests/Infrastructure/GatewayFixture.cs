using System.ClientModel;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using OpenAI;
using OpenAI.Chat;
using Switchyard.Core.Config;
using Switchyard.Hosting;

namespace Switchyard.Tests.Infrastructure;

/// <summary>A real gateway on Kestrel (loopback, port 0) built from YAML text, with clients pointed at it.</summary>
public sealed class GatewayFixture : IAsyncDisposable
{
    public const string MasterKey = "sk-test-master-key-0001";

    private GatewayFixture(WebApplication app, GatewayConfig config, string baseUrl, TestLogSink logs, string sqlitePath, string? configPath = null, MemoryAccessLogSink? accessLog = null)
    {
        AccessLog = accessLog ?? new MemoryAccessLogSink();
        App = app;
        ConfigPath = configPath;
        Config = config;
        BaseUrl = baseUrl;
        Logs = logs;
        SqlitePath = sqlitePath;
        Http = new HttpClient { BaseAddress = new Uri(baseUrl) };
        Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", MasterKey);
        Bare = new HttpClient { BaseAddress = new Uri(baseUrl) };
    }

    public WebApplication App { get; }

    public GatewayConfig Config { get; }

    public string BaseUrl { get; }

    public HttpClient Http { get; }

    /// <summary>A client without default headers: each request says which token it presents (or none).</summary>
    public HttpClient Bare { get; }

    /// <summary>The SQLite file of this gateway (fresh per fixture unless given to <see cref="StartAsync"/>).</summary>
    public string SqlitePath { get; }

    public TestLogSink Logs { get; }

    /// <summary>The access-log lines this gateway wrote (switchyard.access_log; written off the request thread, so wait for them).</summary>
    public MemoryAccessLogSink AccessLog { get; }

    /// <summary>The config file reloads read (set by <see cref="StartFromFileAsync"/>; null for gateways built from text).</summary>
    public string? ConfigPath { get; }

    public T Service<T>() where T : notnull => App.Services.GetRequiredService<T>();

    /// <summary>A fresh SQLite path under the temp folder (for restarts that reuse one file).</summary>
    public static string NewSqlitePath() => Path.Combine(Path.GetTempPath(), "switchyard-tests", Guid.NewGuid().ToString("N") + ".db");

    /// <summary>
    /// Starts a gateway. The YAML gets general_settings.master_key appended unless it has general_settings.
    /// <paramref name="sqlitePath"/> reuses a store file (a restart); default is a fresh file. <paramref name="tracing"/> and
    /// <paramref name="metrics"/> go to <see cref="GatewayHostOptions.ConfigureTracing"/> / <see cref="GatewayHostOptions.ConfigureMetrics"/>.
    /// <paramref name="configure"/> changes the loaded config (settings whose YAML another change brings, such as a database_url).
    /// </summary>
    public static Task<GatewayFixture> StartAsync(string yaml, TimeProvider? time = null, IDictionary<string, string>? env = null, string? sqlitePath = null,
        Action<OpenTelemetry.Trace.TracerProviderBuilder>? tracing = null, Action<OpenTelemetry.Metrics.MeterProviderBuilder>? metrics = null,
        Action<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>? kestrel = null, Func<GatewayConfig, GatewayConfig>? configure = null)
    {
        var config = ConfigLoader.Load(WithMasterKey(yaml), Path.GetTempPath(), name => env is not null && env.TryGetValue(name, out var v) ? v : null);
        config = configure?.Invoke(config) ?? config;
        return StartCoreAsync(config, null, time, sqlitePath, tracing, metrics, kestrel: kestrel);
    }

    /// <summary>
    /// Starts a gateway from a real file (a fresh temp folder holding config.yaml), loaded with
    /// <see cref="ConfigLoader.LoadFile"/> and passed as <see cref="GatewayHostOptions.ConfigPath"/>, so
    /// POST /config/reload, the file watcher and POST /alias/promote work on it. Rewrite it with <see cref="WriteConfig"/>.
    /// </summary>
    /// <paramref name="everyCategory"/> captures every category at Trace, overriding the gateway's own category filters
    /// (as an operator's provider-specific logging configuration can).
    public static Task<GatewayFixture> StartFromFileAsync(string yaml, TimeProvider? time = null, string? sqlitePath = null,
        Action<OpenTelemetry.Trace.TracerProviderBuilder>? tracing = null, Action<OpenTelemetry.Metrics.MeterProviderBuilder>? metrics = null, bool everyCategory = false)
    {
        var folder = Path.Combine(Path.GetTempPath(), "switchyard-tests", "cfg-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, "config.yaml");
        File.WriteAllText(path, WithMasterKey(yaml));
        var config = ConfigLoader.LoadFile(path);
        return StartCoreAsync(config, path, time, sqlitePath, tracing, metrics, everyCategory);
    }

    /// <summary>Replaces the config file's text (with the master key appended as at start); nothing reloads until asked.</summary>
    public void WriteConfig(string yaml, bool addMasterKey = true)
    {
        Assert.NotNull(ConfigPath);
        File.WriteAllText(ConfigPath, addMasterKey ? WithMasterKey(yaml) : yaml);
    }

    private static string WithMasterKey(string yaml)
        => yaml.Contains("general_settings:", StringComparison.Ordinal) ? yaml : yaml + $"\ngeneral_settings:\n  master_key: {MasterKey}\n";

    private static async Task<GatewayFixture> StartCoreAsync(GatewayConfig config, string? configPath, TimeProvider? time, string? sqlitePath,
        Action<OpenTelemetry.Trace.TracerProviderBuilder>? tracing, Action<OpenTelemetry.Metrics.MeterProviderBuilder>? metrics, bool everyCategory = false,
        Action<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>? kestrel = null)
    {
        var logs = new TestLogSink();
        var accessLog = new MemoryAccessLogSink();
        var app = GatewayHost.Build(config, new GatewayHostOptions
        {
            AccessLogSink = accessLog,
            Url = "http://127.0.0.1:0",
            Time = time ?? TimeProvider.System,
            ConfigureLogging = l =>
            {
                l.AddProvider(logs).SetMinimumLevel(LogLevel.Trace);
                if (everyCategory)
                {
                    l.AddFilter<TestLogSink>(null, LogLevel.Trace);
                }
            },
            SqlitePath = sqlitePath ??= NewSqlitePath(),
            ConfigPath = configPath,
            ConfigureTracing = tracing,
            ConfigureMetrics = metrics,
            ConfigureKestrel = kestrel,
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new GatewayFixture(app, config, address.TrimEnd('/'), logs, sqlitePath, configPath, accessLog);
    }

    /// <summary>The official OpenAI .NET SDK pointed at the gateway (its own retries off, so tests see each answer).</summary>
    public ChatClient Chat(string model, string? key = MasterKey, int maxRetries = 0)
        => new(model, new ApiKeyCredential(key ?? "none"), new OpenAIClientOptions
        {
            Endpoint = new Uri(BaseUrl + "/v1"),
            RetryPolicy = new System.ClientModel.Primitives.ClientRetryPolicy(maxRetries),
        });

    public OpenAIClient Client(string? key = MasterKey)
        => new(new ApiKeyCredential(key ?? "none"), new OpenAIClientOptions
        {
            Endpoint = new Uri(BaseUrl + "/v1"),
            RetryPolicy = new System.ClientModel.Primitives.ClientRetryPolicy(0),
        });

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        Bare.Dispose();
        await App.StopAsync(TimeSpan.FromSeconds(2));
        await App.DisposeAsync();
    }
}
