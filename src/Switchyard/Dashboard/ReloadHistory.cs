using Switchyard.Core.Config;

namespace Switchyard.Dashboard;

/// <summary>One config reload as GET /ui/api/reloads shows it.</summary>
public sealed record ReloadEntry(DateTimeOffset Time, string Trigger, bool Succeeded, string? ConfigHash,
    IReadOnlyList<ConfigDiagnostic> Errors, IReadOnlyList<ConfigDiagnostic> Warnings, IReadOnlyList<ConfigDiagnostic> RestartRequired);

/// <summary>The last reloads of this replica (ConfigReloader records each one, refused or not), newest first.</summary>
public sealed class ReloadHistory
{
    public const int Capacity = 50;

    private readonly BoundedRing<ReloadEntry> _ring = new(Capacity);

    public void Add(ReloadEntry entry) => _ring.Add(entry);

    public IReadOnlyList<ReloadEntry> NewestFirst() => _ring.NewestFirst();
}
