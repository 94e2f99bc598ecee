using System.Globalization;

namespace Switchyard.Core.Config;

/// <summary>Parses durations: bare numbers are seconds; suffixes ms, s, m, h, d.</summary>
public static class DurationParser
{
    public static bool TryParse(string text, out TimeSpan value)
    {
        value = default;
        text = text.Trim();
        var (number, unit) = Split(text);
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) || double.IsNaN(n) || double.IsInfinity(n))
        {
            return false;
        }

        double? ms = unit switch
        {
            "" or "s" => n * 1000,
            "ms" => n,
            "m" => n * 60_000,
            "h" => n * 3_600_000,
            "d" => n * 86_400_000,
            _ => null,
        };
        if (ms is null || ms > TimeSpan.MaxValue.TotalMilliseconds / 2)
        {
            return false;
        }

        value = TimeSpan.FromMilliseconds(ms.Value);
        return true;
    }

    private static (string Number, string Unit) Split(string text)
    {
        var i = text.Length;
        while (i > 0 && char.IsAsciiLetter(text[i - 1]))
        {
            i--;
        }

        return (text[..i], text[i..].ToLowerInvariant());
    }
}
