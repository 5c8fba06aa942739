namespace OutlookFollowUp.Engine;

// R1 thank-you: one note per interviewer within 24 hours [002].
internal sealed partial class PlanBuilder
{
    private void ThankYous(RoundInfo r, List<RoundInfo> rounds, DraftContext c,
        Dictionary<string, Mail> byKey, List<Mail> mine, Reply? rejection)
    {
        var end = r.Round.EndUtc;
        var deadline = end.AddHours(24);
        var due = _cal.LatestWorkingInstantIn(end, deadline) ?? _cal.NextWorkingInstant(end);
        var later = rounds.FirstOrDefault(x => x.Round.Date > r.Round.Date && x.Round.EndUtc <= _now);
        var unsent = new List<string>();
        var notes = new List<PlanStep>();
        foreach (var p in r.Round.Interviewers)
        {
            var key = StepKeys.For(StepKind.ThankYou, _processKey, r.DateKey, p.Address);
            var note = NoteFor(p.Address);
            var first = People.FirstName(new EmailAddress(p.Name, p.Address));
            var draft = Drafts.ThankYou(c, first, r.Round.Date, note);
            var review = Review(draft, c.Signature, Drafts.ThankYouWordLimit, first, [c.FitLine, note], People.NamesARole(p.Name));
            var written = Written(byKey, key);
            (StepStatus, string)? over = null;
            var manual = mine.FirstOrDefault(m => m.Key is null && m.Message.IsDraft != true && m.To.Contains(p.Address)
                                                  && m.At >= end && m.At <= _now && IsThankYou(m, r));
            // Any note of the user's own to them still in Drafts since the first round, this round's or an earlier one's.
            var ownDraft = mine.FirstOrDefault(m => m.Key is null && m.Message.IsDraft == true && m.To.Contains(p.Address)
                                                    && m.At >= rounds[0].Round.EndUtc && m.At <= _now);
            if (written is not { Sent: true } && manual is not null)
                over = (StepStatus.Done, $"R1: you wrote to {p.Name} yourself on {Local(manual.At)}");
            else if (written is not { Sent: true } && ownDraft is not null && rejection is null && later is null)
                over = (StepStatus.Skipped, $"R1: your own note to {p.Name} (last saved {Local(ownDraft.At)}) is in Drafts: send it from there; no second note is drafted beside it");
            else if (rejection is not null && rejection.Mail.At >= end)
                over = (StepStatus.Cancelled, "R6: they declined; no more notes in this process");
            else if (later is not null)
                over = (StepStatus.Skipped, $"R12: a later round on {later.Round.Date:yyyy-MM-dd} has passed");
            else if (written is not { Sent: true } && _now > end.AddDays(ThankYouOfferedForDays))
                over = (StepStatus.Skipped, $"R1: more than {ThankYouOfferedForDays} days have passed; a thank-you now would read oddly, and the follow-up carries your thanks");
            var late = written is not { Sent: true } && _now > deadline;
            var reason = $"R1: thank {p.Name} within 24 hours of the interview [002]" + (late ? "; late, still worth sending [001]" : "");
            var step = MailStep(StepKind.ThankYou, key, reason, p, end, due, draft, written, over, review, late);
            _steps.Add(step);
            notes.Add(step);
            if (step.Status is StepStatus.Due or StepStatus.NeedsReview or StepStatus.Scheduled) unsent.Add(People.FirstName(new EmailAddress(p.Name, p.Address)) ?? p.Name);
        }
        if (r.Round.Interviewers.Count == 0) return;
        // R8: one nudge per round while notes are still unsent, before the 24 hours run out.
        var nudgeKey = StepKeys.For(StepKind.SendThankYou, _processKey, r.DateKey);
        var nudgeDue = _cal.LatestWorkingInstantIn(end.AddHours(2), deadline.AddHours(-4)) ?? due;
        var names = unsent.Count > 0 ? Text.JoinNames(unsent) : Text.JoinNames(r.Round.Interviewers.Select(p => p.Name).ToList());
        (StepStatus, string)? done = notes.All(s => s.Status == StepStatus.Done) ? (StepStatus.Done, "R8: every thank-you note of this round is sent")
            : unsent.Count == 0 ? (StepStatus.Skipped, "R8: no thank-you note of this round is left to send")
            : _now > deadline ? (StepStatus.Skipped, "R8: the 24 hours have passed; late notes stay offered for a week") : null;
        AddReminder(new(StepKind.SendThankYou, nudgeKey, "R8: the thank-you notes are due within 24 hours [002]",
            r.Round.Interviewers[0], end, nudgeDue) { Name = names, Over = done, InCalendar = false }, c);
    }

    /// <summary>A late thank-you is still worth sending for a while [001: 48 hours; 004: a day or two]; not once follow-ups begin.</summary>
    internal const int ThankYouOfferedForDays = 7;

    private string? NoteFor(string address) =>
        _facts.InterviewerNotes?.FirstOrDefault(kv => People.SameAddress(kv.Key, address)).Value;
}
