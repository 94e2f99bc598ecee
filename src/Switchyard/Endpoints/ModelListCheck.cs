using Switchyard.Core.Requests;
using Switchyard.Core.Routing;

namespace Switchyard.Endpoints;

/// <summary>
/// The one check for the <c>models</c> a key or a team may call (<c>/key/generate</c>, <c>/key/update</c>,
/// <c>/team/new</c>, <c>/team/update</c>): every name must resolve exactly as the router resolves a request's
/// <c>model</c> (case-sensitive), so a list that would only earn its tokens 403s later is refused now, naming the
/// nearest names.
/// </summary>
internal static class ModelListCheck
{
    public static IReadOnlyList<string>? Checked(RouteTable routes, IReadOnlyList<string>? models)
    {
        // a pattern (openai/*) is checked against the names it may match: a wildcard route, or a name listed
        if (models?.FirstOrDefault(m => routes.Resolve(m) is null
            && !(WildcardPattern.IsPattern(m) && (routes.HasWildcards || routes.PublicNames.Any(n => WildcardPattern.Matches(m, n))))) is { } unknown)
        {
            var near = routes.Nearest(unknown);
            var hint = near.Count > 0
                ? $"; did you mean {string.Join(", ", near.Select(n => "'" + n + "'"))}? (names are case-sensitive)"
                : "; GET /v1/models lists the names";
            throw new RequestValidationException($"'{unknown}' is no alias or model group{hint}", "models", "invalid_value");
        }

        return models;
    }

    /// <summary>
    /// A key's <c>aliases</c> or a team's <c>model_aliases</c>, read from <paramref name="field"/>: an object of
    /// name: target, each target resolving as <see cref="Checked(RouteTable, IReadOnlyList{string}?)"/> requires
    /// (an alias that would 404 later is refused now). Null when the field is absent; an empty object clears them.
    /// </summary>
    public static IReadOnlyDictionary<string, string>? Aliases(RouteTable routes, System.Text.Json.Nodes.JsonObject body, string field)
    {
        var node = body[field];
        if (node is null)
        {
            return null;
        }

        if (node is not System.Text.Json.Nodes.JsonObject map)
        {
            throw AdminJson.Invalid(field, "an object of name: alias, such as {\"mistral-7b\": \"gpt-3.5-turbo\"}");
        }

        var aliases = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in map)
        {
            if (name.Length == 0 || value is null || value.GetValueKind() != System.Text.Json.JsonValueKind.String || value.GetValue<string>() is not { Length: > 0 } target)
            {
                throw AdminJson.Invalid($"{field}.{name}", "the name of an alias or model group");
            }

            if (routes.Resolve(target) is null)
            {
                var near = routes.Nearest(target);
                var hint = near.Count > 0 ? $"; did you mean {string.Join(", ", near.Select(n => "'" + n + "'"))}?" : "; GET /v1/models lists the names";
                throw new RequestValidationException($"'{target}' ({field}.{name}) is no alias or model group{hint}", $"{field}.{name}", "invalid_value");
            }

            aliases[name] = target;
        }

        return aliases;
    }
}
