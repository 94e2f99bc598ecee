using System.CommandLine;
using Switchyard.Core.Config;
using Switchyard.Hosting;

namespace Switchyard.Cli;

/// <summary><c>switchyard serve [--config PATH] [--host H] [--port N]</c>, the default verb.</summary>
public static class ServeCommand
{
    public static readonly Option<string?> ConfigOption = new("--config", "-c") { Description = "Config file (default: $SWITCHYARD_CONFIG, else the embedded default)" };
    public static readonly Option<string?> HostOption = new("--host") { Description = "Address to bind (default 127.0.0.1)" };
    public static readonly Option<int?> PortOption = new("--port", "-p") { Description = "Port to bind (default 4000)" };
    public static readonly Option<string> LogFormatOption = new("--log-format") { Description = "json (default) or text", DefaultValueFactory = _ => Environment.GetEnvironmentVariable("SWITCHYARD_LOG_FORMAT") ?? "json" };

    public static Command Create()
    {
        var command = new Command("serve", "Run the gateway");
        Configure(command);
        return command;
    }

    public static void Configure(Command command)
    {
        command.Options.Add(ConfigOption);
        command.Options.Add(HostOption);
        command.Options.Add(PortOption);
        command.Options.Add(LogFormatOption);
        command.SetAction((parse, ct) => RunAsync(parse.GetValue(ConfigOption), parse.GetValue(HostOption), parse.GetValue(PortOption), parse.GetValue(LogFormatOption)!, ct));
    }

    public static string ResolveConfigPath(string? explicitPath)
        => explicitPath ?? (Environment.GetEnvironmentVariable("SWITCHYARD_CONFIG") is { Length: > 0 } env ? env : DefaultConfigPath);

    public static string DefaultConfigPath => Path.Combine(AppContext.BaseDirectory, "config", "default.yaml");

    private static async Task<int> RunAsync(string? configPath, string? host, int? port, string logFormat, CancellationToken ct)
    {
        var path = ResolveConfigPath(configPath);
        GatewayConfig config;
        try
        {
            config = ConfigLoader.LoadFile(path);
        }
        catch (ConfigException e)
        {
            await Console.Error.WriteLineAsync($"switchyard: {path} is not a valid config:");
            foreach (var error in e.Errors)
            {
                await Console.Error.WriteLineAsync("  error: " + error);
            }

            return 2;
        }

        config = config with { Server = config.Server with { Host = host ?? config.Server.Host, Port = port ?? config.Server.Port } };
        if (config.Auth.MasterKeys.Any(k => k.IsShort) && MasterKey.ShortKeyRefusal(config.Server.Host) is { } refusal)
        {
            // the file said loopback, --host did not
            await Console.Error.WriteLineAsync($"switchyard: refusing to start: {refusal} (--host {config.Server.Host})");
            return 2;
        }

        foreach (var w in config.Warnings)
        {
            await Console.Error.WriteLineAsync("switchyard: warning: " + w);
        }

        foreach (var n in config.Notices)
        {
            await Console.Error.WriteLineAsync("switchyard: info: " + n);
        }

        WebApplication app;
        try
        {
            app = GatewayHost.Build(config, new GatewayHostOptions { LogFormat = logFormat, ConfigPath = path, HostOverride = host, PortOverride = port });
        }
        catch (Core.Tenancy.StoreUnavailableException e)
        {
            await Console.Error.WriteLineAsync($"switchyard: failed to start: {e.Message}");
            return 1;
        }

        await Console.Error.WriteLineAsync($"switchyard: config {path}; {config.Deployments.Count(d => d.Enabled)} of {config.Deployments.Count} deployments enabled; starting on http://{config.Server.Host}:{config.Server.Port}");
        if (config.Auth.MasterKeyFile is { } keyFile && config.Auth.MasterKeys.Count == 1)
        {
            await Console.Error.WriteLineAsync($"switchyard: master key is in {keyFile}");
        }

        try
        {
            await app.RunAsync(ct);
        }
        catch (IOException e) when (e.InnerException is System.Net.Sockets.SocketException || e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
        {
            await Console.Error.WriteLineAsync($"switchyard: cannot listen on {config.Server.Host}:{config.Server.Port}: {e.Message}");
            return 3;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or Microsoft.Data.Sqlite.SqliteException)
        {
            await Console.Error.WriteLineAsync($"switchyard: failed to start: {e.Message}");
            return 1;
        }

        return 0;
    }
}
