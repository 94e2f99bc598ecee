using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Microsoft.Data.Sqlite;
using Switchyard.Core.Config;
using Switchyard.Core.Correlation;
using Switchyard.Core.Requests;
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

namespace Switchyard.Cli.Doctor;

/// <summary>
/// The checks behind <c>switchyard doctor</c>, each turning what it sees into findings with an id, a severity and a fix.
/// They cover the seed playbook's troubleshooting cases: 502 loops (is the gateway where clients are told to call?),
/// 429 storms (limits, breakers), alias not found (case drift, unreachable aliases), silent cost spikes (prices).
/// </summary>
public static class DoctorChecks
{
    public static (GatewayConfig? Config, List<Finding> Findings) Config(string path)
    {
        var findings = new List<Finding>();
        try
        {
            var config = ConfigLoader.LoadFile(path);
            findings.Add(new Finding("SY100", Finding.Info, $"config {path} is valid: {config.Deployments.Count(d => d.Enabled)} of {config.Deployments.Count} deployments enabled", ""));
            foreach (var w in config.Warnings)
            {
                var unsupported = w.Message.StartsWith("unsupported key", StringComparison.Ordinal);
                findings.Add(new Finding(unsupported ? "SY102" : "SY103", Finding.Warn, w.ToString(),
                    unsupported ? "remove the key or move the setting to a supported one (docs/configuration.md)" : "set the missing secret, or remove what needs it"));
            }

            foreach (var n in config.Notices)
            {
                findings.Add(new Finding("SY104", Finding.Info, n.ToString(), ""));
            }

            return (config, findings);
        }
        catch (ConfigException e)
        {
            foreach (var error in e.Errors)
            {
                findings.Add(new Finding("SY101", Finding.Error, error.ToString(), "fix the file at that path; the gateway refuses to start (or to reload) until then"));
            }

            return (null, findings);
        }
    }

