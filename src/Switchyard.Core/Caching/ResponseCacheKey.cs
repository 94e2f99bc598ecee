using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Switchyard.Core.Requests;

namespace Switchyard.Core.Caching;

/// <summary>
/// The exact-match cache key: SHA-256 (64 hex digits, as LiteLLM's <c>x-litellm-cache-key</c>) over the isolation scope
/// (the tenant), the operation, the route, the namespace and the body's fields that decide the answer, each top-level
/// field once, sorted by name, whitespace-insensitive. Fields that do not change the answer are left out: <c>model</c>
/// (the route stands for it), <c>stream</c> and <c>stream_options</c> (a streamed and a whole call share an entry),
/// <c>user</c>, <c>metadata</c> and <c>cache</c> itself. Nested objects are hashed in the order they were sent.
/// One pass over the body collects the field ranges and the request's <see cref="CacheControls"/>.
/// </summary>
public static class ResponseCacheKey
{
    private static ReadOnlySpan<byte> Version => "switchyard-cache-v1"u8;

    /// <summary>The key, the request's cache controls and where its <c>cache</c> field sits (to take it out before the body goes upstream).</summary>
    public static CacheKeyResult Compute(ReadOnlySpan<byte> body, string scope, OperationKind operation, string route, string? configNamespace)
    {
        var fields = new List<(string Name, int Start, int End)>(16);
        var controls = default(CacheControls);
        (int Start, int End)? cacheField = null;
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new RequestValidationException("the body must be a JSON object", null);
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var nameStart = (int)reader.TokenStartIndex;
            var name = reader.GetString()!;
            reader.Read();
            var start = (int)reader.TokenStartIndex;
            if (name == "cache")
            {
                controls = ReadControls(ref reader);
                cacheField = (nameStart, (int)reader.BytesConsumed);
                continue;
            }

            reader.Skip();
            if (name is "model" or "stream" or "stream_options" or "user" or "metadata")
            {
                continue;
            }

            fields.Add((name, start, (int)reader.BytesConsumed));
        }

        fields.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        using var sink = new HashSink();
        sink.Append(Version);
        sink.Append(0);
        sink.Text(scope);
        sink.Text(operation.ToString());
        sink.Text(route);
        sink.Text(configNamespace ?? "");
        sink.Text(controls.Namespace ?? "");
        foreach (var (name, start, end) in fields)
        {
            sink.Text(name);
            Canonical(sink, body[start..end]);
            sink.Append(0);
        }

        return new CacheKeyResult(sink.HexDigest(), controls, cacheField);
    }

    /// <summary>A value as its tokens (type and raw text), so whitespace between them does not change the key.</summary>
    private static void Canonical(HashSink sink, ReadOnlySpan<byte> value)
    {
        var reader = new Utf8JsonReader(value, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
        while (reader.Read())
        {
            sink.Append((byte)('A' + (int)reader.TokenType));
            sink.Append(reader.ValueSpan);
            sink.Append(0); // raw JSON never holds a NUL byte (control characters are escaped)
        }
    }

    /// <summary>Feeds SHA-256 through a pooled 4 KB buffer: no copy of the body, a few small allocations per key.</summary>
    private sealed class HashSink : IDisposable
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private readonly byte[] _buffer = ArrayPool<byte>.Shared.Rent(4096);
        private int _used;

        public void Append(byte b)
        {
            if (_used == _buffer.Length)
            {
                Flush();
            }

            _buffer[_used++] = b;
        }

        public void Append(ReadOnlySpan<byte> data)
        {
            if (data.Length > _buffer.Length - _used)
            {
                Flush();
                if (data.Length >= _buffer.Length)
                {
                    _hash.AppendData(data);
                    return;
                }
            }

            data.CopyTo(_buffer.AsSpan(_used));
            _used += data.Length;
        }

        public void Text(string text)
        {
            var max = Encoding.UTF8.GetMaxByteCount(text.Length);
            if (max > _buffer.Length - _used)
            {
                Flush();
            }

            if (max <= _buffer.Length)
            {
                _used += Encoding.UTF8.GetBytes(text, _buffer.AsSpan(_used));
            }
            else
            {
                _hash.AppendData(Encoding.UTF8.GetBytes(text));
            }

            Append(0);
        }

        public string HexDigest()
        {
            Flush();
            Span<byte> digest = stackalloc byte[32];
            _hash.GetHashAndReset(digest);
            return Convert.ToHexStringLower(digest);
        }

        public void Dispose()
        {
            _hash.Dispose();
            ArrayPool<byte>.Shared.Return(_buffer);
        }

        private void Flush()
        {
            _hash.AppendData(_buffer.AsSpan(0, _used));
            _used = 0;
        }
    }

    private static CacheControls ReadControls(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return default;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new RequestValidationException("'cache' must be an object such as {\"no-cache\": true} or {\"ttl\": 300}", "cache");
        }

        var c = default(CacheControls);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString();
            reader.Read();
            switch (name)
            {
                case "no-cache": c = c with { NoCache = Flag(ref reader, name) }; break;
                case "no-store": c = c with { NoStore = Flag(ref reader, name) }; break;
                case "use-cache": c = c with { UseCache = Flag(ref reader, name) }; break;
                case "ttl": c = c with { Ttl = Seconds(ref reader, name, allowZero: false) }; break;
                case "s-maxage": c = c with { MaxAge = Seconds(ref reader, name, allowZero: true) }; break;
                case "namespace":
                    if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.Null))
                    {
                        throw new RequestValidationException("'cache.namespace' must be a string", "cache.namespace");
                    }

                    c = c with { Namespace = reader.GetString() };
                    break;
                default:
                    reader.Skip(); // LiteLLM ignores cache controls it does not know too
                    break;
            }
        }

        return c;
    }

    private static bool Flag(ref Utf8JsonReader reader, string name) => reader.TokenType switch
    {
        JsonTokenType.True => true,
        JsonTokenType.False or JsonTokenType.Null => false,
        _ => throw new RequestValidationException($"'cache.{name}' must be true or false", "cache." + name),
    };

    private static TimeSpan? Seconds(ref Utf8JsonReader reader, string name, bool allowZero)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetDouble(out var seconds) || double.IsNaN(seconds) || seconds < 0 || (!allowZero && seconds == 0) || seconds > 366 * 86400)
        {
            throw new RequestValidationException($"'cache.{name}' must be a number of seconds {(allowZero ? "from 0" : "above 0")} up to a year", "cache." + name);
        }

        return TimeSpan.FromSeconds(seconds);
    }
}

/// <summary>The cache key of a request, its cache controls, and the byte range of its <c>cache</c> field (with its name) when it sent one.</summary>
public readonly record struct CacheKeyResult(string Key, CacheControls Controls, (int Start, int End)? CacheField);
