using System.CommandLine;
using System.Text;
using System.Text.Json;
using Switchyard.Core.Config;
using Switchyard.Operations;

namespace Switchyard.Cli;

/// <summary>
/// <c>switchyard config show [--redacted] [--config PATH | --live [--url URL] [--token-file FILE]]</c>: the effective
/// config as JSON with every secret replaced by a marker, from a file (resolved in this shell's environment) or from the
/// running gateway (<c>GET /config</c>, global admin), in the same shape, so that on-call can diff one against the other.
/// There is no unredacted form: <c>--redacted</c> only says so out loud.
/// </summary>
public static class ConfigCommand
{
    public static Command Create()
    {
        var config = new Option<string?>("--config", "-c") { Description = "Config file (default: $SWITCHYARD_CONFIG, else the embedded default)" };
        var redacted = new Option<bool>("--redacted") { Description = "Replace every secret by " + EffectiveConfig.Marker + " (always done; there is no unredacted form)" };
        var live = new Option<bool>("--live") { Description = "Show the running gateway's config (GET /config) instead of the file's" };
        var url = new Option<string?>("--url") { Description = "Gateway base URL for --live (default $SWITCHYARD_URL, else http://127.0.0.1:4000)" };
        var tokenFile = new Option<string?>("--token-file") { Description = "File holding an admin token for --live (default $SWITCHYARD_TOKEN_FILE, $SWITCHYARD_TOKEN, ~/.switchyard/master.key)" };
        var show = new Command("show", "Print the effective config (defaults applied, secrets redacted) as JSON") { config, redacted, live, url, tokenFile };
        show.SetAction(async (p, ct) => p.GetValue(live)
            ? await ShowLiveAsync(p.GetValue(url), p.GetValue(tokenFile), ct)
            : ShowFile(ServeCommand.ResolveConfigPath(p.GetValue(config))));
        var command = new Command("config", "Inspect the configuration");
        command.Subcommands.Add(show);
        return command;
    }

    private static int ShowFile(string path)
    {
        GatewayConfig loaded;
        try
        {
            loaded = ConfigLoader.LoadFile(path);
        }
        catch (ConfigException e)
        {
            Console.Error.WriteLine($"switchyard: {path} is not a valid config:");
            foreach (var error in e.Errors)
            {
                Console.Error.WriteLine("  error: " + error);
            }

            return 2;
        }

        Console.WriteLine(Encoding.UTF8.GetString(EffectiveConfig.Render(loaded)));
        return 0;
    }

    private static async Task<int> ShowLiveAsync(string? url, string? tokenFile, CancellationToken ct)
    {
        using var client = AdminClient.Create(url, tokenFile, Console.Error);
        if (client is null)
        {
            return 2;
        }

        try
        {
            var (status, answer) = await client.GetAsync("/config", ct);
            if (status is < 200 or >= 300 || answer is null)
            {
                var error = answer?["error"];
                await Console.Error.WriteLineAsync($"switchyard: {status} {error?["code"]}: {error?["message"] ?? "no answer"}");
                return 1;
            }

            Console.WriteLine(answer.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            return 0;
        }
        catch (HttpRequestException e)
        {
            await Console.Error.WriteLineAsync($"switchyard: cannot reach the gateway at {client.BaseUrl} ({e.Message}); is it running? (--url, SWITCHYARD_URL)");
            return 3;
        }
    }
}
