using OutlookFollowUp.Reader;

namespace OutlookFollowUp.Tests;

/// <summary>What the mail reader keeps: a user's reader hands its new readings to the host to store; the shared one keeps none.</summary>
public class MailReaderTests
{
    [Fact]
    public void OnlyAUsersReaderKeepsItsNewReadingsTheSharedOneKeepsNone()
    {
        // The shared reader also reads for the stateless plan endpoint and the CLI, whose message and event ids are
        // anyone's: were it to keep their readings for the host to store, it would keep them for the life of the process.
        var shared = Readers.Replies;
        shared.ReadReply("someone-elses-message", "Unfortunately we have decided to move forward with other candidates.");
        shared.ReadInvite("someone-elses-event", "Interview: Data Engineer at Contoso. We look forward to speaking with you.", ["rules:interview"]);
        Assert.Empty(shared.NewReadings);

        var user = shared.ForUser([], new Dictionary<string, StoredReading>());
        user.ReadReply("m-1", "Unfortunately we have decided to move forward with other candidates.");
        user.ReadInvite("e-1", "Interview: Data Engineer at Contoso. We look forward to speaking with you.", ["rules:interview"]);
        Assert.Equal([MailReader.EventKey("e-1"), "m-1"], user.NewReadings.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ATextReadsTheSameWhetherPrimedEncodedOnItsOwnOrStored()
    {
        // A stored reading keeps 16-bit numbers; so does the cache, whichever way a text came into it, or a message would
        // read one way on the instance that encoded it and another after a restart.
        const string primed = "Thank you for your patience: we are still reviewing applications and expect to decide by the end of next month.";
        const string alone = "We would like to invite you to a second round with the hiring manager next week; please share your availability.";
        var reader = new MailReader(Readers.Replies.Model);
        reader.Prime([primed]);
        foreach (var text in new[] { primed, alone })
        {
            var expected = ReaderModel.DequantizeBytes(ReaderModel.QuantizeBytes(Features.For([text])[0]));
            var user = reader.ForUser([], new Dictionary<string, StoredReading>());
            var read = user.Vector("m-" + text.Length, text);
            Assert.Equal(expected, read);
            var restarted = new MailReader(Readers.Replies.Model).ForUser([], user.NewReadings.ToDictionary(r => r.Key, r => MailReader.FromBytes(MailReader.ToBytes(r.Value))!));
            Assert.Equal(expected, restarted.Vector("m-" + text.Length, text));
            Assert.Equal(0, restarted.EncodedMessages);
        }
    }

    [Fact]
    public void AWordsLettersFallInTheSameSlotsInEveryProcess()
    {
        // The head's weights are trained on these slots: a hash that changed between processes or runtimes
        // (string.GetHashCode is randomized per process) would read every message with another model's weights.
        // FNV-1a over the padded word's 3-, 4- and 5-grams, modulo 8192, as computed outside .NET.
        Assert.Equal([571, 633, 1165, 1387, 2157, 2460, 3482, 3720, 4407, 4852, 5038, 5056, 5409, 5434, 7931],
            Features.LetterSlots("Absage").Order());
        Assert.Equal(Features.LetterSlots("absage"), Features.LetterSlots("ABSAGE!"));
    }

    [Fact]
    public void AHostileTextsLettersCostNoMoreThanTheReadingCut()
    {
        // What follows the reading cut is never read, and a "word" of a million letters is cut at 32.
        var cut = string.Concat(Enumerable.Repeat("we regret to inform you ", 60))[..OutlookFollowUp.Engine.Text.MaxReadingChars];
        Assert.Equal(Features.LetterSlots(cut), Features.LetterSlots(cut + new string('x', 1_000_000)));
        var oneWord = Features.LetterSlots(new string('a', 1_000_000));
        Assert.Equal(Features.LetterSlots(new string('a', 32)), oneWord);
        var features = Features.WithLetters(new float[Features.Length], cut, 0.75);
        Assert.Equal(Features.Length + Features.LetterDimensions, features.Length);
        Assert.Equal(0.75, Math.Sqrt(features.Sum(f => (double)f * f)), 5);
    }

    [Fact]
    public void AMessageReadsTheSameByItsLettersSlotsAsByTheWholeVectorTheHeadWasTrainedOn()
    {
        // Training makes the whole vector (sentence features, then 8,192 letter slots); a reading adds only the present
        // slots' weights: the same sums in the same order, so the same probabilities to the bit.
        var model = Readers.Replies.Model;
        Assert.True(model.LetterWeight > 0, "the checked-in reply model reads letters");
        const string text = "Leider müssen wir Ihnen mitteilen, dass wir uns für eine andere Kandidatin entschieden haben.";
        var features = Readers.Replies.Vector(null, text);
        Assert.Equal(model.Head.Probabilities(Features.WithLetters(features, text, model.LetterWeight)), MailReader.Probabilities(model, features, text));
    }
}
