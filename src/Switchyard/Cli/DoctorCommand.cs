using System.CommandLine;
using System.Text.Json;
using Switchyard.Cli.Doctor;

namespace Switchyard.Cli;

/// <summary><c>switchyard doctor [--config PATH] [--url URL] [--probe] [--json]</c>: exits 1 when any finding is an error.</summary>
public static class DoctorCommand
{
    public static Command Create()
    {
        var config = new Option<string?>("--config", "-c") { Description = "Config file (default: $SWITCHYARD_CONFIG, else the embedded default)" };
        var url = new Option<string?>("--url") { Description = "Where clients call the gateway (default: the config's host and port)" };
        var probe = new Option<bool>("--probe") { Description = "Send a one-token request to every provider deployment (costs a request each)" };
        var json = new Option<bool>("--json") { Description = "Machine-readable output" };
        var serviceUser = new Option<string?>("--service-user") { Description = "The user the gateway runs as, for the ownership of secret and store files (default: the installed service's, else whoever runs doctor)" };
        var command = new Command("doctor", "Diagnose config, aliases, secrets, ports, store, clock and (opt-in) providers") { config, url, probe, json, serviceUser };
        command.SetAction(async (p, ct) =>
        {
            var path = ServeCommand.ResolveConfigPath(p.GetValue(config));
            var (loaded, findings) = DoctorChecks.Config(path);
            if (loaded is not null)
            {
                findings.AddRange(DoctorChecks.Aliases(loaded));
                findings.AddRange(DoctorChecks.SecretFiles(loaded, DoctorChecks.ServiceUser.Resolve(p.GetValue(serviceUser))));
                findings.AddRange(await DoctorChecks.PortAsync(loaded, p.GetValue(url), ct));
                findings.AddRange(DoctorChecks.Store(loaded));
                if (p.GetValue(probe))
                {
                    findings.AddRange(await DoctorChecks.ProbeAsync(loaded, ct));
                }
            }

            findings.AddRange(DoctorChecks.Clock());
            var errors = findings.Count(f => f.Severity == Finding.Error);
            if (p.GetValue(json))
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
        });
        return command;
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(Dictionary<string, string>[]))]
[System.Text.Json.Serialization.JsonSourceGenerationOptions(WriteIndented = true)]
internal sealed partial class DoctorJson : System.Text.Json.Serialization.JsonSerializerContext;
