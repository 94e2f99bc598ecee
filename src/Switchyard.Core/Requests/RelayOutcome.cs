using Switchyard.Core.Failures;

namespace Switchyard.Core.Requests;

/// <summary>How a stream relay ended.</summary>
public enum RelayStatus
{
    /// <summary>The upstream finished the stream properly (its final event arrived) and all of it was written.</summary>
    Completed,

    /// <summary>The upstream broke the stream after its first byte: a read failed or timed out, an error event came, or it ended early.</summary>
    UpstreamFailed,

    /// <summary>The caller went away (its connection closed or the request was aborted); nothing more can be written.</summary>
    ClientGone,
}

/// <summary>
/// The result of a stream relay (UpstreamResponse.RelayAsync): relay ends are values, not exceptions (as YARP's
/// StreamCopier returns results). Only bugs throw.
/// </summary>
public readonly record struct RelayOutcome
{
    private RelayOutcome(RelayStatus status, UpstreamFailure? failure, bool atEventBoundary)
    {
        Status = status;
        Failure = failure;
        AtEventBoundary = atEventBoundary;
    }

    /// <summary>The stream ended properly.</summary>
    public static RelayOutcome Completed { get; } = new(RelayStatus.Completed, null, true);

    /// <summary>The caller went away mid-relay.</summary>
    public static RelayOutcome ClientGone { get; } = new(RelayStatus.ClientGone, null, true);

    public RelayStatus Status { get; }

    /// <summary>What broke, when <see cref="Status"/> is <see cref="RelayStatus.UpstreamFailed"/>; otherwise null.</summary>
    public UpstreamFailure? Failure { get; }

    /// <summary>
    /// Whether the bytes written so far end on an SSE event boundary; when false the caller writes a blank line before
    /// its error event so the client's parser does not glue it to a half event.
    /// </summary>
    public bool AtEventBoundary { get; }

    /// <summary>The upstream broke the stream after its first byte.</summary>
    public static RelayOutcome UpstreamFailed(UpstreamFailure failure, bool atEventBoundary = true)
    {
        ArgumentNullException.ThrowIfNull(failure);
        return new(RelayStatus.UpstreamFailed, failure, atEventBoundary);
    }
}
