using Switchyard.Core.Config;

namespace Switchyard.Core.Routing;

/// <summary>
/// The settings one deployment's long-lived state runs under: its breaker thresholds and its own rpm/tpm from
/// model_list. Immutable; a config reload builds a new one and swaps it in with one reference write, so a request
/// never sees the breaker settings of one snapshot with the limits of another.
/// </summary>
public sealed record DeploymentRuntime(BreakerSettings Breaker, int? Rpm, int? Tpm);
