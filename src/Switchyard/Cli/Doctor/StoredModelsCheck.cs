using System.Data.Common;
using Switchyard.Core.Config;
using Switchyard.Core.Deployments;
using Switchyard.Core.Tenancy;
using Switchyard.Storage.Postgres;
using Switchyard.Storage.Sqlite;

namespace Switchyard.Cli.Doctor;

/// <summary>
/// doctor's check of deployments stored through /model/new: their encrypted credentials need the encryption key they
/// were stored with (SY146: no key set; SY147: the key set does not decrypt them). An unreadable store is the store
/// check's finding, not this one's.
/// </summary>
internal static class StoredModelsCheck
{
    public static async Task<IEnumerable<Finding>> RunAsync(GatewayConfig config, CancellationToken ct)
    {
        if (config.Store.DatabaseUrl is null && !File.Exists(config.Store.SqlitePath))
        {
            return [];
        }

        IReadOnlyList<StoredDeployment> stored;
        try
        {
            await using IGatewayStore store = config.Store.DatabaseUrl is { } url ? new PostgresGatewayStore(url) : new SqliteGatewayStore(config.Store.SqlitePath);
            stored = await store.ListDeploymentsAsync(ct);
        }
        catch (Exception e) when (e is DbException or StoreUnavailableException or InvalidOperationException or TimeoutException)
        {
            return []; // no such table yet, or the store does not answer (SY141/SY143 say so)
        }

        return Evaluate(config, stored);
    }

    public static IEnumerable<Finding> Evaluate(GatewayConfig config, IReadOnlyList<StoredDeployment> stored)
    {
        var cipher = config.Store.EncryptionKey is { Length: > 0 } key ? new CredentialCipher(key) : null;
        StoredDeployments.Merge(config, stored, cipher, Environment.GetEnvironmentVariable, out var states);
        var undecryptable = states.Where(s => s.Undecryptable).ToArray();
        if (undecryptable.Length == 0)
        {
            return stored.Count == 0 ? [] : [new Finding("SY148", Finding.Info, $"{stored.Count} stored deployment(s) (/model/new); their credentials decrypt", "")];
        }

        var ids = string.Join(", ", undecryptable.Select(s => s.Record.ModelId));
        return cipher is null
            ? [new Finding("SY146", Finding.Error, $"{undecryptable.Length} stored deployment(s) hold encrypted credentials and no encryption key is set, so they are disabled: {ids}",
                "set switchyard.store.encryption_key (or SWITCHYARD_ENCRYPTION_KEY, or LITELLM_SALT_KEY) to the key they were stored with")]
            : [new Finding("SY147", Finding.Error, $"{undecryptable.Length} stored deployment(s) cannot be decrypted with the encryption key from {config.Store.EncryptionKeySource}, so they are disabled: {ids}",
                "set the key they were stored with, or send their credentials again with /model/update")];
    }
}
