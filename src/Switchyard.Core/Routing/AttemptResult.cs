using Switchyard.Core.Failures;

namespace Switchyard.Core.Routing;

/// <summary>One upstream attempt's outcome as a value: a response or a classified failure.</summary>
public readonly struct AttemptResult<T>
    where T : class
{
    private AttemptResult(T? value, UpstreamFailure? failure)
    {
        Value = value;
        Failure = failure;
    }

    public T? Value { get; }

    public UpstreamFailure? Failure { get; }

    public static AttemptResult<T> Ok(T value) => new(value, null);

    public static AttemptResult<T> Fail(UpstreamFailure failure) => new(null, failure);

    public static implicit operator AttemptResult<T>(UpstreamFailure failure) => Fail(failure);
}

/// <summary>What the executor tells an attempt: which try it is and why.</summary>
public readonly record struct AttemptInfo(int Number, string Group, bool IsFallback);
