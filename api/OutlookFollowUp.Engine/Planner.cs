namespace OutlookFollowUp.Engine;

/// <summary>The etiquette engine's entry point: a pure function from an interview process to its plan.</summary>
public static class Planner
{
    public const string EngineVersion = "1";

    /// <summary>How many of a process's latest employer messages the learned reader reads in one plan; older ones, the rules.</summary>
    public const int MaxModelReadings = 20;

    /// <summary>Plans one interview process. Same input, same plan. Throws <see cref="PlanInputException"/> on bad input.</summary>
    /// <param name="input">Everything the plan depends on, the instant included.</param>
    /// <param name="spellChecker">The spell checker for the user's own words; none: no spelling review.</param>
    /// <param name="cancellationToken">Stops the work when its caller has gone (a closed request).</param>
    /// <param name="reader">The learned reader of employer mail; none: the pattern rules read it.</param>
    public static Plan Build(PlanInput input, ISpellChecker? spellChecker = null, CancellationToken cancellationToken = default, IMailReader? reader = null) =>
        new PlanBuilder(input, spellChecker, cancellationToken, reader).Build();
}

internal sealed class PlanBuilder
{
    private sealed record Interview(GraphEvent Event, DateTimeOffset StartUtc, DateTimeOffset EndUtc, Detection Detection);

    private sealed record RoundInfo(Round Round, IReadOnlyList<Interview> Events, string DateKey);

    private sealed record Mail(GraphMessage Message, DateTimeOffset At, string From, string? Key, IReadOnlyList<string> To);

    private sealed record Reply(Mail Mail, ReplyReading Reading);

    private readonly PlanInput _in;
    private readonly ISpellChecker? _spell;
    private readonly DateTimeOffset _now;
    private readonly UserProfile _user;
    private readonly UserSettings _settings;
    private readonly UserFacts _facts;
    private readonly UserCalendar _cal;
    private readonly Dictionary<string, DateTimeOffset> _recorded;
    private readonly List<PlanStep> _steps = [];
    private string _processKey = "";

    private readonly CancellationToken _cancel;

    private readonly IMailReader? _reader;

    public PlanBuilder(PlanInput input, ISpellChecker? spell, CancellationToken cancellationToken = default, IMailReader? reader = null)
    {
        _cancel = cancellationToken;
        _in = input;
        _spell = spell;
        _reader = reader;
        RejectNullEntries(input);
        if (input.Now == default) throw new PlanInputException("'now' is missing: the instant to plan for");
        _now = Sane(input.Now, "now");
        if (input.Facts?.DecisionDate is { } decision) Sane(new DateTimeOffset(decision.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero), "facts.decisionDate");
        _user = input.User ?? throw new PlanInputException("'user' is missing");
        if (string.IsNullOrWhiteSpace(_user.Address) || !_user.Address.Contains('@'))
            throw new PlanInputException("user.address is missing or not an address");
        _settings = input.Settings ?? new UserSettings();
        if (_settings.MaxFollowUps is < 1 or > 3)
            throw new PlanInputException($"settings.maxFollowUps is {_settings.MaxFollowUps}: it must be 1, 2 or 3");
        _facts = input.Facts ?? new UserFacts();
        _cal = new UserCalendar(_user.TimeZone, _user.WorkingHours, _settings.Holidays);
        _recorded = (input.Written ?? []).GroupBy(w => w.ItemId).ToDictionary(g => g.Key, g => g.Max(w => w.LastModifiedDateTime));
    }

