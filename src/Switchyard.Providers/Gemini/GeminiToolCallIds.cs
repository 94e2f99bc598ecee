using System.Security.Cryptography;

namespace Switchyard.Providers.Gemini;

/// <summary>
/// Gemini function calls carry no id the OpenAI formats can use (older models give none), but a thinking model gives a
/// <c>thoughtSignature</c> that must come back on the same call in the next turn of a tool loop. So the gateway makes
/// the tool-call id itself and, when there is a signature, carries it inside the id (<c>call_X__thought__SIG</c>,
/// LiteLLM's convention): the caller sends the id back untouched, and the signature goes back to Gemini with it.
/// </summary>
internal static class GeminiToolCallIds
{
    private const string Separator = "__thought__";

    /// <summary>A new id for a function call, carrying <paramref name="signature"/> when there is one.</summary>
    public static string Create(string? upstreamId, string? signature)
    {
        var id = upstreamId is { Length: > 0 and <= 64 } && !upstreamId.Contains(Separator, StringComparison.Ordinal)
            ? upstreamId
            : "call_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        return string.IsNullOrEmpty(signature) ? id : id + Separator + signature;
    }

    /// <summary>The thought signature an id carries, or null.</summary>
    public static string? Signature(string id)
    {
        var at = id.IndexOf(Separator, StringComparison.Ordinal);
        return at < 0 || at + Separator.Length == id.Length ? null : id[(at + Separator.Length)..];
    }
}
