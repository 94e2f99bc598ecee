using System.Text.Json;

namespace Switchyard.Core.Requests;

public static partial class RequestInspector
{
    /// <summary>OpenAI Responses bodies (<c>POST /v1/responses</c>). Not accepted yet: the ingress is being built (issue 8).</summary>
    private static RequestInfo InspectResponses(ref Utf8JsonReader r)
        => throw new RequestValidationException("the OpenAI Responses format is not accepted yet", null, "unsupported_format");
}
