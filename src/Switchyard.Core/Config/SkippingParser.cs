using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Switchyard.Core.Config;

/// <summary>Passes a YAML event stream on without the mapping entries whose key event index is in <paramref name="skipKeys"/>.</summary>
internal sealed class SkippingParser(IParser inner, IReadOnlySet<int> skipKeys) : IParser
{
    private int _index = -1;

    public ParsingEvent? Current => inner.Current;

    public bool MoveNext()
    {
        while (inner.MoveNext())
        {
            _index++;
            if (!skipKeys.Contains(_index))
            {
                return true;
            }

            SkipValue();
        }

        return false;
    }

    private void SkipValue()
    {
        var depth = 0;
        do
        {
            if (!inner.MoveNext())
            {
                return;
            }

            _index++;
            depth += inner.Current switch
            {
                MappingStart or SequenceStart => 1,
                MappingEnd or SequenceEnd => -1,
                _ => 0,
            };
        }
        while (depth > 0);
    }
}
