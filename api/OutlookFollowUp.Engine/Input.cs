using System.Text.Json.Serialization;

namespace OutlookFollowUp.Engine;

// The engine's input mirrors Microsoft Graph's JSON shapes (camelCase, same property names), so that what the
// mailbox gateway reads can be handed over without a mapping layer.

/// <summary>An email address as Graph writes it: <c>{"name": "...", "address": "..."}</c>.</summary>
public sealed record EmailAddress(string? Name, string? Address);

/// <summary>A message recipient or sender: <c>{"emailAddress": {...}}</c>.</summary>
public sealed record Recipient(EmailAddress? EmailAddress);

/// <summary>Graph's <c>dateTimeTimeZone</c>: a local date-time without offset, with a Windows or IANA zone id.</summary>
public sealed record DateTimeTimeZone(string? DateTime, string? TimeZone);

/// <summary>Graph's <c>itemBody</c>.</summary>
public sealed record ItemBody(string? ContentType, string? Content);

/// <summary>Graph's <c>responseStatus</c>.</summary>
public sealed record ResponseStatus(string? Response, DateTimeOffset? Time);

/// <summary>Graph's <c>attendee</c>: type is required, optional or resource.</summary>
public sealed record Attendee(string? Type, ResponseStatus? Status, EmailAddress? EmailAddress);

/// <summary>Graph's <c>singleValueLegacyExtendedProperty</c>; the product tags what it writes with its step key.</summary>
public sealed record ExtendedProperty(string? Id, string? Value);

/// <summary>Graph's <c>internetMessageHeader</c>.</summary>
public sealed record MessageHeader(string? Name, string? Value);

/// <summary>A calendar event in Graph's shape (the subset the engine reads).</summary>
public sealed record GraphEvent
{
    public string? Id { get; init; }
    public string? ICalUId { get; init; }
    public string? Subject { get; init; }
    public ItemBody? Body { get; init; }
    public string? BodyPreview { get; init; }
    public DateTimeTimeZone? Start { get; init; }
    public DateTimeTimeZone? End { get; init; }
    public Recipient? Organizer { get; init; }
    public IReadOnlyList<Attendee>? Attendees { get; init; }
    public bool? IsCancelled { get; init; }
    public bool? IsAllDay { get; init; }
    public bool? IsOrganizer { get; init; }
    public ResponseStatus? ResponseStatus { get; init; }
    public string? Type { get; init; }
    public string? SeriesMasterId { get; init; }
    public string? OnlineMeetingUrl { get; init; }
    public IReadOnlyList<ExtendedProperty>? SingleValueExtendedProperties { get; init; }
}

/// <summary>A mail message in Graph's shape (the subset the engine reads).</summary>
public sealed record GraphMessage
{
    public string? Id { get; init; }
    public string? ConversationId { get; init; }
    /// <summary>The RFC 5322 Message-ID: other messages name it in their In-Reply-To and References headers.</summary>
    public string? InternetMessageId { get; init; }
    public string? Subject { get; init; }
    public ItemBody? Body { get; init; }
    public string? BodyPreview { get; init; }
    public Recipient? From { get; init; }
    /// <summary>Graph's <c>sender</c>, who actually wrote it: differs from <see cref="From"/> when written on behalf of a shared or delegated mailbox.</summary>
    [JsonPropertyName("sender")]
    public Recipient? WrittenBy { get; init; }
    public IReadOnlyList<Recipient>? ToRecipients { get; init; }
    public IReadOnlyList<Recipient>? CcRecipients { get; init; }
    public DateTimeOffset? SentDateTime { get; init; }
    public DateTimeOffset? ReceivedDateTime { get; init; }
    public DateTimeOffset? CreatedDateTime { get; init; }
    public DateTimeOffset? LastModifiedDateTime { get; init; }
    public bool? IsDraft { get; init; }
    /// <summary>The item's version; a conditional delete sends it as <c>If-Match: W/"changeKey"</c>.</summary>
    public string? ChangeKey { get; init; }
    public IReadOnlyList<MessageHeader>? InternetMessageHeaders { get; init; }
    public IReadOnlyList<ExtendedProperty>? SingleValueExtendedProperties { get; init; }
}

/// <summary>Graph's <c>workingHours</c> from mailbox settings.</summary>
public sealed record WorkingHours
{
    public IReadOnlyList<string>? DaysOfWeek { get; init; }
    public string? StartTime { get; init; }
    public string? EndTime { get; init; }
    public WorkingHoursZone? TimeZone { get; init; }
}

/// <summary>The zone of the working hours, as Graph nests it.</summary>
public sealed record WorkingHoursZone(string? Name);

