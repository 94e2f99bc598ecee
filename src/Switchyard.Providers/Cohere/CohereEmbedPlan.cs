namespace Switchyard.Providers.Cohere;

/// <summary>A translated /v2/embed body and how many texts it carries (the answer must hold as many vectors).</summary>
internal sealed record CohereEmbedPlan(byte[] Body, int Count);
