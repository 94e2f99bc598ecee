using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Switchyard.Core.Config;

namespace Switchyard.Tenancy.Journal;

/// <summary>Where the spend journal lives, which store it belongs to, and whether each group write is fsynced.</summary>
public sealed partial record SpendJournalOptions(string Root, string StoreId, bool Fsync)
{
    /// <summary>
    /// switchyard.spend.journal, or by default next to the SQLite file (<c>&lt;file&gt;.spend-journal/</c>), or
    /// <c>~/.switchyard/spend-journal/&lt;store id&gt;/</c> when PostgreSQL is the store (unless a test gave its own
    /// SQLite file: then next to that, so parallel tests do not share a home directory).
    /// </summary>
    public static SpendJournalOptions From(StoreSettings store, string? sqlitePathOverride)
    {
        var postgres = store.DatabaseUrl is { Length: > 0 };
        var sqlite = Path.GetFullPath(sqlitePathOverride ?? store.SqlitePath);
        var storeId = StoreIdOf(postgres ? "postgresql " + WithoutPassword(store.DatabaseUrl!) : "sqlite " + sqlite);
        var root = store.SpendJournalPath is { Length: > 0 } configured
            ? Path.GetFullPath(configured)
            : SpendJournal.DefaultRoot(postgres && sqlitePathOverride is null ? storeId : null, sqlite);
        return new SpendJournalOptions(root, storeId, store.SpendJournalFsync);
    }

    /// <summary>A short hash of what identifies the store (the URL without its password, or the SQLite file's full path).</summary>
    public static string StoreIdOf(string identity) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity)))[..16];

    /// <summary>A password rotation must not orphan the journal: the identity leaves it out.</summary>
    internal static string WithoutPassword(string databaseUrl)
        => ConnectionStringPassword().Replace(UrlPassword().Replace(databaseUrl, "://$1@"), "");

    [GeneratedRegex(@"://([^:@/]*):[^@/]*@")]
    private static partial Regex UrlPassword();

    [GeneratedRegex(@"(?i)(^|;)\s*password\s*=[^;]*")]
    private static partial Regex ConnectionStringPassword();
}
