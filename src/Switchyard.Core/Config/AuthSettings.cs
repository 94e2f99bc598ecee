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
    /// <summary>The shortest master key accepted on an address other than loopback.</summary>
    public const int MinLength = 8;

    /// <summary>
    /// Shorter than <see cref="MinLength"/> (LiteLLM's quick-start <c>sk-1234</c>): accepted only while the gateway
    /// listens on loopback, with a warning at start and a doctor error.
    /// </summary>
    public bool IsShort => Value.Length < MinLength;

    /// <summary>Why a short master key may not serve on <paramref name="host"/>, or null when it may (a loopback address).</summary>
    public static string? ShortKeyRefusal(string host)
        => ServerSettings.IsLoopback(host) ? null
            : $"a master key must be at least {MinLength} characters when the gateway listens on {host}: a short key such as LiteLLM's quick-start 'sk-1234' is accepted only on a loopback address (127.0.0.1, ::1, localhost)";

    public override string ToString() => "MasterKey(****)";
}
