namespace Switchyard.Tenancy.Journal;

public sealed partial class SpendJournal
{
    [LoggerMessage(EventId = 135, Level = LogLevel.Information, Message = "replayed {Count} spend records from {Segments} journal segments in {Directory} into the store")]
    private static partial void LogReplayed(ILogger logger, int count, int segments, string directory);

    [LoggerMessage(EventId = 131, Level = LogLevel.Warning, Message = "spend journal segment {Path}: {Bytes} bytes from offset {Offset} skipped ({Reason}; a write torn by a crash, or corruption); the {Count} whole records before it are replayed")]
    private static partial void LogTornTail(ILogger logger, string path, long offset, long bytes, string reason, int count);

    [LoggerMessage(EventId = 132, Level = LogLevel.Error, Message = "writing {Count} spend records to the journal in {Directory} failed; they go to the store without the journal's protection until writing works again")]
    private static partial void LogWriteFailed(ILogger logger, Exception e, string directory, int count);

    [LoggerMessage(EventId = 133, Level = LogLevel.Information, Message = "writing to the spend journal in {Directory} works again")]
    private static partial void LogWriteRecovered(ILogger logger, string directory);

    [LoggerMessage(EventId = 134, Level = LogLevel.Warning, Message = "could not delete the committed spend journal segment {Path}")]
    private static partial void LogDeleteFailed(ILogger logger, Exception e, string path);
}
