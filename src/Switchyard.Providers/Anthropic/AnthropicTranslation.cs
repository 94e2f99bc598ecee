namespace Switchyard.Providers.Anthropic;

/// <summary>
/// A translated request: the Messages body, the name of the tool that carries structured output (when the caller
/// asked for response_format json_schema or json_object; its answer goes back as plain JSON text), and the caller's
/// parameters dropped under the deployment's drop_params opt-in.
/// </summary>
internal sealed record AnthropicTranslation(byte[] Body, string? JsonTool, IReadOnlyList<string> Dropped);
