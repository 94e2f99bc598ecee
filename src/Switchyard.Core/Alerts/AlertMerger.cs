namespace Switchyard.Core.Alerts;

/// <summary>
/// Merges alert events per (kind, subject): the first event opens a window; when it ends, one
/// <see cref="MergedAlert"/> goes out with the count, the aliases involved and the last few details.
/// Not thread-safe: one loop owns it.
/// </summary>
public sealed class AlertMerger(TimeSpan window)
{
    private const int KeptDetails = 3;
    private readonly Dictionary<(string Kind, string Subject), Pending> _open = [];

    public TimeSpan Window => window;

    public void Add(AlertEvent e)
    {
        var key = (e.Kind, e.Subject);
        if (!_open.TryGetValue(key, out var p))
        {
            p = new Pending(e.At, e.Severity, e.Model);
            _open[key] = p;
        }

        p.Count++;
        p.Last = e.At;
        foreach (var a in e.Aliases)
        {
            p.Aliases.Add(a);
        }

        p.Details.Add(e.Detail);
        if (p.Details.Count > KeptDetails)
        {
            p.Details.RemoveAt(0);
        }
    }

    /// <summary>Windows that ended by <paramref name="now"/>, as merged alerts (removed from the open set).</summary>
    public IReadOnlyList<MergedAlert> Due(DateTimeOffset now, bool all = false)
    {
        List<MergedAlert>? due = null;
        foreach (var ((kind, subject), p) in _open)
        {
            if (all || now - p.First >= window)
            {
                (due ??= []).Add(new MergedAlert(kind, subject, p.Severity, p.Count, p.First, p.Last, window, p.Aliases.Order(StringComparer.Ordinal).ToArray(), p.Details.ToArray()) { Model = p.Model });
            }
        }

        foreach (var m in due ?? [])
        {
            _open.Remove((m.Kind, m.Subject));
        }

        return due ?? (IReadOnlyList<MergedAlert>)[];
    }

    /// <summary>When the earliest open window ends, or null when none is open.</summary>
    public DateTimeOffset? NextDue()
    {
        DateTimeOffset? next = null;
        foreach (var p in _open.Values)
        {
            var end = p.First + window;
            if (next is null || end < next)
            {
                next = end;
            }
        }

        return next;
    }

    private sealed class Pending(DateTimeOffset first, string severity, string? model)
    {
        public string? Model { get; } = model;
        public DateTimeOffset First { get; } = first;
        public string Severity { get; } = severity;
        public DateTimeOffset Last { get; set; }
        public int Count { get; set; }
        public HashSet<string> Aliases { get; } = new(StringComparer.Ordinal);
        public List<string> Details { get; } = [];
    }
}
