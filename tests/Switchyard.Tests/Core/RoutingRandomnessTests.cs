using Switchyard.Core.Config;
using Switchyard.Core.Routing;

namespace Switchyard.Tests.Core;

/// <summary>Routing draws its randomness from the injected Random: a scripted or seeded one makes every choice reproducible.</summary>
public sealed class RoutingRandomnessTests
{
    private static RouteTable Table() => new(
        ConfigLoader.Load("""
            model_list:
              - model_name: chat
                litellm_params:
                  model: mock/light
                  weight: 1
                model_info:
                  id: light
              - model_name: chat
                litellm_params:
                  model: mock/heavy
                  weight: 3
                model_info:
                  id: heavy
              - model_name: next
                litellm_params:
                  model: mock/next
                model_info:
                  id: next-1
            router_settings:
              model_group_alias:
                router.default: chat
            switchyard:
              canaries:
                router.default: {target: next, percent: 10}
            general_settings:
              master_key: sk-unit-test-key
            """, Path.GetTempPath(), _ => null),
        new DeploymentStateRegistry(TimeProvider.System));

    private static string? Pick(RouteGroup group, Random random) =>
        DeploymentSelector.Pick(group, RoutingStrategy.SimpleShuffle, DateTimeOffset.UnixEpoch, [], static (_, _) => true, random)?.Config.Id;

    [Theory]
    [InlineData(0.0, "heavy")]
    [InlineData(0.74, "heavy")] // 0.74 * (1 + 3) = 2.96 < 3: the weight-3 deployment keeps the draw
    [InlineData(0.76, "light")] // 3.04 >= 3: the weight-1 deployment stays
    [InlineData(0.99, "light")]
    public void Pick_WeightedShuffleWithScriptedDraw_ChoosesByWeightFromTheInjectedRandom(double draw, string expected)
    {
        var group = Table().Resolve("chat")!;

        Assert.Equal(expected, Pick(group, new ScriptedRandom(draw)));
    }

    [Fact]
    public void Pick_SameSeed_SameSequenceOfChoicesInTheConfiguredProportion()
    {
        var group = Table().Resolve("chat")!;
        var first = new Random(7);
        var second = new Random(7);

        var a = Enumerable.Range(0, 400).Select(_ => Pick(group, first)).ToArray();
        var b = Enumerable.Range(0, 400).Select(_ => Pick(group, second)).ToArray();

        Assert.Equal(a, b);
        var heavy = a.Count(id => id == "heavy");
        Assert.InRange(heavy, 260, 340); // weight 3 of 4: about 300 of 400 for any seed; fixed for this one
    }

    [Theory]
    [InlineData(0.099, "next")]
    [InlineData(0.10, null)]
    [InlineData(0.5, null)]
    public void DrawCanary_ScriptedDraw_SplitsAtTheConfiguredPercent(double draw, string? expected)
    {
        Assert.Equal(expected, Table().DrawCanary("router.default", new ScriptedRandom(draw))?.Name);
    }

    /// <summary>A Random whose every draw is the same value.</summary>
    private sealed class ScriptedRandom(double value) : Random
    {
        public override double NextDouble() => value;

        protected override double Sample() => value;
    }
}
