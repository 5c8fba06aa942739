namespace OutlookFollowUp.Engine;

// R5 stop on reply: any answer pauses or ends the follow-ups; what it says decides what comes next.
internal sealed partial class PlanBuilder
{
    private ReplyClass? Corrected(string? messageId) =>
        messageId is not null && _in.Corrections is { } said && said.TryGetValue(messageId, out var c) ? c : null;

    private EmployerReply Summary(Reply r) => new(r.Mail.Message.Id, r.Reading.Class, r.Mail.At, r.Mail.From, r.Reading.Date?.Date,
        r.Reading.Probability, r.Reading.Reason, r.Reading.ReadBy, r.Reading.Sure) { ReceivedLocal = _cal.ToLocal(r.Mail.At) };

    /// <summary>R5: a reading that would change the plan on its own (a rejection, an offer...) but is not sure: asked, not acted on.</summary>
    private static bool Asks(Reply? r) =>
        r is { Reading.Sure: false } && r.Reading.Class is ReplyClass.Rejection or ReplyClass.Offer or ReplyClass.NextRound or ReplyClass.OnHold;

    private static ReadingQuestion? Question(Reply? last, string? company)
    {
        if (!Asks(last)) return null;
        var r = last!;
        var who = company ?? People.DisplayName(r.Mail.Message.From?.EmailAddress);
        var text = r.Reading.Class switch
        {
            ReplyClass.Rejection => $"Did {who} turn you down?",
            ReplyClass.Offer => $"Did {who} make you an offer?",
            ReplyClass.NextRound => $"Did {who} invite you to a next round?",
            ReplyClass.OnHold => $"Did {who} put the role on hold?",
            _ => null,
        };
        return text is null ? null : new ReadingQuestion(r.Mail.Message.Id, r.Reading.Class, r.Reading.Probability, text);
    }

    /// <summary>R5: the reply that stops or pauses the chain, as a status and its reason; null lets it run.</summary>
    private (StepStatus, string)? StopReason(Reply? last)
    {
        if (last is null) return null;
        var when = Local(last.Mail.At);
        if (Asks(last))
            return (StepStatus.Skipped, $"R5: paused: {last.Mail.From} answered on {when}, and it may say the process changed ({last.Reading.Reason}); answer the question in the pane");
        return last.Reading.Class switch
        {
            ReplyClass.OnHold => (StepStatus.Cancelled, $"R5: they put the role on hold on {when}: no more follow-ups; stay in touch instead [003]"),
            ReplyClass.Offer => (StepStatus.Cancelled, $"R5: they made an offer on {when}"),
            ReplyClass.NextRound => (StepStatus.Cancelled, $"R5: they invited you to a next round on {when}"),
            ReplyClass.References or ReplyClass.Other when _facts.ResumeFollowUps != true =>
                (StepStatus.Skipped, $"R5: paused: {last.Mail.From} answered on {when}; resume from the pane if it is still open"),
            _ => null,
        };
    }

    private void ReminderFromReply(RoundInfo chain, Reply? last, DraftContext c)
    {
        if (last is null || !last.Reading.Sure) return;
        var who = new Person(People.DisplayName(last.Mail.Message.From?.EmailAddress), last.Mail.From);
        var at = last.Mail.At;
        var due = _cal.NextWorkingInstant(at);
        switch (last.Reading.Class)
        {
            case ReplyClass.Offer:
                AddReminder(new(StepKind.AnswerOffer, StepKeys.For(StepKind.AnswerOffer, _processKey, chain.DateKey),
                    $"R5: they made an offer ({last.Reading.Reason})", who, at, due) { Minutes = 30 }, c);
                break;
            case ReplyClass.NextRound:
                AddReminder(new(StepKind.PrepareNextRound, StepKeys.For(StepKind.PrepareNextRound, _processKey, chain.DateKey, "reply"),
                    $"R5: they invited you to a next round ({last.Reading.Reason}); start preparing now [002]", who, at, due) { Minutes = 60, OfferedFor = LaterRemindersOfferedFor }, c);
                break;
            case ReplyClass.References:
                AddReminder(new(StepKind.AlertReferences, StepKeys.For(StepKind.AlertReferences, _processKey, chain.DateKey),
                    $"R5: they asked for references ({last.Reading.Reason}); alert them [003]", who, at, due) { Minutes = 30, OfferedFor = LaterRemindersOfferedFor }, c);
                break;
        }
    }

    /// <summary>R5: a role on hold is no verdict: no more follow-ups (cancelled above), no gracious reply, and stay in touch.</summary>
    private void OnHold(RoundInfo chain, Reply held, Person? contact, DraftContext c)
    {
        var sender = held.Mail.Message.From?.EmailAddress;
        var to = IsPerson(sender?.Address) ? new Person(People.DisplayName(sender), People.Normalize(sender!.Address)) : contact;
        StayInTouch(chain, to, held.Mail.At, c,
            $"R9: the role was put on hold ({held.Reading.Reason}); check in every few months at most, twice per company at most [000, 002]");
    }
}
