using OutlookFollowUp.Engine;

namespace OutlookFollowUp.Mailbox;

/// <summary>What the product writes for a step, as the mailbox holds it.</summary>
public sealed record WrittenItem(string StepKey, string ItemId, DateTimeOffset LastModified, bool Created);

/// <summary>
/// One user's mailbox, as the rest of the product sees it. The implementation speaks Microsoft Graph; tests mock this
/// interface, never Graph. It has no way to send mail: the product cannot send, by construction.
/// </summary>
public interface IMailboxGateway
{
    /// <summary>The user's address, name, time zone and working hours.</summary>
    Task<UserProfile> GetUserAsync(CancellationToken cancellationToken = default);

    /// <summary>Events overlapping [from, to), times in UTC, with the product's step key when it wrote them.</summary>
    Task<IReadOnlyList<GraphEvent>> GetEventsAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default);

    /// <summary>The draft or message the product wrote for a step, if the mailbox holds one.</summary>
    Task<WrittenItem?> FindByKeyAsync(string stepKey, CancellationToken cancellationToken = default);

    /// <summary>Writes a draft for a step exactly once: when the mailbox already holds one for the key, that one is returned.</summary>
    Task<WrittenItem> CreateDraftAsync(string stepKey, MailDraft draft, IReadOnlyList<Person> to, CancellationToken cancellationToken = default);
}
