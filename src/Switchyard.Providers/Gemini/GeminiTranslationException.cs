namespace Switchyard.Providers.Gemini;

/// <summary>
/// The caller's request cannot be expressed in the Gemini API. It becomes a caller error naming <see cref="Param"/>;
/// nothing is sent upstream. With <see cref="NoEquivalent"/> set the request is valid but asks for something Gemini
/// cannot do (logprobs, n above 1, ...): the failure is <see cref="Core.Failures.FailureKind.Unsupported"/>, so another
/// deployment of the group may still take it.
/// </summary>
internal sealed class GeminiTranslationException(string param, string message, string code = "invalid_value", bool noEquivalent = false) : Exception(message)
{
    public string Param { get; } = param;

    public string Code { get; } = code;

    public bool NoEquivalent { get; } = noEquivalent;
}
