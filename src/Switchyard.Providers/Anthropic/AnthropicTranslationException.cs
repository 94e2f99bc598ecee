namespace Switchyard.Providers.Anthropic;

/// <summary>
/// The caller's request cannot be expressed in the Messages API (for example tool arguments that are not a JSON
/// object). It becomes a caller error naming <see cref="Param"/>; nothing is sent upstream. When
/// <see cref="NoEquivalent"/> is set, the request is valid but asks for something Anthropic cannot do (logprobs,
/// seed, ...): the failure is <see cref="Core.Failures.FailureKind.Unsupported"/>, so another deployment of the
/// group may still take it.
/// </summary>
internal sealed class AnthropicTranslationException(string param, string message, string code = "invalid_value", bool noEquivalent = false) : Exception(message)
{
    public string Param { get; } = param;

    public string Code { get; } = code;

    public bool NoEquivalent { get; } = noEquivalent;
}
