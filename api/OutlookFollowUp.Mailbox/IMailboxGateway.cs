using OutlookFollowUp.Engine;

namespace OutlookFollowUp.Mailbox;

/// <summary>What the product writes for a step, as the mailbox holds it.</summary>
public sealed record WrittenItem(string StepKey, string ItemId, DateTimeOffset LastModified, bool Created);

/// <summary>One write for a step. <see cref="MayExist"/>: an earlier attempt's outcome is unknown, so look the key up first.</summary>
public abstract record MailboxWrite(string StepKey, bool MayExist);

/// <summary>A draft: a new message, or a reply in the thread of <see cref="MailDraft.ReplyToMessageId"/>.</summary>
public sealed record NewDraft(string StepKey, MailDraft Draft, IReadOnlyList<Person> To, bool MayExist = true) : MailboxWrite(StepKey, MayExist);

/// <summary>A reminder event in the calendar.</summary>
public sealed record NewEvent(string StepKey, ReminderEvent Reminder, bool MayExist = true) : MailboxWrite(StepKey, MayExist);

/// <summary>Withdraws a draft, only if it is still as the product left it (<paramref name="ETag"/>): an edited draft stays.</summary>
public sealed record DeleteDraft(string StepKey, string ItemId, string ETag) : MailboxWrite(StepKey, false);

/// <summary>Where each delta feed left off: store it, and pass it to the next sync.</summary>
public sealed record SyncState(string? CalendarDeltaLink, string? InboxDeltaLink, string? SentDeltaLink, string? DraftsDeltaLink = null);

