using OutlookFollowUp.Engine;

namespace OutlookFollowUp.Reader;

/// <summary>
/// What the head reads of a message: the sentence vector of the whole text, the mean and the maximum of its sentences'
/// vectors (a verdict is often one sentence among thanks and greetings), and which pattern rule matched it, so that
/// the model learns how far each rule is to be trusted. Chosen on dev: the whole text alone read 73 % right, with the
/// sentences 80 %, with the rules too 81 %.
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

    /// <summary>The whole text's unit vector inside a feature vector (for nearest examples and corrections).</summary>
    public static float[] Whole(float[] features) => features.Take(D).Select(x => x / Third).ToArray();
}
