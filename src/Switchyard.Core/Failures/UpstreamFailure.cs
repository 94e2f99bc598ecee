namespace Switchyard.Core.Failures;

/// <summary>
/// A failed upstream attempt, as a value. <see cref="Detail"/> is a short gateway-written description
/// (never the upstream body); <see cref="UpstreamCode"/> and <see cref="UpstreamParam"/> are the upstream
/// error's own code and param fields when it gave them.
/// </summary>
public sealed record UpstreamFailure(FailureKind Kind, int? UpstreamStatus, string Detail)
{
    public TimeSpan? RetryAfter { get; init; }
    public string? UpstreamCode { get; init; }
    public string? UpstreamParam { get; init; }
}
