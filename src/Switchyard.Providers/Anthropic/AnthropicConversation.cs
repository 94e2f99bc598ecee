using System.Text.Json.Nodes;

namespace Switchyard.Providers.Anthropic;

/// <summary>The translated conversation: the top-level system prompt (string or text blocks, or none) and the turns.</summary>
internal sealed record AnthropicConversation(JsonNode? System, JsonArray Messages);
