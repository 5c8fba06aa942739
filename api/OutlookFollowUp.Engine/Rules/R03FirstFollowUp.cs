namespace OutlookFollowUp.Engine;

// R3 first follow-up, and the schedule it starts: after their date, to one person, in the thank-you's thread; R4's
// further ones and R7's calls are the same chain's later steps [003, 004].
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
}
