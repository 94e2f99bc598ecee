using Switchyard.Core.Config;
using Switchyard.Core.Usage;

namespace Switchyard.Hosting;

/// <summary>
/// At start, one warning line per enabled provider deployment without a price (<see cref="PriceTable.IsUnpriced"/>):
/// its calls count as $0 against budgets and in spend reports, which the operator should learn before the bill does.
/// </summary>
internal static partial class UnpricedDeployments
{
    public static void Warn(ILogger logger, GatewayConfig config)
    {
        foreach (var d in config.Deployments.Where(PriceTable.IsUnpriced))
        {
            LogUnpriced(logger, d.Id, d.QualifiedModel, d.ModelName);
        }
    }

    [LoggerMessage(EventId = 110, Level = LogLevel.Warning, Message = "deployment {Deployment} ({Model}, group {Group}) has no price: its spend counts as $0 in budgets and spend reports; set model_info.input_cost_per_token and output_cost_per_token")]
    private static partial void LogUnpriced(ILogger logger, string deployment, string model, string group);
}
