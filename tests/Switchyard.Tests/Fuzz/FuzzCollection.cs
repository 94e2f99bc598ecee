namespace Switchyard.Tests.Fuzz;

/// <summary>
/// The fuzz tests run alone (after the parallel tests), so the unobserved-task-exception check sees only their tasks.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FuzzCollection
{
    public const string Name = "fuzz";
}
