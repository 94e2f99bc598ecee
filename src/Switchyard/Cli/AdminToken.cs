using Switchyard.Core.Config;

namespace Switchyard.Cli;

/// <summary>
/// The admin token a CLI command presents: --token-file, else $SWITCHYARD_TOKEN_FILE, else $SWITCHYARD_TOKEN, else
/// ~/.switchyard/master.key. The token itself is never printed; when it comes from a file nobody named on the command
/// line, the file is named on stderr (stdout stays machine-readable).
/// </summary>
internal static class AdminToken
{
    public static string DefaultFile => Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".switchyard", "master.key");

    /// <summary>The token (null when none is configured) or the one-line reason it could not be read.</summary>
    public static (string? Token, string? Error) Resolve(string? tokenFile, TextWriter notices)
    {
        if (tokenFile is not null)
        {
            return Read(tokenFile, "--token-file");
        }

        if (Environment.GetEnvironmentVariable("SWITCHYARD_TOKEN_FILE") is { Length: > 0 } envFile)
        {
            notices.WriteLine($"switchyard: using the token in {envFile} ($SWITCHYARD_TOKEN_FILE)");
            return Read(envFile, "$SWITCHYARD_TOKEN_FILE");
        }

        if (Environment.GetEnvironmentVariable("SWITCHYARD_TOKEN") is { Length: > 0 } env)
        {
            return (env.Trim(), null);
        }

        var fallback = DefaultFile;
        if (!File.Exists(fallback))
        {
            notices.WriteLine($"switchyard: no token (--token-file, $SWITCHYARD_TOKEN_FILE, $SWITCHYARD_TOKEN or {fallback}); calling without one");
            return (null, null);
        }

        notices.WriteLine($"switchyard: using the token in {fallback}");
        return Read(fallback, fallback);
    }

    private static (string? Token, string? Error) Read(string file, string source)
    {
        string text;
        try
        {
            text = File.ReadAllText(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return (null, $"cannot read the token file {file} ({source}): {e.Message}");
        }

        // the same reader as the gateway's master_key_file and file: secrets: comments, blank lines and CRLF are fine
        var token = TokenFile.Parse(text);
        return token is null ? (null, $"the token file {file} ({source}) is empty (only blank or # comment lines)") : (token, null);
    }
}
