using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Switchyard.Core.Usage;

/// <summary>
/// An upper bound of the BPE tokens (o200k_base, cl100k_base) of a UTF-8 text, from byte classes counted in one
/// forward pass, 64 bytes at a time with SIMD compares turned into bit masks; no allocation, no tokenizer.
/// </summary>
/// <remarks>
/// BPE tokenizers first split text into pieces (a word with one leading space or punctuation mark, runs of up to 3
/// digits, punctuation runs, whitespace runs) and never merge across pieces, so every piece costs at least one token
/// and at most one per byte. The bound charges one token per piece start, plus a calibrated share for what makes a piece
/// cost more: letters beyond the first <see cref="FreeLetters"/> of a run, capitals, three consonants in a row (what
/// separates random strings, identifiers and blobs from words), digits, non-ASCII bytes, punctuation and whitespace
/// beyond the first of a run. The weights were fitted as an upper envelope over the calibration corpus
/// (tests/Switchyard.Tests/Estimation/EstimatorCorpus.cs) against both exact tokenizers; the result is never more than one
/// token per byte, which is the hard bound. JSON escapes (<c>\n</c>, <c>\u00e9</c>) are counted as the bytes they are
/// written with, which only raises the bound.
/// </remarks>
internal static class TextTokenBound
{
    /// <summary>Letters of a run charged only by the run's start (most English words are one token).</summary>
    private const int FreeLetters = 5;

    // weights in thousandths of a token, fitted by linear programming (minimise the mean overestimate, weighted towards
    // prose, code and tool schemas) subject to bound >= 1.1 x exact on every corpus sample for both encodings, with
    // floors on the punctuation, space, long-letter, capital and non-ASCII weights so unseen text is not left uncharged
    private const long PieceStart = 1000;
    private const long LongLetter = 100;
    private const long Capital = 100;
    private const long Digit = 320;
    private const long PunctExtra = 250;
    private const long SpaceExtra = 100;
    private const long NonAsciiLead = 300;
    private const long NonAsciiContinuation = 800;
    private const long ConsonantTriple = 1200;

    /// <summary>Bytes counted between two looks at the cancellation token.</summary>
    internal const int Block = 64 * 1024;

    /// <summary>An upper bound of the text's tokens (0 for an empty text).</summary>
    public static long Count(ReadOnlySpan<byte> utf8, CancellationToken cancellationToken)
    {
        var state = default(State);
        var offset = 0;
        while (offset < utf8.Length)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var n = Math.Min(Block, utf8.Length - offset);
            Accumulate(utf8.Slice(offset, n), ref state);
            offset += n;
        }

