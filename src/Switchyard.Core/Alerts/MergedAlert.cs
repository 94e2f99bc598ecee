using System.Globalization;

namespace Switchyard.Core.Alerts;

/// <summary>One message for all events of a kind and subject within a window.</summary>
public sealed record MergedAlert(string Kind, string Subject, string Severity, int Count, DateTimeOffset FirstAt, DateTimeOffset LastAt, TimeSpan Window, IReadOnlyList<string> Aliases, IReadOnlyList<string> Details)
{
    /// <summary>The provider model when <see cref="Subject"/> is a deployment id.</summary>
    public string? Model { get; init; }

    /// <summary>
    /// "breaker opened 14 times on deployment gpt4o-eu (openai/gpt-4o) in 60 s (aliases router.default, draft.fast)";
    /// subjects that are not deployments (an alias, a tenant) are named as they are.
    /// </summary>
    public string Message
    {
        get
        {
            var what = Kind.Replace('_', ' ');
            var times = Count == 1 ? "once" : Count.ToString(CultureInfo.InvariantCulture) + " times";
            var aliases = Aliases.Count == 0 ? "" : $" (aliases {string.Join(", ", Aliases)})";
            var last = Details.Count == 0 ? "" : "; last: " + Details[^1];
            var on = Model is null ? Subject : $"deployment {Subject} ({Model})";
            return $"{what} {times} on {on} in {Window.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s{aliases}{last}";
        }
    }
}