/// <summary>
/// What changed since the last sync. <see cref="Resynced"/>: a feed started over (its token had expired). Messages
/// come as the mail index keeps them: headers, no subject, body or preview (<see cref="MessageText"/> brings those).
/// </summary>
public sealed record SyncChanges(
    IReadOnlyList<GraphEvent> Events, IReadOnlyList<string> RemovedEventIds,
    IReadOnlyList<GraphMessage> Messages, IReadOnlyList<string> RemovedMessageIds,
    SyncState State, bool Resynced)
{
    /// <summary>The folder each changed message is in: <c>inbox</c>, <c>sentitems</c> or <c>drafts</c>.</summary>
    public IReadOnlyDictionary<string, string> FolderOf { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// Mail folders whose feed started over: their messages above are all the folder holds (in the window), so what
    /// an index kept of them beyond these is gone.
    /// </summary>
    public IReadOnlyList<string> ResyncedFolders { get; init; } = [];
}

/// <summary>What a plan reads of a message beyond its headers, fetched by id and never stored.</summary>
public sealed record MessageText(string? Subject, ItemBody? Body, string? BodyPreview);

/// <summary>
/// What one round trip reads: an event (when <see cref="EventId"/> is set), the mail folders' changes since
/// <see cref="MailState"/> (when <see cref="Feeds"/>: Inbox, Sent Items, Drafts, headers only, the first sync from
/// <see cref="MailSince"/>), the text of messages by id, and the user's profile (when <see cref="Profile"/>).
/// </summary>
public sealed record MailboxReadRequest
{
    public string? EventId { get; init; }
    public bool Feeds { get; init; }
    public SyncState? MailState { get; init; }
    public DateTimeOffset MailSince { get; init; }
    public IReadOnlyList<string> TextOf { get; init; } = [];

    /// <summary>Read the user's profile (<see cref="IMailboxGateway.GetUserAsync"/>) in the same $batch.</summary>
    public bool Profile { get; init; }
}

/// <summary>
/// What <see cref="IMailboxGateway.ReadAsync"/> read; <see cref="Changes"/> only when feeds were asked for,
/// <see cref="Profile"/> only when the profile was.
/// </summary>
public sealed record MailboxRead(GraphEvent? Event, SyncChanges? Changes, IReadOnlyDictionary<string, MessageText> Texts)
{
    public UserProfile? Profile { get; init; }
}

/// <summary>One interview event and the mail around it: Inbox, Sent Items and Drafts since a date.</summary>
public sealed record InterviewContext(GraphEvent Event, IReadOnlyList<GraphMessage> Messages);

/// <summary>Mail since a date, of one conversation and/or from some addresses (at least one of the two).</summary>
public sealed record MessageQuery(DateTimeOffset Since, string? ConversationId = null, IReadOnlyList<string>? From = null);

public enum WriteStatus { Created, AlreadyThere, Deleted, KeptEdited, Failed }

/// <summary>
/// What became of a write. <see cref="LastModified"/>: the item's own time stamp right after the write, to record, so
/// that a later change can be told to be the user's.
/// </summary>
public sealed record WriteOutcome(string StepKey, WriteStatus Status, string? ItemId, string? Error, DateTimeOffset? LastModified = null);

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

    /// <summary>
    /// An event and the mail since <paramref name="mailSince"/> (Inbox, Sent Items, Drafts with their step keys), in one
    /// round trip: the people are only known once the event is read, so the mail is matched to them afterwards.
    /// </summary>
    Task<InterviewContext> ReadInterviewAsync(string eventId, DateTimeOffset mailSince, CancellationToken cancellationToken = default);

    /// <summary>
    /// Inbox, Sent Items and Drafts since a date (with step keys), all pages: the first of each in one $batch. With
    /// <paramref name="needsBody"/>, only the newest page of each folder comes with bodies; older messages come with
    /// theirs only where <paramref name="needsBody"/> says so (their headers are all there).
    /// </summary>
    Task<IReadOnlyList<GraphMessage>> ReadMailAsync(DateTimeOffset since, Func<GraphMessage, bool>? needsBody = null, CancellationToken cancellationToken = default);

    /// <summary>Messages matching the query, all pages, newest first.</summary>
    Task<IReadOnlyList<GraphMessage>> GetMessagesAsync(MessageQuery query, CancellationToken cancellationToken = default);

    /// <summary>
    /// Calendar (over [from, to)), Inbox and Sent Items changes since <paramref name="state"/>, all three feeds in one
    /// $batch: an idle mailbox costs one round trip. A feed whose token expired (410) starts over, without losing or
    /// repeating work: the caller applies changes idempotently by id.
    /// </summary>
    /// <remarks>
    /// The mail feeds' first sync reaches back to <paramref name="mailSince"/> (the mail index's horizon). Mail comes
    /// as headers, the index's fields; Drafts is the fourth feed. The four feeds are as many items as Graph runs at once
    /// for a mailbox, so nothing else rides in this $batch: a fifth item would take a second round (the profile rides
    /// with the texts' read, <see cref="MailboxReadRequest.Profile"/>).
    /// </remarks>
    Task<SyncChanges> SyncAsync(SyncState? state, DateTimeOffset from, DateTimeOffset to, DateTimeOffset mailSince,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// In one round trip ($batch, 20 items to a request): an event, the mail feeds' changes, and the text of messages
    /// by id (a message gone since is left out). A 404 for the event is a <see cref="MailboxException"/>.
    /// </summary>
    Task<MailboxRead> ReadAsync(MailboxReadRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// Several writes in $batch requests of at most 20: ceil(N/20) round trips when nothing may exist yet, plus
    /// retries. Each write happens at most once: items throttled are retried, items whose outcome is unknown are
    /// looked up by key before they are sent again.
    /// </summary>
    Task<IReadOnlyList<WriteOutcome>> ApplyAsync(IReadOnlyList<MailboxWrite> writes, CancellationToken cancellationToken = default);

    /// <summary>
    /// Asks Graph to notify <paramref name="notificationUrl"/> of changes to <paramref name="resource"/> until
    /// <paramref name="expires"/> (Graph first checks that the URL echoes its validation token).
    /// </summary>
    Task<MailboxSubscription> SubscribeAsync(string resource, Uri notificationUrl, Uri lifecycleUrl, string clientState, DateTimeOffset expires,
        CancellationToken cancellationToken = default);

    /// <summary>Moves a subscription's expiry; returns the one Graph set. A gone subscription is a 404 MailboxException.</summary>
    Task<DateTimeOffset> RenewAsync(string subscriptionId, DateTimeOffset expires, CancellationToken cancellationToken = default);

    /// <summary>Ends a subscription; one already gone is no error.</summary>
    Task UnsubscribeAsync(string subscriptionId, CancellationToken cancellationToken = default);
}
