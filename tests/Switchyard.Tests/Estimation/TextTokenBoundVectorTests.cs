using System.Text;
using Switchyard.Core.Usage;

namespace Switchyard.Tests.Estimation;

/// <summary>
/// The 512-bit byte classification gives the masks of the two 256-bit halves it replaces, for every byte value (both
/// paths compute correctly without the hardware too, so the comparison holds on any machine).
/// </summary>
public sealed class TextTokenBoundVectorTests
{
    public static TheoryData<string> Blocks()
    {
        var random = new Random(7);
        var data = new TheoryData<string>();
        var allBytes = Enumerable.Range(0, 256).Select(b => (byte)b).ToArray();
        for (var i = 0; i < 256; i += 64)
        {
            data.Add(Convert.ToHexString(allBytes, i, 64)); // every byte value once
        }

        data.Add(Convert.ToHexString(Encoding.UTF8.GetBytes("The quick brown fox, 1234 times: camelCaseWord\tnaïve café — 東京 \\n\\\"x\\\"!!").AsSpan(0, 64)));
        for (var i = 0; i < 20; i++)
        {
            var block = new byte[64];
            random.NextBytes(block);
            data.Add(Convert.ToHexString(block));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Blocks))]
    public void ClassifyBy512_AnyBlock_EqualsTheTwo256BitHalves(string hex)
    {
        var block = Convert.FromHexString(hex);

        Assert.Equal(TextTokenBound.ClassifyBy256(ref block[0]), TextTokenBound.ClassifyBy512(ref block[0]));
    }
}
