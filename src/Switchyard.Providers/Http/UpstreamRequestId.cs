namespace Switchyard.Providers.Http;

/// <summary>
/// The id the provider gave its answer (OpenAI and Azure send <c>x-request-id</c>, Anthropic <c>request-id</c>), which
/// the gateway passes on to the caller: the OpenAI SDKs expose it, and it is what a provider's support asks for.
/// </summary>
/// <param name="HeaderName">The header the provider used, lower case.</param>
/// <param name="Value">Its value (printable ASCII, at most <see cref="MaxLength"/> characters).</param>
public sealed record UpstreamRequestId(string HeaderName, string Value)
{
    /// <summary>The header the caller always gets it in.</summary>
    public const string StandardHeader = "x-request-id";

    /// <summary>Longer values are not forwarded (ids are tens of characters).</summary>
    public const int MaxLength = 256;

    private static readonly string[] Names = [StandardHeader, "request-id"];

    /// <summary>The id in <paramref name="response"/>'s headers, or null when there is none that may be forwarded.</summary>
    public static UpstreamRequestId? From(HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        foreach (var name in Names)
        {
            if (response.Headers.TryGetValues(name, out var values) && values.FirstOrDefault() is { Length: > 0 and <= MaxLength } value && IsPrintableAscii(value))
            {
                return new UpstreamRequestId(name, value);
            }
        }

        return null;
    }

    private static bool IsPrintableAscii(string value)
    {
        foreach (var c in value)
        {
            if (c is < '!' or > '~')
            {
                return false;
            }
        }

        return true;
    }
}
