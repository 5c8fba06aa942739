namespace OutlookFollowUp.Engine;

// The steps themselves: a draft or a reminder, with what the mailbox already holds for it.
internal sealed partial class PlanBuilder
{
    // Graph reports last-modified times to the tick, stores keep them to the microsecond (PostgreSQL) or coarser; a
    // user's edit comes seconds after the product's write, never within a millisecond of it.
    private static readonly TimeSpan StoredTimePrecision = TimeSpan.FromMilliseconds(1);

    private MailboxItem? Written(Dictionary<string, Mail> byKey, string key)
    {
        if (!byKey.TryGetValue(key, out var m) || m.Message.Id is null) return null;
        var sent = m.Message.IsDraft == false;
        var modified = m.Message.LastModifiedDateTime;
        var edited = !sent && modified is { } lm && (_recorded.TryGetValue(m.Message.Id, out var rec)
            ? lm - rec > StoredTimePrecision
            : m.Message.CreatedDateTime is { } created && lm - created > TimeSpan.FromMinutes(1));
        return new MailboxItem(m.Message.Id, sent, edited, sent ? m.Message.SentDateTime ?? m.At : null);
    }

    private PlanStep MailStep(StepKind kind, string key, string reason, Person to, DateTimeOffset availableFrom, DateTimeOffset due,
        MailDraft draft, MailboxItem? written, (StepStatus Status, string Reason)? over, Review? review, bool late)
    {
        var status = written is { Sent: true } ? StepStatus.Done
            : over is { } o ? o.Status
            : _now < availableFrom ? StepStatus.Scheduled
            : review is not null ? StepStatus.NeedsReview
            : StepStatus.Due;
        if (written is { Sent: true }) reason = $"{reason}; sent on {Local(written.SentUtc ?? due)}";
        else if (over is { } ov) reason = ov.Reason;
        return Finish(new PlanStep
        {
            Key = key, Kind = kind, Status = status, Reason = reason, Recipients = [to],
            AvailableFromUtc = availableFrom, DueUtc = due, DueLocal = _cal.ToLocal(due),
            Late = late && status is StepStatus.Due or StepStatus.NeedsReview,
            Mail = draft, Written = written, Review = review,
        });
    }

    /// <summary>A suggested reminder as a rule describes it; what is left out takes the usual value.</summary>
    private sealed record Reminder(StepKind Kind, string Key, string Reason, Person Who, DateTimeOffset AvailableFrom, DateTimeOffset Due)
    {
        /// <summary>The name in the title and body; the person's name when not given.</summary>
        public string? Name { get; init; }
        /// <summary>Words the reminder's text adds (the connection note, the interview's date).</summary>
        public string? Extra { get; init; }
        public int Minutes { get; init; } = 15;
        /// <summary>A status the rule decided already, with its reason.</summary>
        public (StepStatus Status, string Reason)? Over { get; init; }
        /// <summary>False for a reminder the product never writes to the calendar itself (the thank-you nudge).</summary>
        public bool InCalendar { get; init; } = true;
        /// <summary>When its moment has passed: not offered (nor created) after this instant.</summary>
        public DateTimeOffset? Expires { get; init; }
        /// <summary>How long after it is due it is still offered; another way to say <see cref="Expires"/>.</summary>
        public TimeSpan? OfferedFor { get; init; }
    }

    private void AddReminder(Reminder r, DraftContext c) => _steps.Add(ReminderStep(r, c));

    private PlanStep ReminderStep(Reminder r, DraftContext c)
    {
        var (kind, key, reason, who, availableFrom, due) = (r.Kind, r.Key, r.Reason, r.Who, r.AvailableFrom, r.Due);
        var (title, body) = Drafts.Reminder(kind, c, r.Name ?? who.Name, r.Extra);
        var accepted = _settings.AutoAcceptReminders || (_facts.AcceptedSteps?.Contains(key) ?? false);
        var created = r.InCalendar && _eventByKey.TryGetValue(key, out var e) ? e : null;
        var over = r.Over;
        var minutes = r.Minutes;
        StepStatus status;
        if (created is not null) { status = StepStatus.Done; reason += $"; in your calendar for {Local(created.StartUtc)}"; }
        else if (over is { } o) { status = o.Status; reason = o.Reason; }
        else if (_facts.DismissedSteps?.Contains(key) ?? false) { status = StepStatus.Skipped; reason += "; you dismissed it"; }
        else if ((r.Expires ?? (r.OfferedFor is { } f ? due + f : null)) is { } expires && _now >= expires)
        { status = StepStatus.Skipped; reason += $"; its moment has passed (it was due {Local(due)}), so it is no longer offered"; }
        else status = _now < availableFrom ? StepStatus.Scheduled : StepStatus.Due;
        return Finish(new PlanStep
        {
            Key = key, Kind = kind, Status = status, Reason = reason, Recipients = who.Address.Length > 0 ? [who] : [],
            AvailableFromUtc = availableFrom, DueUtc = due, DueLocal = _cal.ToLocal(due),
            Reminder = new ReminderEvent(title, due, minutes, 15, body, accepted),
            Written = created is null ? null : new MailboxItem(created.Event.Id ?? "", true, false, created.StartUtc),
        });
    }

    /// <summary>
    /// An unsent, unedited draft of a step that should not go now is withdrawn (a step the user did by hand included);
    /// an edited one is kept and flagged.
    /// </summary>
    private static PlanStep Finish(PlanStep s)
    {
        if (s.Mail is null || s.Written is not { Sent: false } w || s.Status is StepStatus.Due or StepStatus.NeedsReview)
            return s with { WithdrawDraft = false };
        return w.EditedByUser
            ? s with { WithdrawDraft = false, Reason = s.Reason + "; you edited its draft, so it stays in Drafts: check it before sending" }
            : s with { WithdrawDraft = true };
    }

    private static PlanStep WithStatus(PlanStep s, StepStatus status, string reason) =>
        Finish(s with { Status = status, Reason = reason, Late = false });
}