        var thousandths = (state.PieceStarts * PieceStart) + (state.LongLetters * LongLetter) + (state.Capitals * Capital)
            + (state.Digits * Digit) + (state.PunctExtra * PunctExtra) + (state.SpaceExtra * SpaceExtra)
            + (state.NonAsciiLeads * NonAsciiLead) + (state.NonAsciiContinuations * NonAsciiContinuation)
            + (state.ConsonantTriples * ConsonantTriple);
        return Math.Min(utf8.Length, (thousandths + 999) / 1000);
    }

    private static void Accumulate(ReadOnlySpan<byte> text, ref State s)
    {
        ref var start = ref MemoryMarshal.GetReference(text);
        var i = 0;
        for (; i + 64 <= text.Length; i += 64)
        {
            Step(Classify(ref Unsafe.Add(ref start, i)), ulong.MaxValue, ref s);
        }

        if (i < text.Length)
        {
            Span<byte> tail = stackalloc byte[64];
            tail.Clear();
            text[i..].CopyTo(tail);
            Step(Classify(ref MemoryMarshal.GetReference(tail)), (1UL << (text.Length - i)) - 1, ref s);
        }
    }

    private static void Step(Masks m, ulong valid, ref State s)
    {
        var letters = m.Letters & valid;
        var upper = m.Upper & valid;
        var digits = m.Digits & valid;
        var space = m.Space & valid;
        var high = m.High & valid;
        var continuation = m.Continuation & valid;
        var punct = valid & ~(letters | digits | space | high);

        var lower = letters & ~upper;
        var consonants = letters & ~(m.Vowels & valid);
        var prevLetters = Prev(letters, s.Letters, 1);
        var prevLower = Prev(lower, s.Lower, 1);
        var prevDigits = Prev(digits, s.Digits64, 1);
        var prevPunct = Prev(punct, s.Punct, 1);
        var prevSpace = Prev(space, s.Space, 1);

        // a piece starts where a letter, digit or punctuation run starts, and at a lower-to-upper turn (camelCase)
        var starts = (letters & ~prevLetters) | (upper & prevLower) | (digits & ~prevDigits) | (punct & ~prevPunct)
            | (space & prevSpace & ~Prev(space, s.Space, 2));
        var longLetters = letters;
        for (var k = 1; k <= FreeLetters; k++)
        {
            longLetters &= Prev(letters, s.Letters, k);
        }

        s.PieceStarts += BitOperations.PopCount(starts);
        s.LongLetters += BitOperations.PopCount(longLetters);
        s.Capitals += BitOperations.PopCount(upper);
        s.Digits += BitOperations.PopCount(digits);
        s.PunctExtra += BitOperations.PopCount(punct & prevPunct);
        s.SpaceExtra += BitOperations.PopCount(space & prevSpace);
        s.NonAsciiLeads += BitOperations.PopCount(high & ~continuation);
        s.NonAsciiContinuations += BitOperations.PopCount(continuation);
        s.ConsonantTriples += BitOperations.PopCount(consonants & Prev(consonants, s.Consonants, 1) & Prev(consonants, s.Consonants, 2));

        s.Letters = letters;
        s.Lower = lower;
        s.Digits64 = digits;
        s.Punct = punct;
        s.Space = space;
        s.Consonants = consonants;
    }

    /// <summary>The mask of the previous k bytes' class at each position, carried over from the last block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Prev(ulong mask, ulong previousBlock, int k) => (mask << k) | (previousBlock >> (64 - k));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Masks Classify(ref byte p)
    {
        if (Vector512.IsHardwareAccelerated)
        {
            return Classify(Vector512.LoadUnsafe(ref p)); // one 64-byte vector: the masks come out whole
        }

        return Vector256.IsHardwareAccelerated ? ClassifyBy256(ref p) : ClassifyBy128(ref p);
    }

    /// <summary>A 64-byte block's masks from two 32-byte halves (also the reference the 512-bit path is tested against).</summary>
    internal static Masks ClassifyBy256(ref byte p)
    {
        var a = Classify(Vector256.LoadUnsafe(ref p));
        var b = Classify(Vector256.LoadUnsafe(ref Unsafe.Add(ref p, 32)));
        return new Masks(a.Letters | (b.Letters << 32), a.Upper | (b.Upper << 32), a.Digits | (b.Digits << 32),
            a.Space | (b.Space << 32), a.High | (b.High << 32), a.Continuation | (b.Continuation << 32), a.Vowels | (b.Vowels << 32));
    }

    /// <summary>A 64-byte block's masks in one 512-bit vector (where the hardware has it).</summary>
    internal static Masks ClassifyBy512(ref byte p) => Classify(Vector512.LoadUnsafe(ref p));

    private static Masks ClassifyBy128(ref byte p)
    {
        var r = default(Masks);
        for (var q = 3; q >= 0; q--)
        {
            var c = Classify(Vector128.LoadUnsafe(ref Unsafe.Add(ref p, q * 16)));
            r = new Masks((r.Letters << 16) | c.Letters, (r.Upper << 16) | c.Upper, (r.Digits << 16) | c.Digits,
                (r.Space << 16) | c.Space, (r.High << 16) | c.High, (r.Continuation << 16) | c.Continuation, (r.Vowels << 16) | c.Vowels);
        }

        return r;
    }

    private static Masks Classify(Vector512<byte> v)
    {
        var folded = v | Vector512.Create((byte)0x20);
        var letters = Vector512.LessThan(folded - Vector512.Create((byte)'a'), Vector512.Create((byte)26));
        var vowels = Vector512.Equals(folded, Vector512.Create((byte)'a')) | Vector512.Equals(folded, Vector512.Create((byte)'e')) | Vector512.Equals(folded, Vector512.Create((byte)'i'))
            | Vector512.Equals(folded, Vector512.Create((byte)'o')) | Vector512.Equals(folded, Vector512.Create((byte)'u')) | Vector512.Equals(folded, Vector512.Create((byte)'y'));
        var upper = Vector512.LessThan(v - Vector512.Create((byte)'A'), Vector512.Create((byte)26));
        var digits = Vector512.LessThan(v - Vector512.Create((byte)'0'), Vector512.Create((byte)10));
        var space = Vector512.Equals(v, Vector512.Create((byte)' ')) | Vector512.LessThan(v - Vector512.Create((byte)'\t'), Vector512.Create((byte)5));
        var continuation = Vector512.Equals(v & Vector512.Create((byte)0xC0), Vector512.Create((byte)0x80));
        return new Masks(letters.ExtractMostSignificantBits(), upper.ExtractMostSignificantBits(), digits.ExtractMostSignificantBits(),
            space.ExtractMostSignificantBits(), v.ExtractMostSignificantBits(), continuation.ExtractMostSignificantBits(), vowels.ExtractMostSignificantBits());
    }

    private static Masks Classify(Vector256<byte> v)
    {
        var folded = v | Vector256.Create((byte)0x20);
        var letters = Vector256.LessThan(folded - Vector256.Create((byte)'a'), Vector256.Create((byte)26));
        var vowels = Vector256.Equals(folded, Vector256.Create((byte)'a')) | Vector256.Equals(folded, Vector256.Create((byte)'e')) | Vector256.Equals(folded, Vector256.Create((byte)'i'))
            | Vector256.Equals(folded, Vector256.Create((byte)'o')) | Vector256.Equals(folded, Vector256.Create((byte)'u')) | Vector256.Equals(folded, Vector256.Create((byte)'y'));
        var upper = Vector256.LessThan(v - Vector256.Create((byte)'A'), Vector256.Create((byte)26));
        var digits = Vector256.LessThan(v - Vector256.Create((byte)'0'), Vector256.Create((byte)10));
        var space = Vector256.Equals(v, Vector256.Create((byte)' ')) | Vector256.LessThan(v - Vector256.Create((byte)'\t'), Vector256.Create((byte)5));
        var continuation = Vector256.Equals(v & Vector256.Create((byte)0xC0), Vector256.Create((byte)0x80));
        return new Masks(letters.ExtractMostSignificantBits(), upper.ExtractMostSignificantBits(), digits.ExtractMostSignificantBits(),
            space.ExtractMostSignificantBits(), v.ExtractMostSignificantBits(), continuation.ExtractMostSignificantBits(), vowels.ExtractMostSignificantBits());
    }

    private static Masks Classify(Vector128<byte> v)
    {
        var folded = v | Vector128.Create((byte)0x20);
        var letters = Vector128.LessThan(folded - Vector128.Create((byte)'a'), Vector128.Create((byte)26));
        var vowels = Vector128.Equals(folded, Vector128.Create((byte)'a')) | Vector128.Equals(folded, Vector128.Create((byte)'e')) | Vector128.Equals(folded, Vector128.Create((byte)'i'))
            | Vector128.Equals(folded, Vector128.Create((byte)'o')) | Vector128.Equals(folded, Vector128.Create((byte)'u')) | Vector128.Equals(folded, Vector128.Create((byte)'y'));
        var upper = Vector128.LessThan(v - Vector128.Create((byte)'A'), Vector128.Create((byte)26));
        var digits = Vector128.LessThan(v - Vector128.Create((byte)'0'), Vector128.Create((byte)10));
        var space = Vector128.Equals(v, Vector128.Create((byte)' ')) | Vector128.LessThan(v - Vector128.Create((byte)'\t'), Vector128.Create((byte)5));
        var continuation = Vector128.Equals(v & Vector128.Create((byte)0xC0), Vector128.Create((byte)0x80));
        return new Masks(letters.ExtractMostSignificantBits(), upper.ExtractMostSignificantBits(), digits.ExtractMostSignificantBits(),
            space.ExtractMostSignificantBits(), v.ExtractMostSignificantBits(), continuation.ExtractMostSignificantBits(), vowels.ExtractMostSignificantBits());
    }

    internal readonly record struct Masks(ulong Letters, ulong Upper, ulong Digits, ulong Space, ulong High, ulong Continuation, ulong Vowels);

    private struct State
    {
        public long PieceStarts;
        public long LongLetters;
        public long Capitals;
        public long Digits;
        public long PunctExtra;
        public long SpaceExtra;
        public long NonAsciiLeads;
        public long NonAsciiContinuations;
        public long ConsonantTriples;

        // the previous block's masks (bit 63 is the byte just before this block)
        public ulong Letters;
        public ulong Lower;
        public ulong Digits64;
        public ulong Punct;
        public ulong Space;
        public ulong Consonants;
    }
}
