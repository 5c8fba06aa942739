using System.Text.RegularExpressions;

namespace OutlookFollowUp.Engine;

// R3 first follow-up and R4 further ones: after their date, a week apart, at most the cap, then move on [003, 004].
internal sealed partial class PlanBuilder
{
    private Person? FollowUpContact(RoundInfo chain, EmailAddress? organizer)
    {
        if (_facts.ContactPerson is { Address: { Length: > 0 } } named)
            return new Person(People.DisplayName(named), People.Normalize(named.Address));
        if (organizer is not null && IsPerson(organizer.Address))
            return new Person(People.DisplayName(organizer), People.Normalize(organizer.Address));
        var interviewers = chain.Round.Interviewers;
        return interviewers.FirstOrDefault(p => p.Name.Contains("recruit", StringComparison.OrdinalIgnoreCase)
                                                || p.Address.Contains("recruit", StringComparison.Ordinal)
                                                || p.Address.Contains("talent", StringComparison.Ordinal))
               ?? interviewers.FirstOrDefault();
    }

    private void FollowUpChain(RoundInfo chain, Person? contact, DraftContext c,
        Dictionary<string, Mail> byKey, List<Mail> mine, List<Reply> replies, Reply? last)
    {
        var channel = _facts.Channel ?? ContactChannel.Email;
        if (channel == ContactChannel.Wait || contact is null) return;
        var end = chain.Round.EndUtc;
        var endDate = _cal.LocalDate(end);
        var max = _settings.MaxFollowUps;
        var phone = channel == ContactChannel.Phone;
        var stop = StopReason(last);
        var thread = ThreadFor(contact, chain, byKey, mine);
        var firstName = People.FirstName(new EmailAddress(contact.Name, contact.Address));
        // R4: what the user sent the employer by hand counts as much as what the product drafted [000, 003, 004].
        var byHand = FollowUpsByHand(chain, mine, replies);
        var usedByHand = 0;
        var ownDraft = OwnDraftToThem(chain, mine);

        DateTimeOffset? previousSent = null;
        DateTimeOffset? previousDue = null;
        var previousOpen = false;
        for (var n = 1; n <= max + 1; n++)
        {
            var keepSearching = n == max + 1;
            var kind = keepSearching ? StepKind.KeepSearching : phone ? StepKind.Call : StepKind.FollowUp;
            var key = keepSearching ? StepKeys.For(kind, _processKey, chain.DateKey) : StepKeys.For(kind, _processKey, chain.DateKey, n.ToString());

            // The earliest day this step may come, from every rule that holds it back.
            var reasons = new List<string>();
            DateOnly earliest;
            var since = previousSent ?? previousDue;
            if (n == 1)
            {
                if (c.DecisionDate is { } d)
                {
                    earliest = _cal.BusinessDayAfter(d.Date);
                    reasons.Add($"the first business day after {d.Date:yyyy-MM-dd}, the date they gave" + (d.Phrase is null ? "" : $" (\"{d.Phrase}\")"));
                }
                else
                {
                    earliest = _cal.BusinessDayOnOrAfter(endDate.AddDays(7));
                    reasons.Add("a week after the interview; they gave no date");
                }
            }
            else
            {
                earliest = _cal.BusinessDayOnOrAfter(_cal.LocalDate(since!.Value).AddDays(7));
                reasons.Add(previousSent is null
                    ? "a week after the previous one is sent; it waits until then (not sent yet)"
                    : $"a week after the previous one was sent on {Local(previousSent.Value)}");
            }
            // R3: never while the thank-you notes are still the news: not within two days of the interview, whatever
            // date they gave (a date given in an earlier round can fall on the day after this one).
            if (n == 1 && _cal.BusinessDayOnOrAfter(_cal.LocalDate(end.AddHours(48))) is var afterNotes && afterNotes > earliest)
            {
                earliest = afterNotes;
                reasons.Add("not within two days of the interview, while the thank-you notes are the news");
            }
            foreach (var r in replies.Where(r => n == 1 || previousSent is null || r.Mail.At > previousSent))
            {
                var moved = r.Reading.Class switch
                {
                    ReplyClass.AutoReply when r.Reading.Date is { } back => _cal.BusinessDayAfter(back.Date),
                    ReplyClass.InProcess when r.Reading.Date is { } then => _cal.BusinessDayAfter(then.Date),
                    ReplyClass.InProcess => _cal.BusinessDayOnOrAfter(_cal.LocalDate(r.Mail.At).AddDays(7)),
                    ReplyClass.Other or ReplyClass.References when _facts.ResumeFollowUps == true
                        => _cal.BusinessDayOnOrAfter(_cal.LocalDate(r.Mail.At).AddDays(7)),
                    _ => (DateOnly?)null,
                };
                if (moved is { } m && m > earliest)
                {
                    earliest = m;
                    reasons.Add(r.Reading.Class == ReplyClass.AutoReply
                        ? $"after {contact.Name}'s return from an out-of-office ({r.Reading.Reason})"
                        : $"after their reply of {Local(r.Mail.At)} ({r.Reading.Reason}) [003]");
                }
            }
            var sentAt = keepSearching ? null : phone ? CallMade(key) : Written(byKey, key) is { Sent: true } w ? w.SentUtc : null;
            Mail? ownFollowUp = null;
            if (!keepSearching && sentAt is null && usedByHand < byHand.Count)
            {
                ownFollowUp = byHand[usedByHand++];
                sentAt = ownFollowUp.At;
            }
            if (!keepSearching)
            {
                // R11: never two messages to one person within 5 business days, thank-you notes and answers aside.
                // Only what went before this step counts: later messages cannot move a step already taken.
                var before = sentAt ?? _now;
                var lastToThem = mine.Where(m => m.Message.IsDraft != true && m.At > end && m.At < before && m.To.Contains(contact.Address)
                                                 && m.Key != key && !IsThankYou(m, chain) && !IsAnswer(m, replies))
                    .Select(m => (DateTimeOffset?)m.At).Max();
                if (previousSent is null && previousDue is { } pd && (lastToThem is null || pd > lastToThem)) lastToThem = pd;
                if (lastToThem is { } lt && _cal.AddBusinessDays(_cal.LocalDate(lt), 5) is var spaced && spaced > earliest)
                {
                    earliest = spaced;
                    reasons.Add($"five business days after your last message to them ({Local(lt)})");
                }
            }
            var due = _cal.StartOfWork(earliest);

            var reason = keepSearching
                ? $"R4: no answer after {max} follow-up{(max > 1 ? "s" : "")}: time to move on [003, 004]; due on " + string.Join("; ", reasons)
                : phone
                    ? $"R7: they asked for a call; call {n} of at most {max}, due on " + string.Join("; ", reasons)
                    : (n == 1 ? "R3: first follow-up" : $"R4: follow-up {n} of at most {max}") + ", to one person, due on " + string.Join("; ", reasons);
            (StepStatus, string)? over = null;
            if (ownFollowUp is not null)
                over = (StepStatus.Done, $"{(n == 1 ? "R3" : "R4")}: you followed up yourself on {Local(ownFollowUp.At)}, to {NameOf(ownFollowUp)}; it counts as follow-up {n} of at most {max}");
            else if (stop is { } s) over = s;
            else if (n > 1 && previousOpen)
                over = (StepStatus.Scheduled, reason);
            else if (!keepSearching && ownDraft is not null && _now >= due)
                over = (StepStatus.Skipped, $"R4: your own message to {NameOf(ownDraft)} (last saved {Local(ownDraft.At)}) is still in Drafts: send it or delete it; no second follow-up is drafted beside it");

            PlanStep step;
            if (keepSearching)
                step = ReminderStep(new(kind, key, reason, contact, due, due) { Minutes = 30, Over = over }, c);
            else if (phone)
                step = ReminderStep(new(kind, key, reason, contact, due, due) { Extra = $" on {chain.Round.Date:MMMM d}", Over = over }, c);
            else
            {
                var draft = Drafts.FollowUp(c, firstName, n, chain.Round.Date, thread?.Message.Id, thread?.Message.Subject);
                var review = Review(draft, c.Signature, Drafts.FollowUpWordLimit, firstName, [], People.NamesARole(contact.Name));
                step = MailStep(kind, key, reason, contact, due, due, draft, Written(byKey, key), over, review, false);
            }
            _steps.Add(step);

            previousSent = sentAt is { } sa && previousSent is { } ps && ps > sa ? ps : sentAt;
            previousDue = due;
            previousOpen = sentAt is null;
        }
    }

