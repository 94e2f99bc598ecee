namespace Switchyard.Core.Requests;

/// <summary>The protocol a request came in with; also the wire format a deployment is sent when it speaks it natively.</summary>
public enum OperationKind
{
    /// <summary>OpenAI Chat Completions (<c>POST /v1/chat/completions</c>): the gateway's canonical format.</summary>
    Chat,

    /// <summary>OpenAI Embeddings (<c>POST /v1/embeddings</c>).</summary>
    Embeddings,

    /// <summary>Anthropic Messages (<c>POST /v1/messages</c>).</summary>
    Messages,

    /// <summary>OpenAI Responses (<c>POST /v1/responses</c>).</summary>
    Responses,

    /// <summary>OpenAI legacy Completions (<c>POST /v1/completions</c>): a <c>prompt</c>, a <c>text_completion</c> answer.</summary>
    Completions,

    /// <summary>OpenAI Images (<c>POST /v1/images/generations</c>).</summary>
    ImageGeneration,

    /// <summary>OpenAI Moderations (<c>POST /v1/moderations</c>).</summary>
    Moderations,

    /// <summary>Cohere-style rerank (<c>POST /rerank</c>, <c>/v1/rerank</c>, <c>/v2/rerank</c>): a query and documents, ranked.</summary>
    Rerank,
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

    /// <summary>Legacy <c>functions</c> declared (billed like tools).</summary>
    public int FunctionCount { get; init; }

    /// <summary>Completions asked for (chat and legacy completions <c>n</c>, images <c>n</c>; default 1).</summary>
    public int Choices { get; init; } = 1;

    /// <summary>Rerank <c>documents</c> sent (what Cohere's search units are counted from); 0 for other operations.</summary>
    public int Documents { get; init; }

    /// <summary>
    /// Where the text the provider bills sits in the body, as start and end offsets in pairs: chat <c>messages</c>,
    /// <c>tools</c>, <c>functions</c>, <c>response_format</c>, <c>tool_choice</c>; embeddings <c>input</c>. The prompt
    /// estimate bounds these stretches without reading the body again.
    /// </summary>
    public IReadOnlyList<int> BilledRanges { get; init; } = [];

    /// <summary>Responses <c>store</c> (default true): the gateway keeps the answer for <c>previous_response_id</c> and GET.</summary>
    public bool Store { get; init; } = true;

    /// <summary>Responses <c>previous_response_id</c>: the stored conversation this request continues.</summary>
    public string? PreviousResponseId { get; init; }

    /// <summary>
    /// The prompt's token estimate when an ingress codec computed it while translating (a Messages request sent as
    /// chat): a translated stream reports it in message_start, before the upstream's own usage arrives at the end.
    /// </summary>
    public long? PromptTokensEstimate { get; init; }
}
