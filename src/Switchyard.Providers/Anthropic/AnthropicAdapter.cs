using Switchyard.Core.Config;
using Switchyard.Core.Failures;
using Switchyard.Core.Routing;
using Switchyard.Providers.Abstractions;
using Switchyard.Providers.Http;

namespace Switchyard.Providers.Anthropic;

/// <summary>Anthropic Messages API (placeholder until the translation lands).</summary>
public sealed class AnthropicAdapter(UpstreamHttp http) : IProviderAdapter
{
    public string Family => ProviderFamilies.Anthropic;

    public ValueTask<AttemptResult<UpstreamResponse>> SendAsync(ProviderRequest request, CancellationToken cancellationToken)
    {
        _ = http;
        return ValueTask.FromResult(AttemptResult<UpstreamResponse>.Fail(new UpstreamFailure(FailureKind.InvalidResponse, null, "anthropic adapter not yet available")));
    }
}
