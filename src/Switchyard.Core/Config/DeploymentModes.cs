using Switchyard.Core.Requests;

namespace Switchyard.Core.Config;

/// <summary>
/// model_info.mode, as LiteLLM names it, and the operations each mode takes. A deployment without a mode takes every
/// operation its provider family speaks (the adapter refuses the rest as unsupported).
/// </summary>
public static class DeploymentModes
{
    public const string Chat = "chat";
    public const string Completion = "completion";
    public const string Embedding = "embedding";
    public const string ImageGeneration = "image_generation";
    public const string Moderation = "moderation";
    public const string Responses = "responses";
    public const string Rerank = "rerank";

    /// <summary>The modes a config may name.</summary>
    public static readonly IReadOnlyList<string> Known = [Chat, Completion, Embedding, ImageGeneration, Moderation, Responses, Rerank];

    /// <summary>The mode an operation needs of a deployment that names one.</summary>
    public static string For(OperationKind operation) => operation switch
    {
        OperationKind.Embeddings => Embedding,
        OperationKind.Completions => Completion,
        OperationKind.ImageGeneration => ImageGeneration,
        OperationKind.Moderations => Moderation,
        OperationKind.Rerank => Rerank,
        _ => Chat,
    };

    /// <summary>
    /// Whether a deployment with this mode takes the operation: chat (and responses) deployments take chat, Messages and
    /// Responses; every other mode only its own operation; no mode, everything.
    /// </summary>
    public static bool Takes(string? mode, OperationKind operation) => mode switch
    {
        null => true,
        Chat or Responses => operation is OperationKind.Chat or OperationKind.Messages or OperationKind.Responses,
        _ => mode == For(operation),
    };
}
