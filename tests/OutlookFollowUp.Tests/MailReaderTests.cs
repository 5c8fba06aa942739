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
}
