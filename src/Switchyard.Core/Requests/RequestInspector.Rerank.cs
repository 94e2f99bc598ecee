using System.Text.Json;

namespace Switchyard.Core.Requests;

/// <summary>
/// The rerank request (Cohere's shape, as LiteLLM's <c>/rerank</c> takes it): <c>model</c>, a non-empty <c>query</c>,
/// 1 to <see cref="MaxRerankDocuments"/> <c>documents</c> (strings, or objects with a <c>text</c> field unless
/// <c>rank_fields</c> names others), <c>top_n</c>, <c>return_documents</c>, <c>rank_fields</c>,
/// <c>max_chunks_per_doc</c> and <c>max_tokens_per_doc</c> checked by type and range; other fields pass through.
/// </summary>
public static partial class RequestInspector
{
    /// <summary>The most documents one rerank request may carry (Cohere's limit).</summary>
    public const int MaxRerankDocuments = 1000;

    private static RequestInfo InspectRerank(ref Utf8JsonReader r)
    {
        ExpectObjectStart(ref r);
        string? model = null;
        int modelStart = 0, modelLength = 0, documents = -1, firstWithoutText = -1;
        var hasQuery = false;
        var hasRankFields = false;
        var billed = new List<int>(4);
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            var from = (int)r.BytesConsumed;
            if (r.ValueTextEquals("model"u8))
            {
                (model, modelStart, modelLength) = ReadModel(ref r);
            }
            else if (r.ValueTextEquals("query"u8))
            {
                r.Read();
                if (r.TokenType != JsonTokenType.String)
                {
                    throw new RequestValidationException("'query' must be a string", "query", "invalid_type");
                }

                if (r.ValueSpan.Length == 0)
                {
                    throw new RequestValidationException("'query' must not be empty", "query", "invalid_value");
                }

                hasQuery = true;
                billed.Add(from);
                billed.Add((int)r.BytesConsumed);
            }
            else if (r.ValueTextEquals("documents"u8))
            {
                (documents, firstWithoutText) = ReadRerankDocuments(ref r);
                billed.Add(from);
                billed.Add((int)r.BytesConsumed);
            }
            else if (r.ValueTextEquals("top_n"u8))
            {
                ReadPositiveInt(ref r, "top_n");
            }
            else if (r.ValueTextEquals("max_chunks_per_doc"u8))
            {
                ReadPositiveInt(ref r, "max_chunks_per_doc");
            }
            else if (r.ValueTextEquals("max_tokens_per_doc"u8))
            {
                ReadPositiveInt(ref r, "max_tokens_per_doc");
            }
            else if (r.ValueTextEquals("return_documents"u8))
            {
                ReadBool(ref r, "return_documents");
            }
            else if (r.ValueTextEquals("rank_fields"u8))
            {
                hasRankFields = ReadRankFields(ref r);
            }
            else
            {
                r.Read();
                r.Skip();
            }
        }

        EnsureEnd(ref r);
        RequireModel(model);
        if (!hasQuery)
        {
            throw new RequestValidationException("'query' is required", "query", "missing_field");
        }

        if (documents < 0)
        {
            throw new RequestValidationException("'documents' is required: the texts to rank", "documents", "missing_field");
        }

        if (firstWithoutText >= 0 && !hasRankFields)
        {
            throw new RequestValidationException(
                $"documents[{firstWithoutText}] is an object without a 'text' string; give it one or name its fields in 'rank_fields'", $"documents[{firstWithoutText}]", "invalid_value");
        }

        return new RequestInfo
        {
            Operation = OperationKind.Rerank,
            Model = model!,
            ModelValueStart = modelStart,
            ModelValueLength = modelLength,
            Documents = documents,
            BilledRanges = billed,
        };
    }

    /// <summary>The number of documents and the first object document without a <c>text</c> string (-1 when none).</summary>
    private static (int Count, int FirstWithoutText) ReadRerankDocuments(ref Utf8JsonReader r)
    {
        r.Read();
        if (r.TokenType != JsonTokenType.StartArray)
        {
            throw new RequestValidationException("'documents' must be an array of strings or objects", "documents", "invalid_type");
        }

        var count = 0;
        var withoutText = -1;
        while (r.Read() && r.TokenType != JsonTokenType.EndArray)
        {
            if (count == MaxRerankDocuments)
            {
                throw new RequestValidationException($"'documents' holds more than {MaxRerankDocuments} documents; split the request", "documents", "invalid_value");
            }

            if (r.TokenType == JsonTokenType.StartObject)
            {
                var hasText = false;
                while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
                {
                    var text = r.ValueTextEquals("text"u8);
                    r.Read();
                    hasText |= text && r.TokenType == JsonTokenType.String;
                    r.Skip();
                }

                if (!hasText && withoutText < 0)
                {
                    withoutText = count;
                }
            }
            else if (r.TokenType != JsonTokenType.String)
            {
                throw new RequestValidationException($"documents[{count}] must be a string or an object", $"documents[{count}]", "invalid_type");
            }

            count++;
        }

        if (count == 0)
        {
            throw new RequestValidationException("'documents' must not be empty", "documents", "invalid_value");
        }

        return (count, withoutText);
    }

    /// <summary>rank_fields: an array of field names (null allowed); true when it names at least one.</summary>
    private static bool ReadRankFields(ref Utf8JsonReader r)
    {
        r.Read();
        if (r.TokenType == JsonTokenType.Null)
        {
            return false;
        }

        if (r.TokenType != JsonTokenType.StartArray)
        {
            throw new RequestValidationException("'rank_fields' must be an array of field names", "rank_fields", "invalid_type");
        }

        var count = 0;
        while (r.Read() && r.TokenType != JsonTokenType.EndArray)
        {
            if (r.TokenType != JsonTokenType.String || r.ValueSpan.Length == 0)
            {
                throw new RequestValidationException($"rank_fields[{count}] must be a non-empty string", $"rank_fields[{count}]", "invalid_type");
            }

            count++;
        }

        return count > 0;
    }
}
