using System.Text.Json;
using Switchyard.Core.Tenancy;

namespace Switchyard.Storage.Postgres;

/// <summary>The JSON columns (models, scopes, alias limits, user teams) as the stores write and read them.</summary>
internal static class StoreColumns
{
    public static string WriteList(IReadOnlyList<string> values) => JsonSerializer.Serialize(values.ToArray(), StoreJson.Default.StringArray);

    public static IReadOnlyList<string> ReadList(string json) => JsonSerializer.Deserialize(json, StoreJson.Default.StringArray) ?? [];

    public static string WriteAliasLimits(IReadOnlyDictionary<string, AliasLimits> limits)
        => JsonSerializer.Serialize(limits.ToDictionary(), StoreJson.Default.DictionaryStringAliasLimits);

    public static IReadOnlyDictionary<string, AliasLimits> ReadAliasLimits(string json)
        => JsonSerializer.Deserialize(json, StoreJson.Default.DictionaryStringAliasLimits) ?? [];

    public static string WriteAliases(IReadOnlyDictionary<string, string> aliases)
        => JsonSerializer.Serialize(aliases.ToDictionary(StringComparer.Ordinal), StoreJson.Default.DictionaryStringString);

    public static IReadOnlyDictionary<string, string> ReadAliases(string json)
        => JsonSerializer.Deserialize(json, StoreJson.Default.DictionaryStringString) is { Count: > 0 } d ? new Dictionary<string, string>(d, StringComparer.Ordinal) : new Dictionary<string, string>(StringComparer.Ordinal);

    public static string WriteTeams(IReadOnlyDictionary<string, string> teams)
        => JsonSerializer.Serialize(teams.ToDictionary(StringComparer.Ordinal), StoreJson.Default.DictionaryStringString);

    public static IReadOnlyDictionary<string, string> ReadTeams(string json)
        => JsonSerializer.Deserialize(json, StoreJson.Default.DictionaryStringString) ?? [];
}
