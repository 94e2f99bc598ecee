using Microsoft.Extensions.Time.Testing;
using Switchyard.Core.Config;
using Switchyard.Core.Resilience;
using Switchyard.Core.Routing;

namespace Switchyard.Tests.Core;

public sealed class DeploymentStateRegistryTests
{
    [Fact]
    public void Get_NewRuntimeOnReload_SwapsSettingsKeepsStateAndCounters()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var registry = new DeploymentStateRegistry(time);
        var strict = new BreakerSettings { ConsecutiveFailures = 2, FailureRatio = 0 };
        var state = registry.Get("d1", new DeploymentRuntime(new BreakerSettings { ConsecutiveFailures = 10, FailureRatio = 0 }, Rpm: 1, Tpm: null));
        Assert.True(state.TryTakeRequestSlot(time.GetUtcNow()));
        Assert.False(state.TryTakeRequestSlot(time.GetUtcNow()));
        state.Breaker.RecordFailure("answered HTTP 500");

        var reloaded = registry.Get("d1", new DeploymentRuntime(strict, Rpm: 5, Tpm: 100));

        Assert.Same(state, reloaded);
        Assert.Equal(new DeploymentRuntime(strict, 5, 100), state.Runtime);
        Assert.Same(strict, state.Breaker.Settings);
        Assert.True(state.TryTakeRequestSlot(time.GetUtcNow())); // the raised rpm applies to the same window
        state.Breaker.RecordFailure("answered HTTP 500"); // second in a row: the new threshold of 2 opens it
        Assert.Equal(BreakerState.Open, state.Breaker.State);
    }
}
