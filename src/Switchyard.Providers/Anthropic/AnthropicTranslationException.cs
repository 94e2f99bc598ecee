namespace Switchyard.Providers.Anthropic;

/// <summary>
/// The caller's request cannot be expressed in the Messages API (for example tool arguments that are not a JSON
/// object). It becomes a caller error naming <see cref="Param"/>; nothing is sent upstream.
/// </summary>
internal sealed class AnthropicTranslationException(string param, string message, string code = "invalid_value") : Exception(message)
{
    public string Param { get; } = param;

    public string Code { get; } = code;
}