    public Plan Build()
    {
        if (_in.Events is not { Count: > 0 }) throw new PlanInputException("'events' is empty: a process needs at least one interview event");
        var all = _in.Events.Select(ReadEvent).ToList();
        var ours = all.Where(e => StepKeys.FromProperties(e.Event.SingleValueExtendedProperties) is not null).ToList();
        var candidates = all.Except(ours).ToList();
        var messages = (_in.Messages ?? []).Select(ReadMessage).ToList();

        var detection = ProcessDetection(candidates);
        var interviews = _facts.IsInterview == true
            ? candidates.Where(e => e.Event.IsCancelled != true && e.Event.IsAllDay != true).ToList()
            : candidates.Where(e => e.Detection.Verdict == DetectionVerdict.Interview).ToList();
        if (detection.Verdict != DetectionVerdict.Interview || interviews.Count == 0)
        {
            var state = detection.Verdict == DetectionVerdict.Maybe ? ProcessState.Maybe : ProcessState.NotInterview;
            return Result(new ProcessSummary { Key = ProcessKey(candidates), State = state, Detection = detection });
        }

        _processKey = ProcessKey(interviews);
        var rounds = Rounds(interviews);
        var chain = rounds[^1];
        var people = rounds.SelectMany(r => r.Round.Interviewers).DistinctBy(p => p.Address).ToList();
        var organizer = interviews.Select(i => i.Event.Organizer?.EmailAddress).FirstOrDefault(a => IsPerson(a?.Address));
        var company = _facts.Company ?? people.Select(p => People.CompanyFromDomain(p.Address)).FirstOrDefault(c => c is not null);
        var employer = EmployerSide(people, company);

        var mine = messages.Where(m => People.SameAddress(m.From, _user.Address)).ToList();
        var byKey = messages.Where(m => m.Key is not null).GroupBy(m => m.Key!)
            .ToDictionary(g => g.Key, g => g.OrderBy(m => m.Message.IsDraft == true).ThenByDescending(m => m.At).First());
        var eventByKey = ours.GroupBy(e => StepKeys.FromProperties(e.Event.SingleValueExtendedProperties)!)
            .ToDictionary(g => g.Key, g => g.First());
        var fromEmployer = messages.Where(m => m.Key is null && m.Message.IsDraft != true && !People.SameAddress(m.From, _user.Address) && employer(m))
            .OrderBy(m => m.At).ToList();

        var decision = DecisionDate(interviews, fromEmployer);
        var context = new DraftContext(_facts.Role, company, Signature(), decision is { } dd && dd.Date >= chain.Round.Date ? dd : null, _facts.FitLine);

        var since = fromEmployer.Where(m => m.At > chain.Round.EndUtc && m.At <= _now).ToList();
        // The learned reader reads the latest messages only: its cost is per message, and a scenario or a mailbox may
        // hold thousands; older ones are read by the rules.
        var replies = since.Select((m, i) => new Reply(m, ReplyClassifier.Classify(m.Message, _cal.LocalDate(m.At), _cal,
            i >= since.Count - Planner.MaxModelReadings ? _reader : null, Corrected(m.Message.Id), _cancel))).ToList();
        var answers = replies.Where(r => r.Reading.Class != ReplyClass.AutoReply).ToList();
        // Only a rejection the product is sure of (or the user confirmed) withdraws everything and drafts the reply.
        var rejection = answers.FirstOrDefault(r => r.Reading is { Class: ReplyClass.Rejection, Sure: true });
        var last = answers.LastOrDefault();

        foreach (var round in rounds) ThankYous(round, rounds, context, byKey, mine, rejection);
        Connections(rounds, context, eventByKey);
        var contact = FollowUpContact(chain, organizer);
        // The chain is planned even after a rejection, so that its drafts already in the mailbox are withdrawn.
        FollowUpChain(chain, contact, context, byKey, eventByKey, mine, replies, last);
        ReminderFromReply(chain, last, context, eventByKey);
        if (rejection is not null) Rejected(chain, rejection, contact, context, byKey, mine, eventByKey);
        else if (last is { Reading: { Class: ReplyClass.OnHold, Sure: true } } held) OnHold(chain, held, contact, context, eventByKey);
        if (rejection is null) WithdrawStaleRejectionReply(chain, contact, context, byKey);
        NextRounds(rounds, context, eventByKey);
        if (_facts.MutualConnection is { Address: { Length: > 0 } } mutual)
        {
            var who = new Person(People.DisplayName(mutual), People.Normalize(mutual.Address));
            var end = rounds[0].Round.EndUtc;
            AddReminder(StepKind.AskRecommendation, StepKeys.For(StepKind.AskRecommendation, _processKey, who.Address),
                "R8: you know someone connected to the company; right after the interview is a potent time to ask [002]",
                who, end, _cal.NextWorkingInstant(end), context, who.Name, null, 15, eventByKey);
        }
        if (rejection is not null) CancelAllBut(rejection);

        var summary = new ProcessSummary
        {
            Key = _processKey,
            State = State(rounds, rejection, last),
            Detection = detection,
            Company = company,
            Role = _facts.Role,
            DecisionDate = decision,
            LastReply = last is null ? null : Summary(last),
            Replies = replies.Select(Summary).ToList(),
            Question = rejection is null ? Question(last, company) : null,
            Rounds = rounds.Select(r => r.Round).ToList(),
        };
        return Result(summary);
    }

    // ---- reading the input ------------------------------------------------------------------------------------

    /// <summary>No interview happens before 1990 or after 2200; such an instant is a mistake, and date arithmetic on it overflows.</summary>
    private static DateTimeOffset Sane(DateTimeOffset instant, string where) =>
        instant.Year is >= 1990 and <= 2200
            ? instant.ToUniversalTime()
            : throw new PlanInputException($"{where} ({instant:yyyy-MM-dd}) is outside the years 1990 to 2200");

