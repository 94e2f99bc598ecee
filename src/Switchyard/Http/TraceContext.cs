namespace Switchyard.Http;

/// <summary>W3C trace context checks.</summary>
public static class TraceContext
{
    /// <summary>version-traceid-parentid-flags: 2-32-16-2 lowercase hex digits, ids not all zero.</summary>
    public static bool IsValidTraceParent(string value)
    {
        if (value.Length != 55 || value[2] != '-' || value[35] != '-' || value[52] != '-')
        {
            return false;
        }

        for (var i = 0; i < value.Length; i++)
        {
            if (i is 2 or 35 or 52)
            {
                continue;
            }

            if (!char.IsAsciiHexDigitLower(value[i]) && !char.IsAsciiDigit(value[i]))
            {
                return false;
            }
        }

        return value[..2] != "ff" && value.AsSpan(3, 32).ContainsAnyExcept('0') && value.AsSpan(36, 16).ContainsAnyExcept('0');
    }
}
