using System.CommandLine;
using System.Text.Json;
using Switchyard.Cli.Doctor;

namespace Switchyard.Cli;

/// <summary>
/// <c>switchyard doctor [--config PATH] [--url URL] [--probe] [--json]</c>: exits 1 when any finding is an error. With
/// two or more <c>--url</c>, it compares those replicas instead (<see cref="ReplicaChecks"/>): config hash, version,
/// store and Redis, and exits 1 on drift.
/// </summary>
public static class DoctorCommand
{
    public static Command Create()
    {
        var config = new Option<string?>("--config", "-c") { Description = "Config file (default: $SWITCHYARD_CONFIG, else the embedded default)" };
        var url = new Option<string[]>("--url")
        {
            Description = "Where clients call the gateway (default: the config's host and port); give it twice or more to compare replicas",
            Arity = ArgumentArity.OneOrMore,
        };
        var probe = new Option<bool>("--probe") { Description = "Send a one-token request to every provider deployment (costs a request each)" };
        var json = new Option<bool>("--json") { Description = "Machine-readable output" };
        var serviceUser = new Option<string?>("--service-user") { Description = "The user the gateway runs as, for the ownership of secret and store files (default: the installed service's, else whoever runs doctor)" };
        var command = new Command("doctor", "Diagnose config, aliases, secrets, ports, store, clock and (opt-in) providers") { config, url, probe, json, serviceUser };
        command.SetAction(async (p, ct) =>
        {
            var urls = p.GetValue(url) ?? [];
            if (urls.Length > 1)
            {
                return await CompareReplicasAsync(urls, p.GetValue(json), ct);
            }

            var path = ServeCommand.ResolveConfigPath(p.GetValue(config));
            var (loaded, findings) = DoctorChecks.Config(path);
            if (loaded is not null)
            {
                findings.AddRange(DoctorChecks.Aliases(loaded));
                findings.AddRange(RegionCheck.Run(loaded));
                findings.AddRange(DoctorChecks.MasterKeys(loaded));
                findings.AddRange(OfflineStandbyCheck.Run(loaded));
                findings.AddRange(DoctorChecks.SecretFiles(loaded, DoctorChecks.ServiceUser.Resolve(p.GetValue(serviceUser))));
                var port = (await DoctorChecks.PortAsync(loaded, urls.SingleOrDefault(), ct)).ToList();
                findings.AddRange(port);
                if (port.Any(f => f.Id == "SY132") && LiveUrl(loaded, urls.SingleOrDefault()) is { } live)
                {
                    findings.AddRange(await LiveConfigCheck.RunAsync(path, live, ct));
                }
                findings.AddRange(DoctorChecks.Store(loaded));
                findings.AddRange(await StoredModelsCheck.RunAsync(loaded, ct));
                if (p.GetValue(probe))
                {
                    findings.AddRange(await DoctorChecks.ProbeAsync(loaded, ct));
                }
            }

            findings.AddRange(DoctorChecks.Clock());
            return Print(findings, p.GetValue(json));
        });
        return command;
    }

    private static async Task<int> CompareReplicasAsync(string[] urls, bool json, CancellationToken ct)
    {
        var parsed = new List<Uri>();
        foreach (var text in urls)
        {
            var (u, error) = GatewayUrl.Parse(text, "--url");
            if (u is null)
            {
                await Console.Error.WriteLineAsync("switchyard: " + error);
                return 2;
            }

            parsed.Add(u);
        }

        var replicas = await ReplicaChecks.ReadAsync(parsed, ct);
        var findings = ReplicaChecks.Compare(replicas);
        if (json)
        {
            return Print([.. findings], json: true);
        }

        Console.Write(ReplicaChecks.Table(replicas));
        Console.WriteLine();
        return Print(findings.Where(f => f.Id != "SY190").ToList(), json: false);
    }

    /// <summary>Writes the findings (errors first) and returns the exit code: 1 when any is an error.</summary>
    private static int Print(List<Finding> findings, bool json)
    {
        var errors = findings.Count(f => f.Severity == Finding.Error);
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(findings.Select(f => new Dictionary<string, string> { ["id"] = f.Id, ["severity"] = f.Severity, ["message"] = f.Message, ["fix"] = f.Fix }).ToArray(),
                DoctorJson.Default.DictionaryStringStringArray));
        }
        else
        {
            foreach (var f in findings.OrderBy(f => f.Severity switch { Finding.Error => 0, Finding.Warn => 1, _ => 2 }))
            {
                Console.WriteLine($"{f.Severity.ToUpperInvariant(),-5} {f.Id}  {f.Message}");
                if (f.Fix.Length > 0)
                {
                    Console.WriteLine($"            fix: {f.Fix}");
                }
            }

            Console.WriteLine($"{errors} error(s), {findings.Count(f => f.Severity == Finding.Warn)} warning(s)");
        }

        return errors > 0 ? 1 : 0;
    }

    /// <summary>The gateway doctor talks to, as <see cref="DoctorChecks.PortAsync"/> chose it.</summary>
    private static Uri? LiveUrl(Core.Config.GatewayConfig config, string? url)
        => GatewayUrl.Parse(url ?? Environment.GetEnvironmentVariable(GatewayUrl.EnvironmentVariable) ?? $"http://{config.Server.Host}:{config.Server.Port}", "url").Url;
}

[System.Text.Json.Serialization.JsonSerializable(typeof(Dictionary<string, string>[]))]
[System.Text.Json.Serialization.JsonSourceGenerationOptions(WriteIndented = true)]
internal sealed partial class DoctorJson : System.Text.Json.Serialization.JsonSerializerContext;
