namespace Switchyard.Core.Config;

/// <summary>
/// The one reader for files that hold a token or a secret: the master key file, <c>file:</c> secret references and
/// the CLI's <c>--token-file</c>. The token is the first line that is neither blank nor a comment (<c># ...</c>),
/// with surrounding whitespace, a byte order mark and a CR (a file saved with CRLF line ends) taken off; so
/// <c>switchyard keys create ... &gt; agent.key</c>, a file an editor ended with a newline and a file that starts with
/// a comment naming the token all read the same.
/// </summary>
public static class TokenFile
{
    /// <summary>The token in <paramref name="text"/>, or null when every line is blank or a comment.</summary>
    public static string? Parse(string text)
    {
        foreach (var raw in text.AsSpan().EnumerateLines())
        {
            var line = raw.Trim().TrimStart('\uFEFF').Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            return line.ToString();
        }

        return null;
    }
}