    /// <summary>Graph never sends null list entries; one here is malformed input, named by its path.</summary>
    private static void RejectNullEntries(PlanInput input)
    {
        static void Check<T>(IReadOnlyList<T?>? list, string path)
        {
            if (list is null) return;
            for (var i = 0; i < list.Count; i++)
                if (list[i] is null) throw new PlanInputException($"{path}[{i}] is null");
        }
        Check(input.Events, "events");
        for (var i = 0; i < (input.Events?.Count ?? 0); i++)
        {
            var e = input.Events![i];
            Check(e.Attendees, $"events[{i}].attendees");
            Check(e.SingleValueExtendedProperties, $"events[{i}].singleValueExtendedProperties");
        }
        Check(input.Messages, "messages");
        for (var i = 0; i < (input.Messages?.Count ?? 0); i++)
        {
            var m = input.Messages![i];
            Check(m.ToRecipients, $"messages[{i}].toRecipients");
            Check(m.CcRecipients, $"messages[{i}].ccRecipients");
            Check(m.InternetMessageHeaders, $"messages[{i}].internetMessageHeaders");
            Check(m.SingleValueExtendedProperties, $"messages[{i}].singleValueExtendedProperties");
        }
        Check(input.Facts?.AcceptedSteps, "facts.acceptedSteps");
        Check(input.Facts?.DismissedSteps, "facts.dismissedSteps");
        Check(input.Written, "written");
        Check(input.User?.WorkingHours?.DaysOfWeek, "user.workingHours.daysOfWeek");
        if (input.Facts?.InterviewerNotes?.Any(kv => kv.Value is null) == true) throw new PlanInputException("facts.interviewerNotes has a null note");
    }

    private Interview ReadEvent(GraphEvent e, int index)
    {
        _cancel.ThrowIfCancellationRequested();
        var name = $"event '{e.Id ?? e.ICalUId ?? index.ToString()}'";
        var start = Sane(UserCalendar.ParseGraphDateTime(e.Start, name + " start"), name + " start");
        var end = Sane(UserCalendar.ParseGraphDateTime(e.End, name + " end"), name + " end");
        if (end < start) throw new PlanInputException($"{name} ends before it starts");
        return new Interview(e, start, end, InterviewDetector.Detect(e, _user));
    }

    private Mail ReadMessage(GraphMessage m, int index)
    {
        _cancel.ThrowIfCancellationRequested();
        var from = People.Normalize(m.From?.EmailAddress?.Address);
        var mineAndSent = People.SameAddress(from, _user.Address);
        DateTimeOffset? at = mineAndSent ? m.SentDateTime ?? m.ReceivedDateTime : m.ReceivedDateTime ?? m.SentDateTime;
        if (m.IsDraft == true) at ??= m.LastModifiedDateTime ?? m.CreatedDateTime;
        if (at is null)
            throw new PlanInputException($"message '{m.Id ?? index.ToString()}' has no sentDateTime or receivedDateTime");
        Sane(at.Value, $"message '{m.Id ?? index.ToString()}' time");
        var to = (m.ToRecipients ?? []).Concat(m.CcRecipients ?? []).Select(r => People.Normalize(r.EmailAddress?.Address)).ToList();
        return new Mail(m, at.Value.ToUniversalTime(), from, StepKeys.FromProperties(m.SingleValueExtendedProperties), to);
    }

    private Detection ProcessDetection(List<Interview> events)
    {
        if (_facts.IsInterview is bool says) return InterviewDetector.Detect(events.Count > 0 ? events[0].Event : new GraphEvent(), _user, says);
        var yes = events.FirstOrDefault(e => e.Detection.Verdict == DetectionVerdict.Interview);
        if (yes is not null) return yes.Detection;
        var maybe = events.FirstOrDefault(e => e.Detection.Verdict == DetectionVerdict.Maybe);
        if (maybe is not null) return maybe.Detection;
        return events.Count > 0 ? events[0].Detection : new Detection(DetectionVerdict.NotInterview, ["R0: only reminders OutlookFollowUp created"]);
    }

    private string ProcessKey(IReadOnlyList<Interview> events)
    {
        if (!string.IsNullOrWhiteSpace(_in.ProcessId)) return _in.ProcessId;
        var first = events.OrderBy(e => e.StartUtc).ThenBy(e => e.Event.ICalUId ?? e.Event.Id, StringComparer.Ordinal).FirstOrDefault();
        return first?.Event.ICalUId ?? first?.Event.Id
            ?? throw new PlanInputException("the events have neither iCalUId nor id, and no processId was given");
    }