    public static IEnumerable<Finding> Aliases(GatewayConfig config)
    {
        var names = config.Deployments.Select(d => d.ModelName).Distinct().Concat(config.Router.ModelGroupAlias.Keys).Distinct().ToArray();
        foreach (var clash in names.GroupBy(n => n, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
        {
            yield return new Finding("SY110", Finding.Warn, $"names differ only in case: {string.Join(", ", clash)}",
                "keep one spelling; agents that send the other get 404 (alias lookups are exact)");
        }

        var enabledGroups = config.Deployments.Where(d => d.Enabled).Select(d => d.ModelName).ToHashSet(StringComparer.Ordinal);
        foreach (var group in config.Deployments.Select(d => d.ModelName).Distinct().Where(g => !enabledGroups.Contains(g)))
        {
            yield return new Finding("SY111", Finding.Error, $"model group '{group}' has no enabled deployment; calls answer 503",
                "set the provider keys its deployments need, or add an offline_standby deployment");
        }

        foreach (var (alias, target) in config.Router.ModelGroupAlias.Where(a => !enabledGroups.Contains(a.Value)))
        {
            yield return new Finding("SY112", Finding.Error, $"alias '{alias}' points at '{target}', which has no enabled deployment",
                "fix the group's deployments or point the alias elsewhere");
        }

        foreach (var d in config.Deployments.Where(Core.Usage.PriceTable.IsUnpriced))
        {
            yield return new Finding("SY113", Finding.Warn, $"deployment {d.Id} ({d.QualifiedModel}) has no price; its spend counts as $0",
                "set model_info.input_cost_per_token and output_cost_per_token so budgets and cost alerts see it");
        }
    }

    /// <summary>
    /// Secret files (file: references, the master key file) and the store's files: readable by their owner alone, and
    /// owned by the user the service runs as (<paramref name="service"/>: --service-user, else the installed unit's
    /// User=, else whoever runs doctor), who must be able to read them.
    /// </summary>
    public static IEnumerable<Finding> SecretFiles(GatewayConfig config, ServiceUser service)
    {
        if (OperatingSystem.IsWindows())
        {
            yield break;
        }

        if (service.Uid is null)
        {
            yield return new Finding("SY122", Finding.Error, $"the service user {service.Name} ({service.Source}) does not exist on this machine",
                "create it (switchyard install does) or name the right one with --service-user");
        }

        var store = config.Store.DatabaseUrl is null ? new[] { config.Store.SqlitePath, config.Store.SqlitePath + "-wal", config.Store.SqlitePath + "-shm" } : [];
        foreach (var (file, kind) in config.SecretFiles.Select(f => (f, "secret file")).Concat(store.Select(f => (f, "store file"))))
        {
            if (!File.Exists(file))
            {
                continue;
            }

            var mode = File.GetUnixFileMode(file);
            var loose = (mode & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute)) != 0;
            if (loose)
            {
                yield return new Finding(kind == "store file" ? "SY145" : "SY120", Finding.Warn, $"{kind} {file} is readable by others (mode {Convert.ToString((int)mode, 8)})", $"chmod 600 {file}");
            }

            if (service.Uid is not null && FileOwner(file) is { } owner && owner != service.Uid)
            {
                yield return new Finding("SY121", Finding.Warn, $"{kind} {file} is owned by uid {owner}, not the service user {service.Name} (uid {service.Uid}; {service.Source})",
                    $"chown {service.Name} {file}");
            }
        }
    }

    /// <summary>The user the service runs as, how doctor knows it, and its uid (null when no such user exists).</summary>
    public sealed record ServiceUser(string Name, string Source, string? Uid)
    {
        /// <summary>--service-user, else the installed unit's (or plist's) user, else whoever runs doctor.</summary>
        public static ServiceUser Resolve(string? option)
        {
            if (option is not null)
            {
                return new ServiceUser(option, "--service-user", Install.ServiceAccount.Uid(option));
            }

            if (Install.ServiceAccount.Installed() is ({ } user, { } unit))
            {
                return new ServiceUser(user, "from " + unit, Install.ServiceAccount.Uid(user));
            }

            return new ServiceUser(Environment.UserName, "whoever runs doctor: no installed service names one; --service-user NAME", CurrentUid());
        }
    }

    public static async Task<IEnumerable<Finding>> PortAsync(GatewayConfig config, string? url, CancellationToken ct)
    {
        var env = Environment.GetEnvironmentVariable(GatewayUrl.EnvironmentVariable);
        var (text, source) = url is not null ? (url, "--url") : env is not null ? (env, "$" + GatewayUrl.EnvironmentVariable) : ($"http://{config.Server.Host}:{config.Server.Port}", "the config's host and port");
        var findings = new List<Finding>();
        var (parsed, error) = GatewayUrl.Parse(text, source);
        if (parsed is null)
        {
            findings.Add(new Finding("SY133", Finding.Error, error!, $"give an absolute URL, e.g. {GatewayUrl.Default}"));
            return findings;
        }

        var uri = parsed;
        var target = text.Trim();
        using (var tcp = new TcpClient())
        {
            try
            {
                using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
                cts.CancelAfter(TimeSpan.FromSeconds(2));
                await tcp.ConnectAsync(uri.Host, uri.Port, cts.Token);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
                findings.Add(new Finding("SY130", Finding.Warn, $"nothing listens on {uri.Host}:{uri.Port}, where clients are told to call",
                    "start the gateway (switchyard serve) or fix the base URL your agents use; a proxy in front would answer 502"));
                return findings;
            }
        }

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        try
        {
            using var response = await http.GetAsync(new Uri(uri, "/health/liveliness"), ct);
            var body = await response.Content.ReadAsStringAsync(ct);
            if (!response.Headers.Contains(CorrelationId.HeaderName) || !body.Contains("alive", StringComparison.Ordinal))
            {
                findings.Add(new Finding("SY131", Finding.Error, $"something other than Switchyard answers on {uri.Host}:{uri.Port}",
                    "stop the other process or move one of them; health probes must hit the same URL agents use"));
            }
            else
            {
                findings.Add(new Finding("SY132", Finding.Info, $"Switchyard answers on {target}", ""));
#pragma warning disable RS0030 // the CLI compares the gateway's clock with this machine's wall clock
                var skew = response.Headers.Date is { } date ? (date - DateTimeOffset.UtcNow).TotalSeconds : 0;
#pragma warning restore RS0030
                if (Math.Abs(skew) > 5)
                {
                    findings.Add(new Finding("SY160", Finding.Warn, $"the gateway's clock differs from this machine's by {skew:0} s",
                        "sync clocks (NTP): budgets, token expiry and rate windows depend on them"));
                }
            }
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            findings.Add(new Finding("SY131", Finding.Error, $"{target} accepts connections but does not answer HTTP like Switchyard ({e.GetType().Name})",
                "check what listens there (ss -ltnp)"));
        }

        return findings;
    }

    public static IEnumerable<Finding> Store(GatewayConfig config)
    {
        if (config.Store.DatabaseUrl is { } databaseUrl)
        {
            foreach (var f in PostgresStoreCheck.Run(databaseUrl))
            {
                yield return f;
            }

            yield break;
        }

        var path = config.Store.SqlitePath;
        if (!File.Exists(path))
        {
            yield return new Finding("SY140", Finding.Info, $"store {path} does not exist yet; it is created on first start", "");
            yield break;
        }

        string? problem = null;
        var adminInvoke = new List<string>();
        long version = 0;
        try
        {
            using var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly }.ToString());
            c.Open();
            using (var cmd = c.CreateCommand())
            {
                cmd.CommandText = "PRAGMA quick_check";
                var result = cmd.ExecuteScalar() as string;
                if (result != "ok")
                {
                    problem = "integrity check: " + result;
                }
            }

            using (var cmd = c.CreateCommand())
            {
                cmd.CommandText = "SELECT COALESCE(MAX(version), 0) FROM schema_version";
                version = Convert.ToInt64(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
            }

            using (var cmd = c.CreateCommand())
            {
                cmd.CommandText = "SELECT key_name, COALESCE(key_alias, '') FROM keys WHERE revoked = 0 AND scopes LIKE '%\"admin\"%' AND scopes LIKE '%\"invoke\"%'";
                using var r = cmd.ExecuteReader();
                while (r.Read())
                {
                    adminInvoke.Add(r.GetString(1).Length > 0 ? $"{r.GetString(1)} ({r.GetString(0)})" : r.GetString(0));
                }
            }
        }
        catch (SqliteException e)
        {
            problem = e.Message;
        }

        if (problem is not null)
        {
            yield return new Finding("SY141", Finding.Error, $"store {path} is not healthy: {problem}", "restore from backup or move the file aside (a new one is created on start)");
            yield break;
        }

        yield return new Finding("SY142", Finding.Info, $"store {path} is healthy (schema version {version})", "");
        foreach (var k in adminInvoke)
        {
            yield return new Finding("SY150", Finding.Warn, $"token {k} carries both admin and invoke",
                "give agents invoke-only tokens and keep admin tokens for operators (switchyard keys create --scopes invoke)");
        }

        if (config.Auth.MasterKeyInvoke)
        {
            yield return new Finding("SY151", Finding.Info, "the master key may call inference routes (switchyard.auth.master_key_invoke)", "set it to false once agents have their own tokens");
        }
    }

