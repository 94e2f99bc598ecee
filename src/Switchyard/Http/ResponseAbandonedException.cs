namespace Switchyard.Http;

/// <summary>
/// Thrown by a handler, after it wrote and flushed everything it had (a stream's typed error event), to have Kestrel
/// end the response as failed: on HTTP/1.1 the connection closes without the chunked body's last chunk, on HTTP/2 the
/// stream is reset. Clients that ignore error events then still see a broken transfer instead of a complete answer.
/// </summary>
public sealed class ResponseAbandonedException() : Exception("the response was ended without completing its body");
