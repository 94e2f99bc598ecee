namespace Switchyard.Core.Tenancy;

/// <summary>
/// A Responses answer the gateway keeps (<c>store</c> not false) for <c>GET /v1/responses/{id}</c> and
/// <c>previous_response_id</c>: the response object as sent, and the whole conversation up to and including it as
/// Responses input items (what a continuation is expanded with). Confined to its tenant ("" for callers without one).
/// </summary>
public sealed record StoredResponse
{
    public required string Id { get; init; }
    public required string TenantId { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>The response object's JSON.</summary>
    public required byte[] Response { get; init; }

    /// <summary>A JSON array of input items: the request's input (expanded) followed by the answer's output.</summary>
    public required byte[] Conversation { get; init; }
}