    /// <summary>SY152: a master key shorter than <see cref="MasterKey.MinLength"/> (accepted on loopback only, still an error here).</summary>
    public static IEnumerable<Finding> MasterKeys(GatewayConfig config)
    {
        if (config.Auth.MasterKeys.FirstOrDefault(k => k.IsShort) is { } key)
        {
            yield return new Finding("SY152", Finding.Error,
                $"a master key is only {key.Value.Length} characters (LiteLLM's quick-start 'sk-1234'?): the gateway accepts it on loopback only ({config.Server.Host}) and refuses to start on any other address",
                "set general_settings.master_key to 32+ random characters, or remove it and let switchyard.master_key_file generate one");
        }
    }

    public static IEnumerable<Finding> Clock()
    {
#pragma warning disable RS0030 // the CLI checks this machine's wall clock itself
        var now = DateTimeOffset.UtcNow;
#pragma warning restore RS0030
        if (now.Year < 2025 || now.Year > 2100)
        {
            yield return new Finding("SY161", Finding.Error, $"the system clock says {now:u}", "set the clock (NTP); token expiry, budgets and rate windows depend on it");
        }
    }

    /// <summary>Opt-in: a one-token request to every enabled provider deployment, straight from here (not through the gateway).</summary>
    public static async Task<IEnumerable<Finding>> ProbeAsync(GatewayConfig config, CancellationToken ct)
    {
        var findings = new List<Finding>();
        using var http = new UpstreamHttp(TimeProvider.System);
        var providers = new ProviderRegistry([new OpenAIAdapter(http), new AzureOpenAIAdapter(http), new AnthropicAdapter(http, TimeProvider.System), new GeminiAdapter(http, TimeProvider.System), new BedrockAdapter(http, TimeProvider.System),
            new CohereAdapter(http, TimeProvider.System), new VertexAdapter(http, TimeProvider.System), new MockAdapter(TimeProvider.System)]);
        var body = Encoding.UTF8.GetBytes("""{"model":"probe","max_tokens":1,"messages":[{"role":"user","content":"ping"}]}""");
        var info = RequestInspector.Inspect(body, OperationKind.Chat);
        // an embeddings-only provider (voyage/) is probed with a one-word embedding instead
        var embedBody = Encoding.UTF8.GetBytes("""{"model":"probe","input":"ping"}""");
        var embedInfo = RequestInspector.Inspect(embedBody, OperationKind.Embeddings);
        // a rerank deployment (model_info.mode: rerank) is probed with a one-document rerank
        var rerankBody = Encoding.UTF8.GetBytes("""{"model":"probe","query":"ping","documents":["ping"]}""");
        var rerankInfo = RequestInspector.Inspect(rerankBody, OperationKind.Rerank);
        // a wildcard entry's model is a template ("*"): there is no one model to probe
        foreach (var d in config.Deployments.Where(d => d.Enabled && d.Family != ProviderFamilies.Mock && d.Mock is null && !d.IsWildcard))
        {
            var probe = d with { Timeout = TimeSpan.FromSeconds(10), StreamTimeout = TimeSpan.FromSeconds(10) };
            var started = TimeProvider.System.GetTimestamp();
            var chat = ProviderFamilies.Takes(d.Provider, OperationKind.Chat);
            var rerank = d.Mode == DeploymentModes.Rerank;
            var (probeInfo, probeBody) = rerank ? (rerankInfo, rerankBody) : chat ? (info, body) : (embedInfo, embedBody);
            var result = await providers.Get(d.Family).SendAsync(new ProviderRequest { Info = probeInfo, Body = probeBody, Deployment = probe, DropParams = probe.DropParams, CorrelationId = "doctor-probe" }, ct);
            var ms = TimeProvider.System.GetElapsedTime(started).TotalMilliseconds;
            if (result.Value is { } ok)
            {
                await ok.DisposeAsync();
                findings.Add(new Finding("SY170", Finding.Info, $"{d.QualifiedModel} ({d.Id}) answered in {ms:0} ms", ""));
                continue;
            }

            var f = result.Failure!;
            var (id, severity, fix) = ProbeAdvice(f);
            findings.Add(new Finding(id, severity, $"{d.QualifiedModel} ({d.Id}): {f.Detail}", fix));
        }

        return findings;
    }

