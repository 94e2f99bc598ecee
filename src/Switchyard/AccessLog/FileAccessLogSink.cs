namespace Switchyard.AccessLog;

/// <summary>
/// A file opened for append (created 0600 on Unix: lines name tenants and token ids), rolled over by size: past
/// <c>max_file_mb</c> the file becomes <c>PATH.1</c> (older ones shift to <c>.2</c> ... up to <c>max_files</c>, the oldest
/// is deleted) and a new one is started. Also safe under logrotate's copytruncate (writes append).
/// </summary>
internal sealed class FileAccessLogSink : IAccessLogSink
{
    private readonly string _path;
    private readonly long _maxBytes;
    private readonly int _maxFiles;
    private FileStream _file;

    public FileAccessLogSink(string path, long maxBytes, int maxFiles)
    {
        _path = path;
        _maxBytes = maxBytes;
        _maxFiles = maxFiles;
        if (Path.GetDirectoryName(path) is { Length: > 0 } dir)
        {
            Directory.CreateDirectory(dir);
        }

        _file = Open();
    }

    public void Write(ReadOnlySpan<byte> lines)
    {
        if (_file.Length > 0 && _file.Length + lines.Length > _maxBytes)
        {
            Roll();
        }

        _file.Write(lines);
    }

    public void Flush() => _file.Flush();

    public void Dispose() => _file.Dispose();

    private FileStream Open()
    {
        var options = new FileStreamOptions { Mode = FileMode.Append, Access = FileAccess.Write, Share = FileShare.ReadWrite | FileShare.Delete, BufferSize = 64 * 1024 };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        return new FileStream(_path, options);
    }

    private void Roll()
    {
        _file.Dispose();
        File.Delete($"{_path}.{_maxFiles}");
        for (var i = _maxFiles - 1; i >= 1; i--)
        {
            if (File.Exists($"{_path}.{i}"))
            {
                File.Move($"{_path}.{i}", $"{_path}.{i + 1}", overwrite: true);
            }
        }

        File.Move(_path, _path + ".1", overwrite: true);
        _file = Open();
    }
}
