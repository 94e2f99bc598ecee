namespace Switchyard.Core.Admission.Shared;

/// <summary>The shared state store (Redis) did not answer in time, or could not be reached.</summary>
public sealed class SharedStateException(string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>
    /// True when the command certainly did not run (never sent: not connected); false when it may have run (a
    /// timeout after sending).
    /// </summary>
    public bool NotSent { get; init; }
}