    private Mail? ThreadFor(Person contact, RoundInfo chain, Dictionary<string, Mail> byKey, List<Mail> mine)
    {
        var key = StepKeys.For(StepKind.ThankYou, _processKey, chain.DateKey, contact.Address);
        if (byKey.TryGetValue(key, out var ours) && ours.Message.IsDraft != true) return ours;
        return mine.Where(m => m.Message.IsDraft != true && m.At >= chain.Round.EndUtc && m.At <= _now && m.To.Contains(contact.Address))
            .OrderBy(m => m.At).FirstOrDefault();
    }

    /// <summary>
    /// R4: the user's own mail to the employer side since the interview that is neither a thank-you nor an answer to
    /// them: a follow-up, however it was written. Oldest first.
    /// </summary>
    private List<Mail> FollowUpsByHand(RoundInfo chain, List<Mail> mine, List<Reply> replies) =>
        mine.Where(m => m.Key is null && m.Message.IsDraft != true && m.At > chain.Round.EndUtc && m.At <= _now && m.To.Any(_employer)
                        && !IsThankYou(m, chain) && !IsAnswer(m, replies))
            .OrderBy(m => m.At).ToList();

    /// <summary>R4: a message of the user's own to the employer side, written since the interview and left in Drafts.</summary>
    private Mail? OwnDraftToThem(RoundInfo chain, List<Mail> mine) =>
        mine.Where(m => m.Key is null && m.Message.IsDraft == true && m.At > chain.Round.EndUtc && m.At <= _now && m.To.Any(_employer))
            .OrderByDescending(m => m.At).FirstOrDefault();

