namespace Switchyard.Core.Failures;

/// <summary>The <c>type</c> values of the failure summary (contract; see docs/failure-contract.md).</summary>
public static class FailureType
{
    public const string InvalidRequest = "invalid_request_error";
    public const string Authentication = "authentication_error";
    public const string PermissionDenied = "permission_denied";
    public const string NotFound = "not_found";
    public const string PayloadTooLarge = "payload_too_large";
    public const string RateLimited = "rate_limited";
    public const string UpstreamError = "upstream_error";
    public const string UpstreamTimeout = "upstream_timeout";
    public const string RouteUnavailable = "route_unavailable";
    public const string Internal = "internal_error";
}