/// <summary>The signed-in job seeker.</summary>
public sealed record UserProfile
{
    public string? Address { get; init; }
    public string? DisplayName { get; init; }
    /// <summary>The user's other addresses (Graph's <c>proxyAddresses</c>, <c>mail</c>, <c>userPrincipalName</c>): mail from them is the user's.</summary>
    public IReadOnlyList<string>? Aliases { get; init; }
    /// <summary>Windows or IANA zone id, as Graph's mailbox settings give it.</summary>
    public string? TimeZone { get; init; }
    public WorkingHours? WorkingHours { get; init; }
}

/// <summary>How the employer asked to be contacted after the interview.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ContactChannel>))]
public enum ContactChannel
{
    [JsonStringEnumMemberName("email")] Email,
    [JsonStringEnumMemberName("phone")] Phone,
    [JsonStringEnumMemberName("person")] Person,
    [JsonStringEnumMemberName("wait")] Wait,
}

/// <summary>What the user told the product about this process; every field is optional.</summary>
public sealed record UserFacts
{
    /// <summary>Overrides detection: true treats the events as interviews, false as not.</summary>
    public bool? IsInterview { get; init; }
    public string? Role { get; init; }
    public string? Company { get; init; }
    /// <summary>The date the employer said they would decide by, in the user's zone (yyyy-MM-dd).</summary>
    public DateOnly? DecisionDate { get; init; }
    /// <summary>The user said the employer gave no date: the pane stops asking for one.</summary>
    public bool? NoDecisionDate { get; init; }
    public ContactChannel? Channel { get; init; }
    /// <summary>The person the employer named for follow-ups ("through Dana").</summary>
    public EmailAddress? ContactPerson { get; init; }
    /// <summary>Per interviewer address: what was memorable, as a phrase ("your team's move to event sourcing").</summary>
    public IReadOnlyDictionary<string, string>? InterviewerNotes { get; init; }
    /// <summary>The user's one-line fit, one sentence.</summary>
    public string? FitLine { get; init; }
    /// <summary>Someone the user knows who is connected to the employer [002: leverage your network].</summary>
    public EmailAddress? MutualConnection { get; init; }
    /// <summary>Set by the pane's "resume": follow-ups continue after a reply the engine could not classify.</summary>
    public bool? ResumeFollowUps { get; init; }
    /// <summary>Reminder step keys the user accepted.</summary>
    public IReadOnlyList<string>? AcceptedSteps { get; init; }
    /// <summary>Reminder step keys the user dismissed.</summary>
    public IReadOnlyList<string>? DismissedSteps { get; init; }
}

/// <summary>The user's settings.</summary>
public sealed record UserSettings
{
    public string? Signature { get; init; }
    /// <summary>Follow-ups in all, 1 to 3 (default 3: the first and at most two more [004]).</summary>
    public int MaxFollowUps { get; init; } = 3;
    /// <summary>After a rejection, suggest reconnecting every few months [000, 002].</summary>
    public bool StayInTouch { get; init; } = true;
    /// <summary>Create suggested reminders without asking.</summary>
    public bool AutoAcceptReminders { get; init; }
    /// <summary>Suggest connecting on LinkedIn with each interviewer [003, 004]; advice differs on it, so it can be turned off.</summary>
    public bool ConnectOnLinkedIn { get; init; } = true;
    /// <summary>Days that are not business days, in the user's zone.</summary>
    public IReadOnlyList<DateOnly>? Holidays { get; init; }
}

/// <summary>What other processes with the same company already did, for rules that count per company.</summary>
public sealed record CompanyHistory
{
    /// <summary>When earlier stay-in-touch reminders with this company were due.</summary>
    public IReadOnlyList<DateTimeOffset>? StayInTouchReminders { get; init; }
}

/// <summary>Everything the engine needs to plan one interview process.</summary>
public sealed record PlanInput
{
    /// <summary>The instant the plan is computed for.</summary>
    public DateTimeOffset Now { get; init; }
    public UserProfile? User { get; init; }
    public UserSettings? Settings { get; init; }
    public UserFacts? Facts { get; init; }
    /// <summary>A stable id for the process; defaults to the earliest event's iCalUId.</summary>
    public string? ProcessId { get; init; }
    public IReadOnlyList<GraphEvent>? Events { get; init; }
    public IReadOnlyList<GraphMessage>? Messages { get; init; }
    public CompanyHistory? CompanyHistory { get; init; }
    /// <summary>What the product recorded writing, to tell the user's edits from its own.</summary>
    public IReadOnlyList<RecordedWrite>? Written { get; init; }
    /// <summary>What the user said employer messages are (message id -> class): a correction overrides any reading.</summary>
    public IReadOnlyDictionary<string, ReplyClass>? Corrections { get; init; }
}

/// <summary>A mailbox item the product wrote for a step, as it was right after the write.</summary>
public sealed record RecordedWrite(string StepKey, string ItemId, DateTimeOffset LastModifiedDateTime);