    private string NameOf(Mail m) =>
        m.To.Where(_employer).Select(a => (m.Message.ToRecipients ?? []).Concat(m.Message.CcRecipients ?? [])
            .Select(r => r.EmailAddress).FirstOrDefault(e => People.Normalize(e?.Address) == a)).Select(People.DisplayName).FirstOrDefault() ?? "them";

    /// <summary>
    /// R1: a thank-you, whoever wrote it: the product's, or the user's own within 48 hours of the interview, or later
    /// in that week when it reads as one ("Thank you for taking the time...") and not as a follow-up.
    /// </summary>
    private bool IsThankYou(Mail m, RoundInfo chain) =>
        (m.Key is { } k && k.StartsWith("ofu1-ty-", StringComparison.Ordinal))
        || (m.Key is null && (m.At <= chain.Round.EndUtc.AddHours(48) && (ReadsAsThankYou(m) || !ReadsAsFollowUp(m))
                              || m.At <= chain.Round.EndUtc.AddDays(ThankYouOfferedForDays) && ReadsAsThankYou(m) && !ReadsAsFollowUp(m)));

    /// <summary>
    /// The user's answer to the employer: in the thread of one of their messages (conversation or References), within
    /// five days of it, and not itself a follow-up ("just checking in"): a later message in that thread is a chase.
    /// </summary>
    private bool IsAnswer(Mail m, List<Reply> replies) =>
        !ReadsAsFollowUp(m) && replies.Any(r => r.Mail.At < m.At && m.At <= r.Mail.At.AddDays(5)
            && (m.Message.ConversationId is { Length: > 0 } conv && r.Mail.Message.ConversationId == conv
                || r.Mail.MessageId is { } id && m.References.Contains(id)));

    private static string Opening(Mail m)
    {
        var text = Text.WithoutQuoted(Text.Plain(m.Message.Body, m.Message.BodyPreview));
        return Text.ForMatching(Text.Subject(m.Message.Subject) + "\n" + (text.Length > 1500 ? text[..1500] : text));
    }

    private static bool ReadsAsThankYou(Mail m) => ThankYouWords().IsMatch(Opening(m));

    private static bool ReadsAsFollowUp(Mail m) => FollowUpWords().IsMatch(Opening(m));

    // [000, 003]: how people write a chase, one alternative a line (spaces are \s: the pattern ignores its own).
    [GeneratedRegex("""
        \b( follow(ing)?[\s-]?up
          | check(ing)?[\s-]in
          | touch(ing)?[\s-]base
          | any\s(news|update)
          | an\supdate\son
          | status\sof\smy\sapplication
          | wanted\sto\ssee\s(if|whether|where)
          | still\s(interested|available)\sin
          | circle\sback
          | nachfrage
          | nachhaken
          | relance
          | suivi\sde\sma\scandidature
          | seguimiento
          )\b
        """, RegexOptions.IgnorePatternWhitespace | RegexOptions.NonBacktracking | RegexOptions.CultureInvariant)]
    private static partial Regex FollowUpWords();

    // [001, 002]: how people write a thank-you note.
    [GeneratedRegex("""
        \b( thank(s|\syou)\s((so|very)\smuch\s)?for\s(the|your|taking|meeting|speaking|talking|interviewing|having)
          | (great|good|nice|a\spleasure)\s(to\smeet|meeting|speaking|talking)
          | appreciated?\s(the|your)\stime
          | vielen\sdank\sfür\sdas\sgespräch
          | merci\spour\s(l'entretien|votre\stemps)
          | gracias\spor\s(la\sentrevista|su\stiempo)
          )\b
        """, RegexOptions.IgnorePatternWhitespace | RegexOptions.NonBacktracking | RegexOptions.CultureInvariant)]
    private static partial Regex ThankYouWords();
}
