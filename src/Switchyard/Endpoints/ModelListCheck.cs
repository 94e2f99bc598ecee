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
}
