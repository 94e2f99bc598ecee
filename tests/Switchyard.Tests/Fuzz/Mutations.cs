using System.Text;
using CsCheck;

namespace Switchyard.Tests.Fuzz;

/// <summary>Byte-level mutations shared by the fuzzers: flips, inserts of hostile tokens, deletions, duplications, cuts.</summary>
public static class Mutations
{
    /// <summary>Fragments that break parsers in interesting ways.</summary>
    public static readonly byte[][] Hostile =
    [
        [0xff], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xc0, 0xaf], [0xe2, 0x82], [0x00],
        "\\ud800"u8.ToArray(), "\\udc00\\ud800"u8.ToArray(), "\\ud83d\\ude00"u8.ToArray(), "\\"u8.ToArray(), "\""u8.ToArray(),
        "{"u8.ToArray(), "}"u8.ToArray(), "["u8.ToArray(), "]"u8.ToArray(), ","u8.ToArray(), ":"u8.ToArray(), "null"u8.ToArray(),
        "1e999999"u8.ToArray(), "-0.0e-400"u8.ToArray(), "123456789012345678901234567890123456789"u8.ToArray(), "NaN"u8.ToArray(),
        Encoding.ASCII.GetBytes(new string('[', 70)), Encoding.ASCII.GetBytes(new string('{', 3) + "\"a\":"),
        "\r\n"u8.ToArray(), "\n\n"u8.ToArray(), "data: "u8.ToArray(), "data: [DONE]\n\n"u8.ToArray(), "\t"u8.ToArray(), " "u8.ToArray(),
        "&a [1]"u8.ToArray(), "*a"u8.ToArray(), "!!binary"u8.ToArray(), "- "u8.ToArray(), ": "u8.ToArray(), "os.environ/"u8.ToArray(),
        "'"u8.ToArray(), "#"u8.ToArray(), "%YAML 1.2\n"u8.ToArray(), "---\n"u8.ToArray(), "? "u8.ToArray(), "|"u8.ToArray(),
    ];

    private static readonly Gen<(int Kind, double At, int Length, int Token)> Op =
        Gen.Select(Gen.Int[0, 5], Gen.Double[0, 1], Gen.Int[1, 64], Gen.Int[0, 1_000_000]);

    /// <summary>The base bytes with 0 to <paramref name="max"/> mutations applied.</summary>
    public static Gen<byte[]> Mutate(Gen<byte[]> source, int max = 4)
        => Gen.Select(source, Op.Array[0, max], Apply);

    public static byte[] Apply(byte[] source, (int Kind, double At, int Length, int Token)[] ops)
    {
        var b = new List<byte>(source);
        foreach (var (kind, at, length, token) in ops)
        {
            var i = Math.Min(b.Count, (int)(at * b.Count));
            switch (kind)
            {
                case 0 when i < b.Count:
                    b[i] = (byte)token;
                    break;
                case 1 or 2:
                    b.InsertRange(i, Hostile[token % Hostile.Length]);
                    break;
                case 3:
                    b.RemoveRange(i, Math.Min(length, b.Count - i));
                    break;
                case 4:
                    b.InsertRange(i, b.GetRange(i, Math.Min(length, b.Count - i)));
                    break;
                case 5:
                    b.RemoveRange(i, b.Count - i);
                    break;
            }
        }

        return [.. b];
    }

    /// <summary>Cuts bytes into 1 to 12 pieces at generated boundaries (as a network would).</summary>
    public static Gen<byte[][]> Split(byte[] bytes)
        => Gen.Double[0, 1].Array[0, 11].Select(cuts =>
        {
            var points = cuts.Select(c => (int)(c * bytes.Length)).Append(0).Append(bytes.Length).Distinct().Order().ToArray();
            return points.Zip(points.Skip(1), (a, z) => bytes[a..z]).Where(p => p.Length > 0).ToArray();
        });
}
