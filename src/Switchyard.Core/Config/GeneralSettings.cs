namespace Switchyard.Core.Config;

/// <summary>The general_settings keys read beside master_key and database_url (see <see cref="GeneralSettingsReader"/>).</summary>
internal sealed record GeneralSettings
{
    /// <summary>general_settings.store_model_in_db: models are managed through the API, so an empty model_list is allowed.</summary>
    public bool StoreModelInDb { get; init; }

    /// <summary>general_settings.alerting mapped to alert sinks (slack: SLACK_WEBHOOK_URL, webhook: WEBHOOK_URL).</summary>
    public IReadOnlyList<Alerts.AlertSink> AlertSinks { get; init; } = [];

    /// <summary>general_settings.maximum_spend_logs_retention_period: how long spend logs are kept.</summary>
    public TimeSpan? SpendRetention { get; init; }
}
