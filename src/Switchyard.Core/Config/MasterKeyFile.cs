using System.Security.Cryptography;

namespace Switchyard.Core.Config;

/// <summary>Reads the master key file, creating it with a random key (mode 0600) when it does not exist.</summary>
internal static class MasterKeyFile
{
    public static string ReadOrCreate(string path)
    {
        if (File.Exists(path))
        {
            // read as every token file is (TokenFile): a comment line or CRLF line ends do not make another key
            var existing = TokenFile.Parse(File.ReadAllText(path));
            if (existing is { Length: >= 8 })
            {
                return existing;
            }
        }

        var key = "sk-sy-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        var dir = Path.GetDirectoryName(path)!;
        if (!Directory.Exists(dir))
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(dir);
            }
            else
            {
                Directory.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(path, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(key + "\n");
        }

        return key;
    }
}
