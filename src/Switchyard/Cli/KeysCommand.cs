using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using static Switchyard.Cli.AdminCommands;

namespace Switchyard.Cli;

/// <summary>
/// <c>switchyard keys create|list|revoke|rotate</c>. A new token is the only line on stdout (notes go to stderr), so
/// <c>keys create ... &gt; agent.key</c> makes a file that <c>Bearer $(cat agent.key)</c> sends whole; <c>--out FILE</c>
/// writes it to a new file created 0600 instead.
/// </summary>
public static class KeysCommand
{
    private static readonly Option<string?> Out = new("--out", "-o") { Description = "Write the token to this new file (mode 0600) instead of stdout" };
    private static readonly Option<string?> User = new("--user") { Description = "The user who owns the key (user_id); their budget bounds it too" };
    private static readonly Option<bool> Force = new("--force") { Description = "With --out: replace the file if it exists" };

    public static Command Create()
    {
        var keys = AdminCommand("keys", "Create, list, revoke and rotate scoped tokens");

        var create = new Command("create", "Create a token; it is printed once (the only line on stdout), or written to --out") { Team, User, Models, ScopesOption, Alias, Rpm, Tpm, MaxParallel, MaxBudget, BudgetDuration, Duration, Out, Force };
        create.SetAction((p, ct) => WithOutFile(p, ct, async (c, json, file) =>
        {
            var body = new JsonObject();
            Set(body, "team_id", p.GetValue(Team));
            Set(body, "user_id", p.GetValue(User));
            SetList(body, "models", p.GetValue(Models));
            SetList(body, "scopes", p.GetValue(ScopesOption));
            Set(body, "key_alias", p.GetValue(Alias));
            SetLimits(body, p);
            Set(body, "duration", p.GetValue(Duration));
            var (status, answer) = await c.PostAsync("/key/generate", body, ct);
            return Issued(status, answer, json, file, a => $"token id {a["token"]}");
        }));

        var list = new Command("list", "List tokens (never their values) with their status and rotation link") { Team };
        list.SetAction((p, ct) => Run(p, ct, async (c, json) =>
        {
            var team = p.GetValue(Team);
            var (status, answer) = await c.GetAsync("/key/list?return_full_object=true&size=100" + (team is null ? "" : "&team_id=" + Uri.EscapeDataString(team)), ct);
            return Print(status, answer, json, a => KeyTable(a["keys"]!.AsArray()));
        }));

        var keyArgument = new Argument<string>("key") { Description = "The token or its id (sha-256 hex)" };
        var revoke = new Command("revoke", "Revoke a token at once") { keyArgument };
        revoke.SetAction((p, ct) => Run(p, ct, async (c, json) =>
        {
            var (status, answer) = await c.PostAsync("/key/delete", new JsonObject { ["keys"] = new JsonArray(p.GetValue(keyArgument)) }, ct);
            return Print(status, answer, json, a => "revoked " + string.Join(", ", a["deleted_keys"]!.AsArray()));
        }));

        var rotate = new Command("rotate", "Issue a new token with the same settings (the only line on stdout, or --out); the old one works for the grace period") { keyArgument, Grace, Out, Force };
        rotate.SetAction((p, ct) => WithOutFile(p, ct, async (c, json, file) =>
        {
            var body = new JsonObject { ["key"] = p.GetValue(keyArgument) };
            Set(body, "grace_period", p.GetValue(Grace));
            var (status, answer) = await c.PostAsync("/key/regenerate", body, ct);
            return Issued(status, answer, json, file, a => $"new token id {a["token"]} (rotated from {a["rotated_from"]}); the old token stops " + (p.GetValue(Grace) is { } g ? "after " + g : "now"));
        }));

        keys.Subcommands.Add(create);
        keys.Subcommands.Add(list);
        keys.Subcommands.Add(revoke);
        keys.Subcommands.Add(rotate);
        return keys;
    }

    /// <summary>
    /// Opens --out (a new 0600 file; an existing one only with --force) before the gateway is asked, so a token is never
    /// issued into a file that cannot be written; the file is removed again if no token came back.
    /// </summary>
    private static Task<int> WithOutFile(ParseResult p, CancellationToken ct, Func<AdminClient, bool, FileStream?, Task<int>> work) => Run(p, ct, async (c, json) =>
    {
        var path = p.GetValue(Out);
        FileStream? file = null;
        if (path is not null)
        {
            try
            {
                file = OpenPrivate(path, p.GetValue(Force));
            }
            catch (IOException) when (File.Exists(path) && !p.GetValue(Force))
            {
                await Console.Error.WriteLineAsync($"switchyard: {path} exists; choose another --out file or add --force to replace it");
                return 2;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                await Console.Error.WriteLineAsync($"switchyard: cannot write {path}: {e.Message}");
                return 2;
            }
        }

        var written = false;
        try
        {
            var code = await work(c, json, file);
            written = code == 0;
            return code;
        }
        finally
        {
            if (file is not null)
            {
                await file.DisposeAsync();
                if (!written)
                {
                    File.Delete(path!);
                }
            }
        }
    });

