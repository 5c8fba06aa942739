using System.Text.Json.Serialization;

namespace OutlookFollowUp.Engine;

/// <summary>What a step asks of the user: a mail draft, or a reminder event in the calendar.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<StepKind>))]
public enum StepKind
{
    [JsonStringEnumMemberName("thank-you")] ThankYou,
    [JsonStringEnumMemberName("follow-up")] FollowUp,
    [JsonStringEnumMemberName("rejection-reply")] RejectionReply,
    [JsonStringEnumMemberName("connect-linkedin")] ConnectOnLinkedIn,
    [JsonStringEnumMemberName("alert-references")] AlertReferences,
    [JsonStringEnumMemberName("prepare-next-round")] PrepareNextRound,
    [JsonStringEnumMemberName("send-thank-you")] SendThankYou,
    [JsonStringEnumMemberName("call")] Call,
    [JsonStringEnumMemberName("keep-searching")] KeepSearching,
    [JsonStringEnumMemberName("ask-recommendation")] AskRecommendation,
    [JsonStringEnumMemberName("answer-offer")] AnswerOffer,
    [JsonStringEnumMemberName("stay-in-touch")] StayInTouch,
    /// <summary>Shortly before an interview: what to do in the room [001, 004].</summary>
    [JsonStringEnumMemberName("before-interview")] BeforeInterview,
}

[JsonConverter(typeof(JsonStringEnumConverter<StepStatus>))]
public enum StepStatus
{
    /// <summary>Not yet: the step becomes available later.</summary>
    [JsonStringEnumMemberName("scheduled")] Scheduled,
    /// <summary>Available now: draft it, or suggest the reminder.</summary>
    [JsonStringEnumMemberName("due")] Due,
    /// <summary>The user sent it, or the reminder exists in the calendar.</summary>
    [JsonStringEnumMemberName("done")] Done,
    /// <summary>Not needed: dismissed by the user, or paused until the user resumes.</summary>
    [JsonStringEnumMemberName("skipped")] Skipped,
    /// <summary>No longer appropriate: the employer answered or rejected.</summary>
    [JsonStringEnumMemberName("cancelled")] Cancelled,
    /// <summary>Available, but text the user supplied needs a look first.</summary>
    [JsonStringEnumMemberName("needs-review")] NeedsReview,
}

[JsonConverter(typeof(JsonStringEnumConverter<DetectionVerdict>))]
public enum DetectionVerdict
{
    [JsonStringEnumMemberName("interview")] Interview,
    [JsonStringEnumMemberName("maybe")] Maybe,
    [JsonStringEnumMemberName("not-interview")] NotInterview,
}

[JsonConverter(typeof(JsonStringEnumConverter<ReplyClass>))]
public enum ReplyClass
{
    [JsonStringEnumMemberName("rejection")] Rejection,
    [JsonStringEnumMemberName("offer")] Offer,
    [JsonStringEnumMemberName("next-round")] NextRound,
    [JsonStringEnumMemberName("in-process")] InProcess,
    [JsonStringEnumMemberName("references")] References,
    [JsonStringEnumMemberName("auto-reply")] AutoReply,
    [JsonStringEnumMemberName("other")] Other,
    /// <summary>The role is frozen, paused or cancelled: no verdict on the candidate, no more follow-ups.</summary>
    [JsonStringEnumMemberName("on-hold")] OnHold,
}

/// <summary>Where the process stands, as the pane summarizes it.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ProcessState>))]
public enum ProcessState
{
    [JsonStringEnumMemberName("not-interview")] NotInterview,
    [JsonStringEnumMemberName("maybe")] Maybe,
    [JsonStringEnumMemberName("upcoming")] Upcoming,
    [JsonStringEnumMemberName("thank-you")] ThankYou,
    [JsonStringEnumMemberName("waiting")] Waiting,
    [JsonStringEnumMemberName("following-up")] FollowingUp,
    [JsonStringEnumMemberName("paused")] Paused,
    [JsonStringEnumMemberName("next-round")] NextRound,
    [JsonStringEnumMemberName("offer")] Offer,
    [JsonStringEnumMemberName("rejected")] Rejected,
    [JsonStringEnumMemberName("moved-on")] MovedOn,
    /// <summary>The employer put the role on hold: no more follow-ups, a stay-in-touch reminder.</summary>
    [JsonStringEnumMemberName("on-hold")] OnHold,
}

/// <summary>The plan for one interview process: same input and instant, same plan.</summary>
public sealed record Plan
{
    public required string EngineVersion { get; init; }
    public required DateTimeOffset Now { get; init; }
    public required string TimeZone { get; init; }
    public required ProcessSummary Process { get; init; }
    public required IReadOnlyList<PlanStep> Steps { get; init; }
    /// <summary>"checked", or "unavailable" when no spell checker was given.</summary>
    public required string SpellCheck { get; init; }
}

