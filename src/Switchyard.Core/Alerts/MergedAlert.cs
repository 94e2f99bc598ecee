using System.Globalization;

namespace Switchyard.Core.Alerts;

/// <summary>One message for all events of a kind and subject within a window.</summary>
public sealed record MergedAlert(string Kind, string Subject, string Severity, int Count, DateTimeOffset FirstAt, DateTimeOffset LastAt, TimeSpan Window, IReadOnlyList<string> Aliases, IReadOnlyList<string> Details)
{
    /// <summary>"breaker opened 14 times on openai/gpt-4o in 60 s (aliases router.default, draft.fast)".</summary>
    public string Message
    {
        get
        {
            var what = Kind.Replace('_', ' ');
            var times = Count == 1 ? "once" : Count.ToString(CultureInfo.InvariantCulture) + " times";
            var aliases = Aliases.Count == 0 ? "" : $" (aliases {string.Join(", ", Aliases)})";
            var last = Details.Count == 0 ? "" : "; last: " + Details[^1];
            return $"{what} {times} on {Subject} in {Window.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s{aliases}{last}";
        }
    }
}
