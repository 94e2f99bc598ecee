namespace Switchyard.Providers.Abstractions;

/// <summary>The adapters by family name.</summary>
public sealed class ProviderRegistry
{
    private readonly Dictionary<string, IProviderAdapter> _byFamily;

    public ProviderRegistry(IEnumerable<IProviderAdapter> adapters)
    {
        _byFamily = adapters.ToDictionary(a => a.Family, StringComparer.Ordinal);
    }

    public IProviderAdapter Get(string family)
        => _byFamily.TryGetValue(family, out var a) ? a : throw new InvalidOperationException($"no adapter for provider family '{family}'");
}
