namespace Switchyard.Core.Config;

/// <summary>Master keys (general_settings.master_key, switchyard.auth.*). Several are valid during a rotation.</summary>
public sealed record AuthSettings
{
    public IReadOnlyList<MasterKey> MasterKeys { get; init; } = [];

    /// <summary>Where a generated master key was written (embedded default), for the operator to read.</summary>
    public string? MasterKeyFile { get; init; }

    /// <summary>Whether tokens with the admin scope may call inference routes (default no).</summary>
    public bool AllowAdminInvoke { get; init; }

    /// <summary>Whether the master key may call inference routes (default yes, as in LiteLLM; doctor warns).</summary>
    public bool MasterKeyInvoke { get; init; } = true;
}

/// <summary>A master key; during a rotation the old one carries <see cref="ValidUntil"/> and both work until then.</summary>
public sealed record MasterKey(string Value, DateTimeOffset? ValidUntil)
{
    public override string ToString() => "MasterKey(****)";
}
