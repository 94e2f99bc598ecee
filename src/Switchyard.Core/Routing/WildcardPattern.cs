using System.Text.RegularExpressions;

namespace Switchyard.Core.Routing;

/// <summary>
/// A wildcard model_name (<c>*</c>, <c>openai/*</c>, <c>anthropic/claude-*</c>): each <c>*</c> matches any run of
/// characters, the rest literally, over the whole name. The runs it matched fill the <c>*</c>s of the deployment's
/// litellm_params.model in order, as LiteLLM's pattern router does.
/// </summary>
public sealed class WildcardPattern
{
    private readonly Regex _regex;

    public WildcardPattern(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        Pattern = pattern;
        Stars = pattern.Count(c => c == '*');

        // Non-backtracking: a name a caller sends can never make several *s take time polynomial in its length.
        _regex = new Regex("^" + Regex.Escape(pattern).Replace("\\*", "(.*)", StringComparison.Ordinal) + "$",
            RegexOptions.CultureInvariant | RegexOptions.NonBacktracking | RegexOptions.Singleline);
    }

    public string Pattern { get; }

    public int Stars { get; }

    /// <summary>Whether a model_name is a pattern rather than a group's name.</summary>
    public static bool IsPattern(string name) => name.Contains('*', StringComparison.Ordinal);

    /// <summary>The runs the <c>*</c>s matched, in order; null when <paramref name="name"/> does not match.</summary>
    public string[]? Match(string name)
    {
        var m = _regex.Match(name);
        if (!m.Success)
        {
            return null;
        }

        var runs = new string[m.Groups.Count - 1];
        for (var i = 1; i < m.Groups.Count; i++)
        {
            runs[i - 1] = m.Groups[i].Value;
        }

        return runs;
    }

    public bool IsMatch(string name) => _regex.IsMatch(name);

    /// <summary>
    /// Whether <paramref name="name"/> matches <paramref name="pattern"/> (<c>*</c>: any run, the rest literal, the
    /// whole name), without building a regex: for access lists, checked per request. Greedy with one backtrack point,
    /// so at most pattern length × name length steps.
    /// </summary>
    public static bool Matches(string pattern, string name)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(name);
        int p = 0, n = 0, star = -1, mark = 0;
        while (n < name.Length)
        {
            if (p < pattern.Length && pattern[p] != '*' && pattern[p] == name[n])
            {
                p++;
                n++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                mark = n;
            }
            else if (star >= 0)
            {
                p = star + 1;
                n = ++mark;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }

    /// <summary>
    /// The deployment's model with the matched runs in its <c>*</c>s, left to right. A model without <c>*</c> is kept;
    /// when the pattern matched more runs than the model has <c>*</c>s, the name requested is the model (LiteLLM's rule).
    /// </summary>
    public static string Substitute(string model, IReadOnlyList<string> runs, string requested)
    {
        var stars = model.Count(c => c == '*');
        if (stars == 0)
        {
            return model;
        }

        if (runs.Count > stars)
        {
            return requested;
        }

        var result = new System.Text.StringBuilder(model.Length + requested.Length);
        var next = 0;
        foreach (var c in model)
        {
            if (c == '*' && next < runs.Count)
            {
                result.Append(runs[next++]);
            }
            else
            {
                result.Append(c);
            }
        }

        return result.ToString();
    }
}