    /// <summary>R12: one round per interview day in the user's zone; a panel split into several events is one round.</summary>
    private List<RoundInfo> Rounds(List<Interview> interviews) =>
        interviews.GroupBy(i => _cal.LocalDate(i.StartUtc)).OrderBy(g => g.Key).Select(g =>
        {
            var events = g.OrderBy(i => i.StartUtc).ToList();
            var people = new List<Person>();
            foreach (var i in events)
            {
                foreach (var a in i.Event.Attendees ?? [])
                {
                    if (People.IsRoom(a) || !IsPerson(a.EmailAddress?.Address)) continue;
                    if (string.Equals(a.Status?.Response, "declined", StringComparison.OrdinalIgnoreCase)) continue;
                    people.Add(new Person(People.DisplayName(a.EmailAddress), People.Normalize(a.EmailAddress!.Address)));
                }
                var org = i.Event.Organizer?.EmailAddress;
                if (IsPerson(org?.Address)) people.Add(new Person(People.DisplayName(org), People.Normalize(org!.Address)));
            }
            var text = string.Join('\n', events.Select(i => Text.ForMatching(Text.Subject(i.Event.Subject) + " " + Text.Plain(i.Event.Body, i.Event.BodyPreview))));
            var isFinal = text.Contains("final round", StringComparison.Ordinal) || text.Contains("final interview", StringComparison.Ordinal)
                          || text.Contains("last round", StringComparison.Ordinal);
            var round = new Round(g.Key, events.Min(i => i.StartUtc), events.Max(i => i.EndUtc),
                events.Select(i => i.Event.Id ?? i.Event.ICalUId ?? "").ToList(), people.DistinctBy(p => p.Address).ToList(), isFinal);
            return new RoundInfo(round, events, g.Key.ToString("yyyy-MM-dd"));
        }).ToList();

    private bool IsPerson(string? address) =>
        !string.IsNullOrWhiteSpace(address) && !People.IsRobot(address) && !People.SameAddress(address, _user.Address);

    /// <summary>R5: who speaks for the employer: the people met, anyone at their organization, and their ATS.</summary>
    private Func<Mail, bool> EmployerSide(List<Person> people, string? company)
    {
        var addresses = people.Select(p => p.Address).ToHashSet();
        if (_facts.ContactPerson?.Address is { } c) addresses.Add(People.Normalize(c));
        var mutual = People.Normalize(_facts.MutualConnection?.Address);
        var userOrg = People.IsFreeMail(_user.Address) ? "" : People.Organization(_user.Address);
        var orgs = addresses.Where(a => !People.IsFreeMail(a)).Select(People.Organization)
            .Where(o => o.Length > 0 && o != userOrg).ToHashSet();
        var name = company is { Length: > 2 } ? Text.ForMatching(company) : null;
        return m =>
        {
            if (m.From == mutual) return false;
            if (addresses.Contains(m.From)) return true;
            if (!People.IsFreeMail(m.From) && orgs.Contains(People.Organization(m.From))) return true;
            // Rejections often come from the applicant-tracking system's no-reply address, naming the company.
            return People.IsRecruitingService(m.From) && name is not null
                   && Text.ForMatching(Text.Subject(m.Message.Subject) + " " + Text.Plain(m.Message.Body, m.Message.BodyPreview)).Contains(name, StringComparison.Ordinal);
        };
    }

    /// <summary>R2: the user's date wins; otherwise the latest thing the employer wrote that names a date.</summary>
    private DecisionDate? DecisionDate(List<Interview> interviews, List<Mail> fromEmployer)
    {
        if (_facts.DecisionDate is { } date) return new DecisionDate(date, "facts", null);
        var found = new List<(DateTimeOffset Written, DecisionDate Date)>();
        foreach (var i in interviews)
        {
            // A timeline in an invite ("we decide within a week") counts from the interview, not from when it was sent.
            var text = Text.Subject(i.Event.Subject) + "\n" + Text.Plain(i.Event.Body, i.Event.BodyPreview);
            if (DatePhrases.ReadDecisionDate(text, _cal.LocalDate(i.EndUtc), _cal) is { } p)
                found.Add((i.EndUtc, new DecisionDate(p.Date, $"event:{i.Event.Id}", p.Phrase)));
        }
        foreach (var m in fromEmployer.Where(m => m.At <= _now))
        {
            var text = Text.Subject(m.Message.Subject) + "\n" + Text.Plain(m.Message.Body, m.Message.BodyPreview);
            if (DatePhrases.ReadDecisionDate(text, _cal.LocalDate(m.At), _cal) is { } p)
                found.Add((m.At, new DecisionDate(p.Date, $"message:{m.Message.Id}", p.Phrase)));
        }
        return found.OrderBy(f => f.Written).Select(f => f.Date).LastOrDefault();
    }

