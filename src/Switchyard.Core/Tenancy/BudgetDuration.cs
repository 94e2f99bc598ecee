using System.Globalization;

namespace Switchyard.Core.Tenancy;

/// <summary>A budget period: seconds, minutes, hours, days or calendar months (<c>30s</c>, <c>30m</c>, <c>24h</c>, <c>30d</c>, <c>1mo</c>).</summary>
public readonly record struct BudgetDuration(int Amount, char Unit)
{
    public static bool TryParse(string? text, out BudgetDuration value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        text = text.Trim().ToLowerInvariant();
        var unit = text.EndsWith("mo", StringComparison.Ordinal) ? 'M' : text[^1];
        var number = unit == 'M' ? text[..^2] : text[..^1];
        if (unit is not ('s' or 'm' or 'h' or 'd' or 'M') || !int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n <= 0 || n > 100_000)
        {
            return false;
        }

        value = new BudgetDuration(n, unit);
        return true;
    }

    public DateTimeOffset Next(DateTimeOffset from) => Unit switch
    {
        's' => from.AddSeconds(Amount),
        'm' => from.AddMinutes(Amount),
        'h' => from.AddHours(Amount),
        'd' => from.AddDays(Amount),
        _ => from.AddMonths(Amount),
    };

    public override string ToString() => Unit == 'M' ? $"{Amount}mo" : $"{Amount}{Unit}";
}
