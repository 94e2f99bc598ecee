namespace Switchyard.Core.Requests;

/// <summary>A request body failed the schema gate; <see cref="Param"/> names the field.</summary>
public sealed class RequestValidationException(string message, string? param, string code = "invalid_request") : Exception(message)
{
    public string? Param { get; } = param;
    public string Code { get; } = code;
}
