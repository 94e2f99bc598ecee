namespace Switchyard.Core.Config;

/// <summary>switchyard.store and switchyard.spend: where durable state lives and how spend is written.</summary>
public sealed record StoreSettings
{
    /// <summary>SQLite file (created on first start). Default ~/.switchyard/switchyard.db.</summary>
    public string SqlitePath { get; init; } = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".switchyard", "switchyard.db");

    /// <summary>
    /// PostgreSQL (general_settings.database_url, or the DATABASE_URL environment variable): when set, it holds keys,
    /// tenants, spend and stored responses for every replica, and <see cref="SqlitePath"/> is not used. A
    /// <c>postgresql://user:password@host:port/db</c> URL or an Npgsql connection string.
    /// </summary>
    public string? DatabaseUrl { get; init; }

    /// <summary>
    /// The secret that encrypts provider credentials of deployments stored through /model/new (AES-256-GCM, key derived
    /// with HKDF/SHA-256): switchyard.store.encryption_key (os.environ/ works), else the SWITCHYARD_ENCRYPTION_KEY
    /// environment variable, else LITELLM_SALT_KEY (LiteLLM's name). Never stored; null when none is set.
    /// </summary>
    public string? EncryptionKey { get; init; }

    /// <summary>Where <see cref="EncryptionKey"/> came from (the config key or the variable's name); null when unset.</summary>
    public string? EncryptionKeySource { get; init; }

    /// <summary>
    /// switchyard.spend.journal: the local append-only file where acknowledged spend is kept until the store has it, and
    /// replayed at start (so a kill -9 loses none). Default: next to the SQLite file.
    /// </summary>
    public string? SpendJournalPath { get; init; }

    /// <summary>
    /// switchyard.spend.journal_fsync: fsync the journal after each group write, so that acknowledged spend also survives
    /// a machine crash or power loss (not only a killed process). Off by default: a write to the OS page cache already
    /// survives kill -9; a machine crash can then lose what the OS had not flushed yet (its dirty-page window, ~30 s).
    /// </summary>
    public bool SpendJournalFsync { get; init; }

    /// <summary>
    /// Spend logs are written in batches at most this far apart; a crash loses at most this window. Short, so that each
    /// write is a small burst of CPU (1 s let ~20k rows pile up at 20k req/s: a ~100 ms burst on one core and a queue
    /// grown into large-object-heap segments, both visible as p99 latency) and records die young.
    /// </summary>
    public TimeSpan SpendFlushInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    public int SpendBatchSize { get; init; } = 500;

    /// <summary>Spend log rows older than this are deleted (hourly); null keeps them forever.</summary>
    public TimeSpan? SpendRetention { get; init; }

    /// <summary>switchyard.store.audit_retention: audit log rows older than this are deleted (hourly); null keeps them forever.</summary>
    public TimeSpan? AuditRetention { get; init; }

    /// <summary>
    /// switchyard.responses.retention: how long a stored Responses answer (store not false) can be fetched and continued
    /// with previous_response_id; expired rows are not served and are deleted hourly. Default 30 days, as OpenAI keeps them.
    /// </summary>
    public TimeSpan ResponsesRetention { get; init; } = TimeSpan.FromDays(30);
}