public sealed record ProcessSummary
{
    public required string Key { get; init; }
    public required ProcessState State { get; init; }
    public required Detection Detection { get; init; }
    public string? Company { get; init; }
    public string? Role { get; init; }
    public DecisionDate? DecisionDate { get; init; }
    public EmployerReply? LastReply { get; init; }
    /// <summary>Every employer message since the interview, with what it was read as: the pane lets the user correct each.</summary>
    public IReadOnlyList<EmployerReply> Replies { get; init; } = [];
    /// <summary>A reading the product is not sure of and will not act on alone: the pane asks it.</summary>
    public ReadingQuestion? Question { get; init; }
    public IReadOnlyList<Round> Rounds { get; init; } = [];
    /// <summary>Before a round: what to do in the room [001, 004]; empty once every round has ended.</summary>
    public IReadOnlyList<string> InTheRoom { get; init; } = [];
    /// <summary>Right after the interview, with no date known yet: the pane asks "When did they say they would decide?".</summary>
    public bool AskDecisionDate { get; init; }
}

/// <summary>"Did Northwind turn you down?": one question about one message, answered with a correction.</summary>
public sealed record ReadingQuestion(string? MessageId, ReplyClass Class, double Probability, string Text);

public sealed record Detection(DetectionVerdict Verdict, IReadOnlyList<string> Reasons)
{
    /// <summary>The learned reader's probability that this is the user's interview; null when the rules decided alone.</summary>
    public double? Probability { get; init; }
}

/// <summary>The date the employer said they would decide by, and where it was read.</summary>
public sealed record DecisionDate(DateOnly Date, string Source, string? Phrase);

/// <summary>An employer's message as it was read: its class (what every tool reads), and beside it how likely, why, and by whom.</summary>
public sealed record EmployerReply(string? MessageId, ReplyClass Class, DateTimeOffset ReceivedUtc, string From, DateOnly? NewDate,
    double Probability = 1, string? Reason = null, string ReadBy = "rules", bool Sure = true)
{
    /// <summary>When it arrived, as the mailbox's wall clock shows it (the plan's zone).</summary>
    public DateTime? ReceivedLocal { get; init; }
}

/// <summary>One interview day: the events on it and the people met.</summary>
public sealed record Round(DateOnly Date, DateTimeOffset StartUtc, DateTimeOffset EndUtc, IReadOnlyList<string> EventIds, IReadOnlyList<Person> Interviewers, bool IsFinal);

public sealed record Person(string Name, string Address);

public sealed record PlanStep
{
    /// <summary>Stable: same inputs, same key, forever. Written on the mailbox item as an extended property.</summary>
    public required string Key { get; init; }
    public required StepKind Kind { get; init; }
    public required StepStatus Status { get; init; }
    /// <summary>The rule that made the step, in one line.</summary>
    public required string Reason { get; init; }
    public required IReadOnlyList<Person> Recipients { get; init; }
    /// <summary>From when the product may act: write the draft, or suggest the reminder.</summary>
    public required DateTimeOffset AvailableFromUtc { get; init; }
    /// <summary>When the user should act; always inside working hours on a business day.</summary>
    public required DateTimeOffset DueUtc { get; init; }
    /// <summary>The same instant in the user's zone, without offset.</summary>
    public required DateTime DueLocal { get; init; }
    /// <summary>Past its etiquette deadline (a thank-you after 24 hours), still worth doing.</summary>
    public bool Late { get; init; }
    public MailDraft? Mail { get; init; }
    public ReminderEvent? Reminder { get; init; }
    /// <summary>What the mailbox already holds for this step (found by its key).</summary>
    public MailboxItem? Written { get; init; }
    /// <summary>An unsent draft of the product's that the user has not edited and that should go now.</summary>
    public bool WithdrawDraft { get; init; }
    public Review? Review { get; init; }
}

public sealed record MailDraft(string Subject, string BodyHtml, string BodyText, string? ReplyToMessageId);

public sealed record ReminderEvent(string Title, DateTimeOffset StartUtc, int DurationMinutes, int ReminderMinutesBeforeStart, string Body, bool Accepted);

public sealed record MailboxItem(string Id, bool Sent, bool EditedByUser, DateTimeOffset? SentUtc);

/// <summary>Why a step needs the user's eyes before it goes.</summary>
public sealed record Review(IReadOnlyList<UnknownWord> UnknownWords, IReadOnlyList<string> StyleIssues);

public sealed record UnknownWord(string Word, IReadOnlyList<string> Suggestions);