    /// <summary>Creates the file 0600 (or, with <paramref name="force"/>, truncates it and sets 0600).</summary>
    internal static FileStream OpenPrivate(string path, bool force)
    {
        var options = new FileStreamOptions { Mode = force ? FileMode.Create : FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        var stream = new FileStream(path, options);
        if (force && !OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(stream.SafeFileHandle, UnixFileMode.UserRead | UnixFileMode.UserWrite); // an existing file keeps its mode otherwise
        }

        return stream;
    }

    /// <summary>
    /// A token the gateway issued: to the --out file, else the only line on stdout; with --json the answer on stdout
    /// (without the token when it went to a file). The note (token id, where it went) goes to stderr.
    /// </summary>
    private static int Issued(int status, JsonNode? answer, bool json, FileStream? file, Func<JsonNode, string> note)
    {
        if (status is < 200 or >= 300)
        {
            return Print(status, answer, json, _ => "");
        }

        if (answer?["key"]?.GetValue<string>() is not { } token)
        {
            Console.Error.WriteLine("switchyard: the gateway answered without a token");
            return 1;
        }

        if (file is not null)
        {
            using (var writer = new StreamWriter(file, leaveOpen: true))
            {
                writer.Write(token + "\n");
            }

            answer.AsObject().Remove("key");
            Console.Error.WriteLine($"switchyard: {note(answer)}; written to {file.Name} (mode 0600)");
        }
        else
        {
            Console.Error.WriteLine($"switchyard: {note(answer)}; shown once: store it now (--out FILE writes a 0600 file)");
        }

        if (json)
        {
            return Print(status, answer, json: true, _ => "");
        }

        if (file is null)
        {
            Console.Out.Write(token + "\n");
        }

        return 0;
    }

    /// <summary>The key table: status (active, rotated with its grace, revoked, expired) and the rotation link both ways.</summary>
    private static string KeyTable(JsonArray keys)
    {
        var successors = keys.Where(k => k?["rotated_from"]?.GetValue<string>() is not null)
            .GroupBy(k => k!["rotated_from"]!.GetValue<string>(), StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First()!["token"]!.GetValue<string>(), StringComparer.Ordinal);
        var rows = new JsonArray();
        foreach (var k in keys)
        {
            var hash = k?["token"]?.GetValue<string>() ?? "";
            var links = new List<string>();
            if (k?["rotated_from"]?.GetValue<string>() is { } from)
            {
                links.Add("replaces " + Short(from));
            }

            if (successors.TryGetValue(hash, out var to))
            {
                links.Add("replaced by " + Short(to));
            }

            rows.Add(new JsonObject
            {
                ["token"] = hash,
                ["key_alias"] = k?["key_alias"]?.DeepClone(),
                ["team_id"] = k?["team_id"]?.DeepClone(),
                ["scopes"] = k?["scopes"]?.DeepClone(),
                ["models"] = k?["models"]?.DeepClone(),
                ["spend"] = k?["spend"]?.DeepClone(),
                ["status"] = Status(k, successors.ContainsKey(hash)),
                ["expires"] = k?["expires"]?.DeepClone(),
                ["rotation"] = links.Count == 0 ? null : string.Join("; ", links),
            });
        }

        return Table(rows, ["token", "key_alias", "team_id", "scopes", "models", "spend", "status", "expires", "rotation"]);
    }

    /// <summary>The gateway's status (active, rotated, retired, revoked, expired) with the time that goes with it.</summary>
    private static string Status(JsonNode? key, bool replaced) => key?["status"]?.GetValue<string>() switch
    {
        "rotated" when key["grace_until"]?.GetValue<string>() is { } g => $"rotated (grace until {Time(g)})",
        "retired" when key["grace_until"]?.GetValue<string>() is { } g => $"rotated (grace ended {Time(g)})",
        "revoked" when replaced => "rotated (revoked)",
        "expired" when key["expires"]?.GetValue<string>() is { } e => $"expired ({Time(e)})",
        { } other => other,
        null => "-",
    };

    private static string Time(string iso)
        => DateTimeOffset.TryParse(iso, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm'Z'", CultureInfo.InvariantCulture) : iso;

    private static string Short(string hash) => hash.Length > 12 ? hash[..12] + "..." : hash;
}
