namespace Switchyard.Core.Requests;

public enum OperationKind
{
    Chat,
    Embeddings,
}

/// <summary>What routing needs from a request body, found in one pass; the body itself is passed through.</summary>
public sealed record RequestInfo
{
    public required OperationKind Operation { get; init; }
    public required string Model { get; init; }

    /// <summary>Byte offset and length of the model value (with its quotes), for splicing the upstream id in.</summary>
    public int ModelValueStart { get; init; }
    public int ModelValueLength { get; init; }

    public bool Stream { get; init; }
    public bool IncludeUsage { get; init; }
    public bool HasStreamOptions { get; init; }
    public int? MaxTokens { get; init; }
    public int MessageCount { get; init; }
    public int ToolCount { get; init; }
}
