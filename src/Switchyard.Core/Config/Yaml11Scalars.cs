using System.Globalization;

namespace Switchyard.Core.Config;

/// <summary>
/// Plain scalars as YAML 1.1 reads them (PyYAML, so LiteLLM): <c>20_000</c>, <c>0x1F</c>, <c>0o17</c>/<c>017</c>, <c>1:30</c>
/// (base 60) and <c>+5</c> are integers; <c>1_000.5</c>, <c>.inf</c> are numbers; yes/no/on/off are booleans.
/// YamlDotNet keeps every scalar as text, so the config reader reads them here.
/// </summary>
internal static class Yaml11Scalars
{
    private static readonly HashSet<string> True = new(StringComparer.OrdinalIgnoreCase) { "true", "yes", "on" };
    private static readonly HashSet<string> False = new(StringComparer.OrdinalIgnoreCase) { "false", "no", "off" };

    public static bool TryBool(string text, out bool value)
    {
        value = True.Contains(text);
        return value || False.Contains(text);
    }

    public static bool TryInteger(string text, out long value)
    {
        value = 0;
        var s = text.Trim();
        if (s.Length == 0)
        {
            return false;
        }

        var negative = s[0] == '-';
        if (s[0] is '-' or '+')
        {
            s = s[1..];
        }

        if (s.Length == 0 || s[0] == '_' || s[^1] == '_')
        {
            return false;
        }

        bool ok;
        if (s.Contains(':', StringComparison.Ordinal))
        {
            ok = TrySexagesimal(s, out value);
        }
        else
        {
            var digits = s.Replace("_", "", StringComparison.Ordinal);
            ok = digits switch
            {
                _ when digits.StartsWith("0x", StringComparison.OrdinalIgnoreCase) => long.TryParse(digits[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value),
                _ when digits.StartsWith("0b", StringComparison.OrdinalIgnoreCase) => TryBase(digits[2..], 2, out value),
                _ when digits.StartsWith("0o", StringComparison.OrdinalIgnoreCase) => TryBase(digits[2..], 8, out value),
                _ when digits.Length > 1 && digits[0] == '0' => TryBase(digits[1..], 8, out value),
                _ => digits.All(char.IsAsciiDigit) && long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out value),
            };
        }

        value = negative ? -value : value;
        return ok;
    }

    public static bool TryFloat(string text, out double value)
    {
        var s = text.Trim();
        switch (s.TrimStart('+', '-').ToLowerInvariant())
        {
            case ".inf":
                value = s.StartsWith('-') ? double.NegativeInfinity : double.PositiveInfinity;
                return true;
            case ".nan":
                value = double.NaN;
                return true;
        }

        if (TryInteger(s, out var l))
        {
            value = l;
            return true;
        }

        if (s.StartsWith('_') || s.EndsWith('_'))
        {
            value = 0;
            return false;
        }

        return double.TryParse(s.Replace("_", "", StringComparison.Ordinal), NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    private static bool TryBase(string digits, int radix, out long value)
    {
        value = 0;
        if (digits.Length == 0)
        {
            return false;
        }

        foreach (var c in digits)
        {
            var d = c - '0';
            if (d < 0 || d >= radix || value > (long.MaxValue - d) / radix)
            {
                return false;
            }

            value = (value * radix) + d;
        }

        return true;
    }

    private static bool TrySexagesimal(string s, out long value)
    {
        value = 0;
        var parts = s.Replace("_", "", StringComparison.Ordinal).Split(':');
        for (var i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out var n) || (i > 0 && n > 59) || (i == 0 && parts[i].StartsWith('0')))
            {
                return false;
            }

            value = (value * 60) + n;
        }

        return true;
    }
}
