using Switchyard.Core.Requests;
using Switchyard.Providers.Abstractions;

namespace Switchyard.Ingress;

/// <summary>The registered front-door codecs (Anthropic Messages, OpenAI Responses), found by the protocol they speak.</summary>
public sealed class IngressCodecs(IEnumerable<IIngressCodec> codecs)
{
    private readonly Dictionary<OperationKind, IIngressCodec> _byOperation = codecs.ToDictionary(c => c.Operation);

    /// <summary>The codec for <paramref name="operation"/>; null for Chat Completions and Embeddings, which need none.</summary>
    public IIngressCodec? Get(OperationKind operation) => _byOperation.GetValueOrDefault(operation);

    /// <summary>Whether a protocol with a codec of its own has one registered.</summary>
    public bool Has(OperationKind operation) => _byOperation.ContainsKey(operation);
}

/// <summary>
/// Set on a request that came in through a codec, so every failure written for it (auth, limits, routing, a broken
/// stream) takes that protocol's error shape while keeping the summary's fields, status and headers.
/// </summary>
public sealed class IngressFeature(IIngressCodec codec)
{
    public IIngressCodec Codec { get; } = codec;
}
