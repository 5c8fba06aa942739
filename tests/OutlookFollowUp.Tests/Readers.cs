using OutlookFollowUp.Reader;

namespace OutlookFollowUp.Tests;

/// <summary>The embedded reader (replies and invites), loaded once for the whole test run (as the service loads it once per process).</summary>
public static class Readers
{
    private static readonly Lazy<MailReader> Shared = new(() => new MailReader(ReaderModel.Embedded("replies"), ReaderModel.Embedded("invites")));

    public static MailReader Replies => Shared.Value;
}
