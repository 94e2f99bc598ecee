using Switchyard.Core.Config;

namespace Switchyard.Hosting;

/// <summary>
/// Lines an operator must see when the gateway starts: groups that answer from the offline standby's mock (with no
/// provider key set, agents get mock text and HTTP 200; docs/operations.md, "Offline standby").
/// </summary>
public sealed partial class StartupNotices(GatewayState state, ILogger<StartupNotices> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        Report(logger, state.Current.Config);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Logs the offline standby warning for <paramref name="config"/>, if any group is served by one (at start and after a reload).</summary>
    public static void Report(ILogger logger, GatewayConfig config)
    {
        var serving = OfflineStandby.Serving(config);
        if (serving.Count > 0)
        {
            LogOfflineStandby(logger, OfflineStandby.Describe(serving));
        }
    }

    [LoggerMessage(EventId = 130, Level = LogLevel.Warning, Message = "offline standby: {What}. Agents get mock answers (HTTP 200, header x-switchyard-offline-standby) until a provider key is configured: set OPENAI_API_KEY or ANTHROPIC_API_KEY (COHERE_API_KEY for rerank.default) for the embedded default, or give each model_list entry an api_key, then restart or run switchyard reload")]
    private static partial void LogOfflineStandby(ILogger logger, string what);
}
