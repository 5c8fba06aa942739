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

internal sealed partial class PlanBuilder
{
    private sealed record Interview(GraphEvent Event, DateTimeOffset StartUtc, DateTimeOffset EndUtc, Detection Detection);

    private sealed record RoundInfo(Round Round, IReadOnlyList<Interview> Events, string DateKey);

    private sealed record Mail(GraphMessage Message, DateTimeOffset At, string From, string? Key, IReadOnlyList<string> To)
    {
        /// <summary>Written by the user (any of their addresses, or on behalf of a mailbox they write for).</summary>
        public bool Mine { get; init; }
        /// <summary>Its Message-ID, lower case, without brackets.</summary>
        public string? MessageId { get; init; }
        /// <summary>The Message-IDs it answers (In-Reply-To and References).</summary>
        public IReadOnlyList<string> References { get; init; } = [];
    }

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
    /// <summary>The product's reminders in the calendar, by step key.</summary>
    private Dictionary<string, Interview> _eventByKey = [];
    /// <summary>Whether an address speaks for the employer (the people met and named, their organizations).</summary>
    private Func<string, bool> _employer = _ => false;
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
        var company = CompanyOf(interviews, people);
        _employer = EmployerAddresses(people);
        var employer = EmployerSide(_employer, company, _facts.Role, messages);

        var mine = messages.Where(m => m.Mine).ToList();
        var byKey = messages.Where(m => m.Key is not null).GroupBy(m => m.Key!)
            .ToDictionary(g => g.Key, g => g.OrderBy(m => m.Message.IsDraft == true).ThenByDescending(m => m.At).First());
        _eventByKey = ours.GroupBy(e => StepKeys.FromProperties(e.Event.SingleValueExtendedProperties)!)
            .ToDictionary(g => g.Key, g => g.First());
        var fromEmployer = messages.Where(m => m.Key is null && m.Message.IsDraft != true && !m.Mine && employer(m))
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
        BeforeInterviews(rounds, context);
        Connections(rounds, context);
        var contact = FollowUpContact(chain, organizer);
        // The chain is planned even after a rejection, so that its drafts already in the mailbox are withdrawn.
        FollowUpChain(chain, contact, context, byKey, mine, replies, last);
        ReminderFromReply(chain, last, context);
        if (rejection is not null) Rejected(chain, rejection, contact, context, byKey, mine);
        else if (last is { Reading: { Class: ReplyClass.OnHold, Sure: true } } held) OnHold(chain, held, contact, context);
        if (rejection is null) WithdrawStaleRejectionReply(chain, contact, context, byKey);
        NextRounds(rounds, context);
        AskRecommendation(rounds, context);
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
            InTheRoom = InTheRoom(rounds),
            AskDecisionDate = rejection is null && last is null && decision is null && _facts.NoDecisionDate != true && chain.Round.EndUtc <= _now
                              && _now < chain.Round.EndUtc.AddDays(ThankYouOfferedForDays),
            Rounds = rounds.Select(r => r.Round).ToList(),
        };
        return Result(summary);
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

    /// <summary>[001, 004]: before a round, the two things to do in the room, with the names to get right.</summary>
    private IReadOnlyList<string> InTheRoom(List<RoundInfo> rounds)
    {
        var next = rounds.FirstOrDefault(r => r.Round.EndUtc > _now);
        if (next is null) return [];
        var names = next.Round.Interviewers.Select(p => p.Name).Where(n => n.Length > 0).ToList();
        return
        [
            "Ask what the next steps are and when they expect to decide: that date decides when you follow up [001, 004].",
            names.Count > 0
                ? $"Get each interviewer's contact details, and check how their names are spelled ({Text.JoinNames(names)}) [001]."
                : "Get each interviewer's contact details, and check how their names are spelled [001].",
        ];
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
