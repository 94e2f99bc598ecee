using System.Buffers;
using Switchyard.Core.Failures;
using Switchyard.Core.Requests;

namespace Switchyard.Providers.Abstractions;

/// <summary>
/// One provider's stream translation as <see cref="TranslatedStreamResponse{TFrame}"/> drives it: upstream frames
/// (SSE events, AWS event-stream messages) in, OpenAI chunks out. The translators implement it explicitly, so their
/// own Handle/Complete surface stays as it is.
/// </summary>
internal interface IStreamTranslator<in TFrame> : IDisposable
{
    /// <summary>Whether the provider's end-of-answer frame arrived.</summary>
    bool Finished { get; }

    /// <summary>True when the end frame is the last one read (the relay stops there); false when the stream ends at its close.</summary>
    bool EndsAtFinish { get; }

    /// <summary>The failure detail for a stream that closed before <see cref="Finished"/>.</summary>
    string UnfinishedDetail { get; }

    /// <summary>The failure detail for a frame the translator threw on (broken JSON, a wrong shape).</summary>
    string InvalidFrameDetail { get; }

    /// <summary>The usage seen so far.</summary>
    Usage SeenUsage();

    /// <summary>Translates one frame; true when it wants a flush. <paramref name="failure"/> is set when the frame breaks the stream.</summary>
    bool Translate(TFrame frame, IBufferWriter<byte> output, out UpstreamFailure? failure);

    /// <summary>Writes what ends a finished stream (final chunks, <c>[DONE]</c>); true when it wrote anything.</summary>
    bool Complete(IBufferWriter<byte> output);
}

/// <summary>A stream translator that also judges the first frame, read before the router commits.</summary>
internal interface IStreamStart<in TFrame> : IStreamTranslator<TFrame>
{
    /// <summary>Whether a frame carries nothing (blank SSE data) and is skipped while waiting for the first one.</summary>
    bool IsBlank(TFrame frame);

    /// <summary>The failure the first frame means (an error event, a blocked prompt), else null.</summary>
    UpstreamFailure? StartFailure(TFrame first);
}

/// <summary>The stream's framing broke (a CRC mismatch, a bad length, a message cut off).</summary>
internal class StreamFormatException(string message) : Exception(message);