    /// <summary>
    /// What a failed probe means and what to do, by how it failed: the key (401/403), the network, the provider's own
    /// limits or faults (429, 5xx: nothing to fix here, retry later), an answer that is not the provider's API, or the
    /// request itself (400/404: the model name or api_version).
    /// </summary>
    internal static (string Id, string Severity, string Fix) ProbeAdvice(Core.Failures.UpstreamFailure f) => f.Kind switch
    {
        Core.Failures.FailureKind.UpstreamAuth => ("SY171", Finding.Error, $"the provider refused the key ({f.UpstreamStatus}): check the deployment's api_key secret"),
        Core.Failures.FailureKind.ConnectionError or Core.Failures.FailureKind.Timeout => ("SY172", Finding.Error, "check api_base, DNS, firewall and proxies between the gateway and the provider"),
        Core.Failures.FailureKind.RateLimited => ("SY173", Finding.Warn, "the provider is rate limiting this key; lower rpm/tpm or add deployments"),
        Core.Failures.FailureKind.ServerError => ("SY175", Finding.Warn, $"the provider answered {f.UpstreamStatus?.ToString(CultureInfo.InvariantCulture) ?? "a server error"}: a fault on the provider's side, not in this config; retry later (and check the provider's status page)"),
        Core.Failures.FailureKind.InvalidResponse => ("SY176", Finding.Error, "the answer is not the provider's API format: check that api_base points at the provider's API (not a proxy or a web page)"),
        _ => ("SY174", Finding.Error, $"the provider rejected the request ({f.UpstreamStatus?.ToString(CultureInfo.InvariantCulture) ?? "no status"}): check the model name and api_version for this provider"),
    };

    /// <summary>The owner's uid, from coreutils stat (.NET has no API for file ownership).</summary>
    private static string? FileOwner(string path)
    {
        try
        {
            using var stat = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("stat", OperatingSystem.IsMacOS() ? ["-f", "%u", path] : ["-c", "%u", path]) { RedirectStandardOutput = true })!;
            var text = stat.StandardOutput.ReadToEnd().Trim();
            stat.WaitForExit();
            return stat.ExitCode == 0 && text.Length > 0 ? text : null;
        }
        catch (Exception e) when (e is IOException or System.ComponentModel.Win32Exception or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string? CurrentUid()
        => OperatingSystem.IsLinux() ? ProcUid() : Install.ServiceAccount.Uid(Environment.UserName);

    private static string? ProcUid()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("Uid:", StringComparison.Ordinal))
                {
                    return line.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1].Trim();
                }
            }
        }
        catch (IOException)
        {
        }

        return null;
    }
}
