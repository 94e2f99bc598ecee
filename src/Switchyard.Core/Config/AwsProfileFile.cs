namespace Switchyard.Core.Config;

/// <summary>
/// Reads one profile from an AWS shared credentials file (<c>~/.aws/credentials</c>, or <c>AWS_SHARED_CREDENTIALS_FILE</c>):
/// INI sections <c>[name]</c> with <c>aws_access_key_id</c>, <c>aws_secret_access_key</c> and <c>aws_session_token</c>.
/// </summary>
internal static class AwsProfileFile
{
    public static (string? AccessKeyId, string? SecretAccessKey, string? SessionToken)? Read(string path, string profile)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        string? section = null, key = null, secret = null, token = null;
        var found = false;
        foreach (var raw in lines)
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or ';')
            {
                continue;
            }

            if (line[0] == '[' && line[^1] == ']')
            {
                section = line[1..^1].Trim();
                if (section.StartsWith("profile ", StringComparison.Ordinal))
                {
                    section = section[8..].Trim();
                }

                found |= section == profile;
                continue;
            }

            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (section != profile || eq <= 0)
            {
                continue;
            }

            var value = line[(eq + 1)..].Trim();
            switch (line[..eq].Trim().ToLowerInvariant())
            {
                case "aws_access_key_id": key = value; break;
                case "aws_secret_access_key": secret = value; break;
                case "aws_session_token": token = value; break;
            }
        }

        return found ? (key, secret, token) : null;
    }

    /// <summary>The credentials file: AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials.</summary>
    public static string DefaultPath(Func<string, string?> variable)
        => variable("AWS_SHARED_CREDENTIALS_FILE") is { Length: > 0 } p
            ? p
            : Path.Combine(variable("HOME") is { Length: > 0 } home ? home : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".aws", "credentials");
}
