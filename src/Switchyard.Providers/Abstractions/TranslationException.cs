namespace Switchyard.Providers.Abstractions;

/// <summary>
/// The caller's request cannot be expressed in a provider's API. The adapter's request translator turns it into a
/// caller error naming <see cref="Param"/>; nothing is sent upstream. With <see cref="NoEquivalent"/> set the request
/// is valid but asks for something the provider cannot do (logprobs, seed, n above 1, ...): the failure is
/// <see cref="Core.Failures.FailureKind.Unsupported"/>, so another deployment of the group may still take it.
/// Shared by the Anthropic, Gemini, Bedrock and Cohere translators (which reuse each other's converters).
/// </summary>
internal sealed class TranslationException(string param, string message, string code = "invalid_value", bool noEquivalent = false) : Exception(message)
{
    public string Param { get; } = param;

    public string Code { get; } = code;

    public bool NoEquivalent { get; } = noEquivalent;
}