    private string Signature() =>
        _settings.Signature is { Length: > 0 } s ? s.Trim() : People.DisplayName(new EmailAddress(_user.DisplayName, _user.Address));

    // ---- R1 thank-you notes ------------------------------------------------------------------------------------

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
                                                  && m.At >= end && m.At <= end.AddHours(48) && m.At <= _now);
            if (written is not { Sent: true } && manual is not null)
                over = (StepStatus.Done, $"R1: you wrote to {p.Name} yourself on {Local(manual.At)}");
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
        AddReminder(StepKind.SendThankYou, nudgeKey, "R8: the thank-you notes are due within 24 hours [002]",
            r.Round.Interviewers[0], end, nudgeDue, c, names, null, 15, null, done);
    }

    /// <summary>A late thank-you is still worth sending for a while [001: 48 hours; 004: a day or two]; not once follow-ups begin.</summary>
    internal const int ThankYouOfferedForDays = 7;

    private string? NoteFor(string address) =>
        _facts.InterviewerNotes?.FirstOrDefault(kv => People.SameAddress(kv.Key, address)).Value;

    // ---- R8 connections ----------------------------------------------------------------------------------------

    private void Connections(List<RoundInfo> rounds, DraftContext c, Dictionary<string, Interview> eventByKey)
    {
        foreach (var p in rounds.SelectMany(r => r.Round.Interviewers.Select(p => (Round: r, Person: p))).DistinctBy(x => x.Person.Address))
        {
            var end = p.Round.Round.EndUtc;
            var first = People.FirstName(new EmailAddress(p.Person.Name, p.Person.Address));
            AddReminder(StepKind.ConnectOnLinkedIn, StepKeys.For(StepKind.ConnectOnLinkedIn, _processKey, p.Person.Address),
                "R8: connect within a day, with a note that reminds them who you are [003, 004]",
                p.Person, end, _cal.NextWorkingInstant(end.AddHours(2)), c, p.Person.Name, Drafts.ConnectNote(c, first), 15, eventByKey);
        }
    }

    // ---- R3, R4, R7 follow-ups ---------------------------------------------------------------------------------

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
        Dictionary<string, Mail> byKey, Dictionary<string, Interview> eventByKey, List<Mail> mine, List<Reply> replies, Reply? last)
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
            var sentAt = keepSearching ? null : phone ? CallMade(eventByKey, key) : Written(byKey, key) is { Sent: true } w ? w.SentUtc : null;
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
            if (stop is { } s) over = s;
            else if (n > 1 && previousOpen)
                over = (StepStatus.Scheduled, reason);

            PlanStep step;
            if (keepSearching)
                step = ReminderStep(kind, key, reason, contact, due, due, c, contact.Name, null, 30, eventByKey, over);
            else if (phone)
                step = ReminderStep(kind, key, reason, contact, due, due, c, contact.Name, $" on {chain.Round.Date:MMMM d}", 15, eventByKey, over);
            else
            {
                var draft = Drafts.FollowUp(c, firstName, n, chain.Round.Date, thread?.Message.Id, thread?.Message.Subject);
                var review = Review(draft, c.Signature, Drafts.FollowUpWordLimit, firstName, [], People.NamesARole(contact.Name));
                step = MailStep(kind, key, reason, contact, due, due, draft, Written(byKey, key), over, review, false);
            }
            _steps.Add(step);

            previousSent = sentAt;
            previousDue = due;
            previousOpen = sentAt is null;
        }
    }

    private ReplyClass? Corrected(string? messageId) =>
        messageId is not null && _in.Corrections is { } said && said.TryGetValue(messageId, out var c) ? c : null;

    private static EmployerReply Summary(Reply r) => new(r.Mail.Message.Id, r.Reading.Class, r.Mail.At, r.Mail.From, r.Reading.Date?.Date,
        r.Reading.Probability, r.Reading.Reason, r.Reading.ReadBy, r.Reading.Sure);

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

    private Mail? ThreadFor(Person contact, RoundInfo chain, Dictionary<string, Mail> byKey, List<Mail> mine)
    {
        var key = StepKeys.For(StepKind.ThankYou, _processKey, chain.DateKey, contact.Address);
        if (byKey.TryGetValue(key, out var ours) && ours.Message.IsDraft != true) return ours;
        return mine.Where(m => m.Message.IsDraft != true && m.At >= chain.Round.EndUtc && m.At <= _now && m.To.Contains(contact.Address))
            .OrderBy(m => m.At).FirstOrDefault();
    }

    private bool IsThankYou(Mail m, RoundInfo chain) =>
        (m.Key is { } k && k.StartsWith("ofu1-ty-", StringComparison.Ordinal)) || (m.Key is null && m.At <= chain.Round.EndUtc.AddHours(48));

    private static bool IsAnswer(Mail m, List<Reply> replies) =>
        m.Message.ConversationId is { } conv && replies.Any(r => r.Mail.Message.ConversationId == conv && r.Mail.At < m.At);

    private DateTimeOffset? CallMade(Dictionary<string, Interview> eventByKey, string key) =>
        eventByKey.TryGetValue(key, out var e) && e.StartUtc <= _now ? e.StartUtc : null;

    // ---- R5 reminders from the reply, R6 rejection, R9 stay in touch --------------------------------------------

    private void ReminderFromReply(RoundInfo chain, Reply? last, DraftContext c, Dictionary<string, Interview> eventByKey)
    {
        if (last is null || !last.Reading.Sure) return;
        var who = new Person(People.DisplayName(last.Mail.Message.From?.EmailAddress), last.Mail.From);
        var at = last.Mail.At;
        var due = _cal.NextWorkingInstant(at);
        switch (last.Reading.Class)
        {
            case ReplyClass.Offer:
                AddReminder(StepKind.AnswerOffer, StepKeys.For(StepKind.AnswerOffer, _processKey, chain.DateKey),
                    $"R5: they made an offer ({last.Reading.Reason})", who, at, due, c, who.Name, null, 30, eventByKey);
                break;
            case ReplyClass.NextRound:
                AddReminder(StepKind.PrepareNextRound, StepKeys.For(StepKind.PrepareNextRound, _processKey, chain.DateKey, "reply"),
                    $"R5: they invited you to a next round ({last.Reading.Reason}); start preparing now [002]", who, at, due, c, who.Name, null, 60, eventByKey);
                break;
            case ReplyClass.References:
                AddReminder(StepKind.AlertReferences, StepKeys.For(StepKind.AlertReferences, _processKey, chain.DateKey),
                    $"R5: they asked for references ({last.Reading.Reason}); alert them [003]", who, at, due, c, who.Name, null, 30, eventByKey);
                break;
        }
    }

    private void Rejected(RoundInfo chain, Reply rejection, Person? contact, DraftContext c,
        Dictionary<string, Mail> byKey, List<Mail> mine, Dictionary<string, Interview> eventByKey)
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
        StayInTouch(chain, to ?? contact, rejection.Mail.At, c, eventByKey,
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

    /// <summary>R5: a role on hold is no verdict: no more follow-ups (cancelled above), no gracious reply, and stay in touch.</summary>
    private void OnHold(RoundInfo chain, Reply held, Person? contact, DraftContext c, Dictionary<string, Interview> eventByKey)
    {
        var sender = held.Mail.Message.From?.EmailAddress;
        var to = IsPerson(sender?.Address) ? new Person(People.DisplayName(sender), People.Normalize(sender!.Address)) : contact;
        StayInTouch(chain, to, held.Mail.At, c, eventByKey,
            $"R9: the role was put on hold ({held.Reading.Reason}); check in every few months at most, twice per company at most [000, 002]");
    }

    private void StayInTouch(RoundInfo chain, Person? touch, DateTimeOffset at, DraftContext c, Dictionary<string, Interview> eventByKey, string reason)
    {
        if (!_settings.StayInTouch || touch is null) return;
        var earlier = (_in.CompanyHistory?.StayInTouchReminders ?? []).Select(d => d.ToUniversalTime()).OrderBy(d => d).ToList();
        // Ninety whole days, measured between instants: never an hour early.
        var next = at.AddDays(90);
        if (earlier.Count > 0 && earlier[^1].AddDays(90) > next) next = earlier[^1].AddDays(90);
        for (var i = 1; i <= 2 - earlier.Count; i++)
        {
            var due = _cal.NextWorkingInstant(next);
            AddReminder(StepKind.StayInTouch, StepKeys.For(StepKind.StayInTouch, _processKey, chain.DateKey, i.ToString()),
                reason, touch, due, due, c, touch.Name, null, 15, eventByKey);
            next = due.AddDays(90);
        }
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

    // ---- R8 next rounds, references at a final round -----------------------------------------------------------

    private void NextRounds(List<RoundInfo> rounds, DraftContext c, Dictionary<string, Interview> eventByKey)
    {
        for (var i = 1; i < rounds.Count; i++)
        {
            var r = rounds[i];
            var previous = rounds[i - 1].Round.EndUtc;
            var dayBefore = _cal.StartOfWork(BusinessDayBefore(r.Round.Date));
            var due = dayBefore > previous ? _cal.NextWorkingInstant(dayBefore) : _cal.NextWorkingInstant(previous);
            if (due >= r.Round.StartUtc) due = _cal.NextWorkingInstant(previous);
            var who = r.Round.Interviewers.FirstOrDefault() ?? new Person(c.Company ?? "the team", "");
            AddReminder(StepKind.PrepareNextRound, StepKeys.For(StepKind.PrepareNextRound, _processKey, r.DateKey),
                $"R8: round on {r.Round.Date:yyyy-MM-dd}; prepare the day before [002]", who, previous, due, c, who.Name, null, 60, eventByKey);
        }
        foreach (var r in rounds.Where(r => r.Round.IsFinal))
        {
            var who = r.Round.Interviewers.FirstOrDefault() ?? new Person(c.Company ?? "the team", "");
            AddReminder(StepKind.AlertReferences, StepKeys.For(StepKind.AlertReferences, _processKey, r.DateKey, "final"),
                "R8: a final round: references are often called next [003]", who, r.Round.EndUtc,
                _cal.NextWorkingInstant(r.Round.EndUtc), c, who.Name, null, 30, eventByKey);
        }
    }

    private DateOnly BusinessDayBefore(DateOnly date)
    {
        var d = date.AddDays(-1);
        for (var i = 0; i < 400 && !_cal.IsBusinessDay(d); i++) d = d.AddDays(-1);
        return d;
    }

    // ---- steps --------------------------------------------------------------------------------------------------

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

    private void AddReminder(StepKind kind, string key, string reason, Person who, DateTimeOffset availableFrom, DateTimeOffset due,
        DraftContext c, string name, string? extra, int minutes, Dictionary<string, Interview>? eventByKey, (StepStatus, string)? over = null) =>
        _steps.Add(ReminderStep(kind, key, reason, who, availableFrom, due, c, name, extra, minutes, eventByKey, over));

    private PlanStep ReminderStep(StepKind kind, string key, string reason, Person who, DateTimeOffset availableFrom, DateTimeOffset due,
        DraftContext c, string name, string? extra, int minutes, Dictionary<string, Interview>? eventByKey, (StepStatus Status, string Reason)? over)
    {
        var (title, body) = Drafts.Reminder(kind, c, name, extra);
        var accepted = _settings.AutoAcceptReminders || (_facts.AcceptedSteps?.Contains(key) ?? false);
        var created = eventByKey is not null && eventByKey.TryGetValue(key, out var e) ? e : null;
        StepStatus status;
        if (created is not null) { status = StepStatus.Done; reason += $"; in your calendar for {Local(created.StartUtc)}"; }
        else if (over is { } o) { status = o.Status; reason = o.Reason; }
        else if (_facts.DismissedSteps?.Contains(key) ?? false) { status = StepStatus.Skipped; reason += "; you dismissed it"; }
        else status = _now < availableFrom ? StepStatus.Scheduled : StepStatus.Due;
        return Finish(new PlanStep
        {
            Key = key, Kind = kind, Status = status, Reason = reason, Recipients = who.Address.Length > 0 ? [who] : [],
            AvailableFromUtc = availableFrom, DueUtc = due, DueLocal = _cal.ToLocal(due),
            Reminder = new ReminderEvent(title, due, minutes, 15, body, accepted),
            Written = created is null ? null : new MailboxItem(created.Event.Id ?? "", true, false, created.StartUtc),
        });
    }

    /// <summary>An unsent, unedited draft of a step that should not go now is withdrawn; an edited one is kept and flagged.</summary>
    private static PlanStep Finish(PlanStep s)
    {
        if (s.Mail is null || s.Written is not { Sent: false } w || s.Status is StepStatus.Due or StepStatus.NeedsReview or StepStatus.Done)
            return s with { WithdrawDraft = false };
        return w.EditedByUser
            ? s with { WithdrawDraft = false, Reason = s.Reason + "; you edited its draft, so it stays in Drafts: check it before sending" }
            : s with { WithdrawDraft = true };
    }

    private static PlanStep WithStatus(PlanStep s, StepStatus status, string reason) =>
        Finish(s with { Status = status, Reason = reason, Late = false });

    /// <summary>R10: the user's own words are checked; unknown words and shouting need a look before the draft goes.</summary>
    // roleMailbox: the recipient is a team or a role ("Recruiting Team"), for whom "Hello," is the right greeting.
    private Review? Review(MailDraft draft, string signature, int wordLimit, string? firstName, IEnumerable<string?> userText, bool roleMailbox = false)
    {
        var unknown = new List<UnknownWord>();
        var style = new List<string>();
        var allowed = AllowedNames();
        foreach (var text in userText.Where(t => !string.IsNullOrWhiteSpace(t)).Select(t => t!))
        {
            if (text.Contains("!!", StringComparison.Ordinal)) style.Add("\"!!\" reads as shouting");
            foreach (var word in Text.Words(text))
            {
                if (word.Length >= 4 && word.All(ch => !char.IsLetter(ch) || char.IsUpper(ch)))
                    style.Add($"\"{word}\" in capitals reads as shouting");
                var bare = word.EndsWith("'s", StringComparison.OrdinalIgnoreCase) ? word[..^2] : word;
                if (_spell is null || word.Length < 2 || allowed.Contains(bare.ToLowerInvariant())) continue;
                if (word.Length <= 5 && word.All(char.IsUpper)) continue; // an acronym: AWS, SQL
                if (!_spell.IsKnown(word) && unknown.All(u => u.Word != word))
                    unknown.Add(new UnknownWord(word, _spell.Suggest(word).Take(5).ToList()));
            }
        }
        if (firstName is null && !roleMailbox) style.Add("no first name is known for the greeting: add the recipient's name");
        var words = Drafts.BodyWords(draft, signature);
        if (words > wordLimit) style.Add($"{words} words; keep it under {wordLimit}");
        return unknown.Count == 0 && style.Count == 0 ? null : new Review(unknown, style.Distinct().ToList());
    }

    private HashSet<string>? _allowed;

    private HashSet<string> AllowedNames()
    {
        if (_allowed is not null) return _allowed;
        var names = new List<string?> { _facts.Company, _facts.Role, _user.DisplayName, _facts.ContactPerson?.Name, _facts.MutualConnection?.Name };
        foreach (var e in _in.Events ?? [])
        {
            names.Add(e.Organizer?.EmailAddress?.Name);
            names.AddRange((e.Attendees ?? []).Select(a => a.EmailAddress?.Name));
        }
        return _allowed = names.Where(n => n is not null).SelectMany(n => Text.Words(n!)).Select(w => w.ToLowerInvariant()).ToHashSet();
    }

    private ProcessState State(List<RoundInfo> rounds, Reply? rejection, Reply? last)
    {
        if (rejection is not null) return ProcessState.Rejected;
        if (last is { Reading: { Class: ReplyClass.OnHold, Sure: true } }) return ProcessState.OnHold;
        if (rounds[^1].Round.EndUtc > _now) return rounds.Count > 1 || rounds[^1].Round.StartUtc > _now && rounds.Any(r => r.Round.EndUtc <= _now)
            ? ProcessState.NextRound : ProcessState.Upcoming;
        if (Asks(last)) return ProcessState.Paused;
        if (last?.Reading.Class == ReplyClass.Offer) return ProcessState.Offer;
        if (last?.Reading.Class == ReplyClass.NextRound) return ProcessState.NextRound;
        if (last?.Reading.Class is ReplyClass.Other or ReplyClass.References && _facts.ResumeFollowUps != true) return ProcessState.Paused;
        if (_steps.Any(s => s.Kind == StepKind.KeepSearching && s.Status is StepStatus.Due or StepStatus.Done)) return ProcessState.MovedOn;
        if (_steps.Any(s => s.Kind is StepKind.FollowUp or StepKind.Call && s.Status is StepStatus.Due or StepStatus.Done or StepStatus.NeedsReview))
            return ProcessState.FollowingUp;
        if (_steps.Any(s => s.Kind == StepKind.ThankYou && s.Status is StepStatus.Due or StepStatus.NeedsReview)) return ProcessState.ThankYou;
        return ProcessState.Waiting;
    }

    private string Local(DateTimeOffset instant) => _cal.ToLocal(instant).ToString("yyyy-MM-dd HH:mm");

    private Plan Result(ProcessSummary summary) => new()
    {
        EngineVersion = Planner.EngineVersion,
        Now = _now,
        TimeZone = _cal.ZoneId,
        Process = summary,
        Steps = _steps.OrderBy(s => s.DueUtc).ThenBy(s => s.Kind).ThenBy(s => s.Key, StringComparer.Ordinal).ToList(),
        SpellCheck = _spell is null ? "unavailable" : "checked",
    };
}
