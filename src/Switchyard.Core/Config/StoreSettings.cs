namespace Switchyard.Core.Config;

/// <summary>switchyard.store and switchyard.spend: where durable state lives and how spend is written.</summary>
public sealed record StoreSettings
{
    /// <summary>SQLite file (created on first start). Default ~/.switchyard/switchyard.db.</summary>
    public string SqlitePath { get; init; } = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".switchyard", "switchyard.db");

    /// <summary>Spend logs are written in batches at most this far apart; a crash loses at most this window.</summary>
    public TimeSpan SpendFlushInterval { get; init; } = TimeSpan.FromSeconds(1);

    public int SpendBatchSize { get; init; } = 500;

    /// <summary>Spend log rows older than this are deleted (hourly); null keeps them forever.</summary>
    public TimeSpan? SpendRetention { get; init; }
}
