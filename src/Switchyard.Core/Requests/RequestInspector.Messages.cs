using System.Text.Json;

namespace Switchyard.Core.Requests;

public static partial class RequestInspector
{
    /// <summary>Anthropic Messages bodies (<c>POST /v1/messages</c>). Not accepted yet: the ingress is being built (issue 8).</summary>
    private static RequestInfo InspectMessages(ref Utf8JsonReader r)
        => throw new RequestValidationException("the Anthropic Messages format is not accepted yet", null, "unsupported_format");
}
