namespace OutlookFollowUp.Engine;

// R6 rejection: everything pending cancelled, one gracious reply, never another chase [003].
internal sealed partial class PlanBuilder
{
    private void Rejected(RoundInfo chain, Reply rejection, Person? contact, DraftContext c,
        Dictionary<string, Mail> byKey, List<Mail> mine)
    {
        var sender = rejection.Mail.Message.From?.EmailAddress;
        var fromPerson = IsPerson(sender?.Address);
        // A rejection from a no-reply robot is answered to the person who ran the process, in a new message.
        var to = fromPerson ? new Person(People.DisplayName(sender), People.Normalize(sender!.Address)) : contact;
        var at = rejection.Mail.At;
        if (to is not null)
        {
            var key = StepKeys.For(StepKind.RejectionReply, _processKey, chain.DateKey);
            var first = People.FirstName(new EmailAddress(to.Name, to.Address));
            var draft = Drafts.RejectionReply(c, first, fromPerson ? rejection.Mail.Message.Id : null, fromPerson ? rejection.Mail.Message.Subject : null);
            var review = Review(draft, c.Signature, Drafts.ThankYouWordLimit, first, [], People.NamesARole(to.Name));
            var manual = mine.FirstOrDefault(m => m.Key is null && m.Message.IsDraft != true && m.At > at && m.At <= _now && m.To.Contains(to.Address));
            (StepStatus, string)? over = manual is not null && Written(byKey, key) is not { Sent: true }
                ? (StepStatus.Done, $"R6: you answered them yourself on {Local(manual.At)}") : null;
            _steps.Add(MailStep(StepKind.RejectionReply, key,
                $"R6: they declined ({rejection.Reading.Reason}); thank them, ask to be considered for future openings and for brief feedback [001, 004]",
                to, at, _cal.NextWorkingInstant(at), draft, Written(byKey, key), over, review, false));
        }
        StayInTouch(chain, to ?? contact, rejection.Mail.At, c,
            "R9: stay in touch after a rejection, once every few months at most, twice per company at most [000, 002]");
    }

    /// <summary>
    /// R6: a reply to a decision drafted while a rejection stood (the user since said the message was no rejection, or it
    /// reads otherwise now) is withdrawn when untouched, kept and flagged when the user edited it.
    /// </summary>
    private void WithdrawStaleRejectionReply(RoundInfo chain, Person? contact, DraftContext c, Dictionary<string, Mail> byKey)
    {
        var key = StepKeys.For(StepKind.RejectionReply, _processKey, chain.DateKey);
        if (Written(byKey, key) is not { Sent: false } stale) return;
        var to = contact ?? new Person("", "");
        var draft = Drafts.RejectionReply(c, People.FirstName(new EmailAddress(to.Name, to.Address)), null, null);
        _steps.Add(MailStep(StepKind.RejectionReply, key, "R6: no rejection stands now", to, _now, _cal.NextWorkingInstant(_now), draft, stale,
            (StepStatus.Cancelled, "R6: no rejection stands now (you said their message is something else): the reply to their decision is not needed"), null, false));
    }

    /// <summary>R6: after a rejection nothing goes out but the gracious reply and, later, stay-in-touch.</summary>
    private void CancelAllBut(Reply rejection)
    {
        for (var i = 0; i < _steps.Count; i++)
        {
            var s = _steps[i];
            if (s.Kind is StepKind.RejectionReply or StepKind.StayInTouch || s.Status is StepStatus.Done or StepStatus.Cancelled) continue;
            var reason = $"R6: they declined on {Local(rejection.Mail.At)}; never another chase in this process [003]";
            _steps[i] = WithStatus(s, StepStatus.Cancelled, reason);
        }
    }
}
