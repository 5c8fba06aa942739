using OutlookFollowUp.Engine;

namespace OutlookFollowUp.Reader;

/// <summary>
/// What the head reads of a message: the sentence vector of the whole text, the mean and the maximum of its sentences'
/// vectors (a verdict is often one sentence among thanks and greetings), and which pattern rule matched it, so that
/// the model learns how far each rule is to be trusted. Chosen on dev: the whole text alone read 73 % right, with the
/// sentences 80 %, with the rules too 81 % (an earlier, smaller dev). The head also reads the text's hashed letters
/// (<see cref="WithLetters"/>), which are not stored: on the dev of 2026-12-03, 78 % without them, 82 % with them.
/// </summary>
public static class Features
{
    /// <summary>At most this many sentences are encoded (all within <see cref="Text.MaxReadingChars"/> characters).</summary>
    public const int MaxSentences = 16;

    private const int D = Encoder.Dimensions;
    private static readonly float Third = (float)(1 / Math.Sqrt(3));
    private const float RuleWeight = (float)(5 / Head.Scale);

    public static readonly ReplyClass[] RuleClasses = Enum.GetValues<ReplyClass>();

    public static int Length => 3 * D + RuleClasses.Length;

    /// <summary>The features of each text; the texts and their sentences go to the encoder in one call.</summary>
    public static float[][] For(IReadOnlyList<string> texts, CancellationToken cancellationToken = default)
    {
        var sentences = texts.Select(t => Text.Sentences(t).Where(s => s.Length > 3).Take(MaxSentences).ToList()).ToList();
        var batch = texts.Concat(sentences.SelectMany(s => s)).ToList();
        var vectors = Encoder.Encode(batch, cancellationToken);
        var next = texts.Count;
        var result = new float[texts.Count][];
        for (var i = 0; i < texts.Count; i++)
        {
            var whole = vectors[i];
            var own = sentences[i].Count == 0 ? [whole] : vectors.Skip(next).Take(sentences[i].Count).ToArray();
            next += sentences[i].Count;
            var f = new float[Length];
            for (var d = 0; d < D; d++)
            {
                float sum = 0, max = float.MinValue;
                foreach (var v in own)
                {
                    sum += v[d];
                    if (v[d] > max) max = v[d];
                }
                f[d] = whole[d] * Third;
                f[D + d] = sum / own.Length * Third;
                f[2 * D + d] = max * Third;
            }
            f[3 * D + Array.IndexOf(RuleClasses, ReplyClassifier.PatternClass(texts[i]))] = RuleWeight;
            result[i] = f;
        }
        return result;
    }

    /// <summary>An invite's features: the text's three vectors as for a reply, then the detection rules' signals.</summary>
    public static int InviteLength => 3 * D + InterviewDetector.Signals.Length;

    /// <summary>
    /// A text's features (as <see cref="For"/> gives them) with the rules' signals in place of the reply rule, each
    /// present signal at <paramref name="weight"/> (chosen on dev: how loud the rules speak beside the text).
    /// </summary>
    public static float[] WithSignals(float[] replyFeatures, IReadOnlyList<string> signals, double weight)
    {
        var w = (float)(weight / Head.Scale);
        var f = new float[InviteLength];
        Array.Copy(replyFeatures, f, 3 * D);
        foreach (var s in signals)
            if (Array.IndexOf(InterviewDetector.Signals, s) is var k and >= 0) f[3 * D + k] = w;
        return f;
    }

    /// <summary>How many hashed character n-grams <see cref="WithLetters"/> appends (a power of two).</summary>
    public const int LetterDimensions = 8192;

    /// <summary>
    /// A text's features for the head: the stored features (<see cref="For"/>), then, when the model reads letters
    /// (<paramref name="weight"/> above 0), the text's character 3- to 5-grams within words, hashed into
    /// <see cref="LetterDimensions"/> slots, present or not, the slots' vector of length <paramref name="weight"/>.
    /// The sentence model reads English: the letters catch a rejection's wording in German or French and the phrases a
    /// template repeats. Computed from the text at each reading (microseconds, bounded by the text's cut), so a stored
    /// reading keeps only the encoder's part.
    /// </summary>
    public static float[] WithLetters(float[] features, string text, double weight)
    {
        if (weight <= 0) return features;
        var f = new float[features.Length + LetterDimensions];
        Array.Copy(features, f, features.Length);
        var slots = LetterSlots(text);
        if (slots.Length == 0) return f;
        var value = LetterValue(slots.Length, weight);
        foreach (var slot in slots) f[features.Length + slot] = value;
        return f;
    }

    /// <summary>The value of each present slot: the slots' vector has length <paramref name="weight"/>.</summary>
    public static float LetterValue(int slots, double weight) => (float)(weight / Math.Sqrt(slots));

    /// <summary>The distinct slots of a text's character n-grams, ascending (lower-cased letters; words padded with a space each side).</summary>
    internal static int[] LetterSlots(string text)
    {
        // A bit per slot: no set to allocate and grow at every reading of a kept message.
        Span<ulong> present = stackalloc ulong[LetterDimensions / 64];
        present.Clear();
        var count = 0;
        var length = Math.Min(text.Length, Text.MaxReadingChars);
        Span<char> word = stackalloc char[34];
        var n = 0;
        for (var i = 0; i <= length; i++)
        {
            var c = i < length ? text[i] : ' ';
            if (char.IsLetter(c))
            {
                // A "word" longer than 32 letters is cut: n-grams stay bounded per character of text.
                if (n < 32) word[1 + n++] = char.ToLowerInvariant(c);
                continue;
            }
            if (n == 0) continue;
            word[0] = ' ';
            word[n + 1] = ' ';
            var w = word[..(n + 2)];
            for (var size = 3; size <= 5; size++)
                for (var start = 0; start + size <= w.Length; start++)
                {
                    var slot = (int)(Fnv(w.Slice(start, size)) & (LetterDimensions - 1));
                    ref var bits = ref present[slot >> 6];
                    var bit = 1UL << (slot & 63);
                    if ((bits & bit) != 0) continue;
                    bits |= bit;
                    count++;
                }
            n = 0;
        }
        var slots = new int[count];
        var k = 0;
        for (var i = 0; i < present.Length; i++)
            for (var bits = present[i]; bits != 0; bits &= bits - 1)
                slots[k++] = i * 64 + System.Numerics.BitOperations.TrailingZeroCount(bits);
        return slots;
    }

    // FNV-1a over UTF-16 code units: stable across processes and runtimes (string.GetHashCode is randomized).
    private static uint Fnv(ReadOnlySpan<char> s)
    {
        var h = 2166136261;
        foreach (var c in s)
        {
            h ^= c;
            h *= 16777619;
        }
        return h;
    }

    /// <summary>The whole text's unit vector inside a feature vector (for nearest examples and corrections).</summary>
    public static float[] Whole(float[] features) => features.Take(D).Select(x => x / Third).ToArray();
}
