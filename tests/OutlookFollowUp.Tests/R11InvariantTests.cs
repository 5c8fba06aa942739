using System.Collections.Concurrent;
using OutlookFollowUp.Engine;
using Xunit.Abstractions;

namespace OutlookFollowUp.Tests;

/// <summary>
/// R11: politeness invariants, proven over 10,000 generated timelines. Each timeline simulates months of one process:
/// the sweep drafts what is due and withdraws what the plan withdraws, the user sends drafts after a random delay and
/// accepts reminders (or, for some users, writes their own thank-yous and follow-ups, sending some and leaving others
/// in Drafts), and the employer may answer in any of the ways the rules know, sometimes through a tracking system.
/// </summary>
public class R11InvariantTests(ITestOutputHelper output)
{
    public const int Timelines = 10_000;

    [Fact]
    public void PolitenessInvariantsHoldOverTenThousandGeneratedTimelines() => Prove(null, "invariants", "");

    /// <summary>
    /// Seed 952 once failed: a follow-up the user wrote by hand the day after a second round was taken for a thank-you,
    /// and the product's follow-up went out two days later. SEED=n replays any timeline, with its plans in the output.
    /// </summary>
    [Fact]
    public void AHandWrittenFollowUpRightAfterALaterRoundIsNotTakenForAThankYou()
    {
        var t = new SimulatedTimeline(int.Parse(Environment.GetEnvironmentVariable("SEED") ?? "952")) { Trace = output.WriteLine };
        t.Run();
        foreach (var s in t.Sent) output.WriteLine($"sent {s.At:O} {s.Key} {s.To}");
        Assert.Empty(t.Failures);
        Assert.Contains(t.Sent, s => s.Key.StartsWith("ofu1-fu-", StringComparison.Ordinal));
    }

    [Fact]
    public void PolitenessInvariantsHoldWithTheMailReaderInTheLoop() => Prove(Readers.Replies, "invariants-reader", " with the mail reader in the loop");

    private void Prove(IMailReader? reader, string figure, string how)
    {
        var failures = new ConcurrentQueue<string>();
        var plans = 0L;
        var sent = 0L;
        Parallel.For(0, Timelines, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, seed =>
        {
            var timeline = new SimulatedTimeline(seed, reader);
            try
            {
                timeline.Run();
            }
            catch (Exception e)
            {
                timeline.Failures.Add($"crashed: {e.GetType().Name}: {e.Message}");
            }
            Interlocked.Add(ref plans, timeline.PlansComputed);
            Interlocked.Add(ref sent, timeline.Sent.Count);
            foreach (var f in timeline.Failures.Take(3)) failures.Enqueue($"seed {seed}: {f}");
        });
        output.WriteLine($"{Timelines} timelines, {plans} plans, {sent} messages sent by simulated users, {failures.Count} violations");
        Report.Write(figure, $"R11{how}: {Timelines} generated timelines, {plans} plans computed, {sent} messages sent by simulated users, {failures.Count} violations");
        Assert.True(failures.IsEmpty, string.Join("\n", failures.Take(20)));
        Assert.True(sent > Timelines, "the simulated users must actually send mail for the invariants to mean anything");
    }
}

/// <summary>One generated process, simulated tick by tick; the random source is seeded, so a failure replays.</summary>
internal sealed class SimulatedTimeline
{
    private static readonly string[] Zones = ["Pacific Standard Time", "Europe/Berlin", "Asia/Tokyo", "Australia/Sydney", "America/New_York", "UTC", "Asia/Kolkata", "America/Sao_Paulo"];
    private static readonly EmailAddress[] Pool =
    [
        new("Priya Natarajan", "priya.natarajan@fabrikam.com"), new("Tom Becker", "tom.becker@fabrikam.com"),
        new("Grace Liu", "grace.liu@fabrikam.com"), new("Omar Haddad", "omar.haddad@fabrikam.com"),
    ];
    private static readonly EmailAddress Recruiter = new("Dana Whitfield", "dana.whitfield@fabrikam.com");

    private readonly Random _rng;
    private readonly PlanInput _base;
    private readonly UserCalendar _cal;
    private readonly List<GraphMessage> _mailbox = [];
    private readonly List<GraphEvent> _calendar = [];
    private readonly List<(DateTimeOffset At, GraphMessage Message)> _inbound = [];
    private readonly DateTimeOffset _firstEnd;
    private readonly DateTimeOffset _lastEnd;
    private readonly int _max;
    private int _ids;
    /// <summary>This user writes their own notes half of the time instead of sending the product's drafts.</summary>
    private readonly bool _byHand;
    /// <summary>The user's own unsent messages, with the step each stands for.</summary>
    private readonly List<(GraphMessage Draft, string Key, string To)> _ownDrafts = [];

    public List<string> Failures { get; } = [];
    public List<(DateTimeOffset At, string Key, string To)> Sent { get; } = [];
    public long PlansComputed { get; private set; }
    public Action<string>? Trace { get; init; }

    private readonly IMailReader? _reader;

    public SimulatedTimeline(int seed, IMailReader? reader = null)
    {
        _reader = reader;
        _rng = new Random(seed);
        var zone = Zones[_rng.Next(Zones.Length)];
        var startHour = 6 + _rng.Next(5);
        string[] days = _rng.Next(10) == 0 ? ["sunday", "monday", "tuesday", "wednesday", "thursday"] : ["monday", "tuesday", "wednesday", "thursday", "friday"];
        var user = A.User(zone, days: days, start: $"{startHour:00}:00:00.0000000", end: $"{startHour + 6 + _rng.Next(5):00}:30:00.0000000");
        var day = new DateOnly(2026, 1, 5).AddDays(_rng.Next(330));
        var holidays = Enumerable.Range(0, _rng.Next(4)).Select(_ => day.AddDays(_rng.Next(60))).ToList();
        _cal = new UserCalendar(zone, user.WorkingHours, holidays);

        var events = new List<GraphEvent>();
        var rounds = _rng.Next(10) < 7 ? 1 : 2 + _rng.Next(2);
        for (var r = 0; r < rounds; r++)
        {
            var people = Pool.OrderBy(_ => _rng.Next()).Take(1 + _rng.Next(3)).ToArray();
            var local = day.ToDateTime(new TimeOnly(7 + _rng.Next(12), _rng.Next(4) * 15));
            var subject = r == rounds - 1 && rounds > 1 && _rng.Next(2) == 0 ? "Final round interview" : "Interview: Engineer";
            var body = _rng.Next(3) == 0 ? "We will make a decision within two weeks." : "";
            events.Add(A.Interview(local.ToString("yyyy-MM-ddTHH:mm"), 30 + _rng.Next(6) * 30, zone, people, Recruiter, subject, body, $"e{seed}-{r}"));
            day = day.AddDays(3 + _rng.Next(12));
        }
        var ends = events.Select(e => UserCalendar.ParseGraphDateTime(e.End, "end")).ToList();
        _firstEnd = ends.Min();
        _lastEnd = ends.Max();
        _max = 1 + _rng.Next(3);
        _byHand = _rng.Next(3) == 0;
        var channel = _rng.Next(20) switch { 0 => ContactChannel.Phone, 1 => ContactChannel.Wait, 2 => ContactChannel.Person, _ => ContactChannel.Email };
        _base = new PlanInput
        {
            User = user,
            Settings = new UserSettings { Signature = "Alex Rivera", MaxFollowUps = _max, Holidays = holidays, StayInTouch = _rng.Next(4) != 0 },
            Facts = new UserFacts
            {
                // Some users type the company in; for the others it is read from the people's domains.
                Role = "Engineer", Company = _rng.Next(3) == 0 ? null : "Fabrikam", Channel = channel,
                ContactPerson = channel == ContactChannel.Person ? Pool[3] : null,
                DecisionDate = _rng.Next(3) == 0 ? _cal.LocalDate(_lastEnd).AddDays(2 + _rng.Next(20)) : null,
            },
            Events = events,
        };
        PlanEmployer();
    }

    /// <summary>The employer answers zero, one or two times, in any way the rules know.</summary>
    private void PlanEmployer()
    {
        var replies = _rng.Next(10) < 3 ? 0 : 1 + _rng.Next(2);
        var at = _lastEnd;
        for (var i = 0; i < replies; i++)
        {
            at = at.AddHours(6 + _rng.Next(24 * 25));
            var from = _rng.Next(3) == 0 ? Pool[_rng.Next(Pool.Length)] : Recruiter;
            var (subject, body, auto) = _rng.Next(8) switch
            {
                0 => ("Your application", "Thank you for your time. Unfortunately we have decided to move forward with other candidates.", false),
                1 => ("Offer", "We are delighted to offer you the position.", false),
                2 => ("Next steps", "We would like to invite you to a final round interview. Please send your availability.", false),
                3 => ("Update", $"We are still reviewing and will get back to you by {_cal.LocalDate(at).AddDays(3 + _rng.Next(15)):MMMM d}.", false),
                4 => ("References", "Could you send us two references?", false),
                5 => ("Re: Thank you", "Thanks for the note, it was great meeting you.", false),
                _ => ("Automatic reply", $"I am out of the office until {_cal.LocalDate(at).AddDays(2 + _rng.Next(10)):MMMM d}.", true),
            };
            // A rejection often comes from the tracking system's no-reply address, naming the company.
            if (subject == "Your application" && _rng.Next(2) == 0)
            {
                from = new EmailAddress("Fabrikam Careers", "no-reply@greenhouse-mail.io");
                body = "Thank you for your interest in Fabrikam. " + body;
            }
            var message = A.Inbound(from, at.ToString("O"), subject, body, null, auto ? [new MessageHeader("Auto-Submitted", "auto-replied")] : []);
            _inbound.Add((at, message with { Id = $"in-{_ids++}" }));
        }
    }

    public void Run()
    {
        var now = _firstEnd.AddHours(-30);
        var end = _lastEnd.AddDays(70);
        DateTimeOffset? rejectedAt = null;
        while (now < end)
        {
            foreach (var (at, m) in _inbound.Where(x => x.At <= now && !_mailbox.Contains(x.Message)).ToList())
            {
                _mailbox.Add(m);
                if (m.Subject == "Your application") rejectedAt ??= at;
            }
            var input = _base with { Now = now, Messages = [.. _mailbox], Events = [.. _base.Events!, .. _calendar] };
            var plan = Planner.Build(input, null, default, _reader);
            PlansComputed++;
            Check(plan, now, rejectedAt);
            if (Trace is { } trace)
                foreach (var st in plan.Steps.Where(x => x.Kind is StepKind.FollowUp or StepKind.ThankYou))
                    trace($"{now:O} {st.Kind} {st.Key} {st.Status} due {st.DueUtc:O} {st.Reason}");
            if (PlansComputed % 25 == 1 && PlanJson.Write(plan) != PlanJson.Write(Planner.Build(input, null, default, _reader)))
                Failures.Add($"{now:O}: the same input gave two different plans");
            Act(plan, now);
            now = NextTick(plan, now);
        }
        CheckSent();
    }

    private void Check(Plan plan, DateTimeOffset now, DateTimeOffset? rejectedAt)
    {
        foreach (var s in plan.Steps)
        {
            if (!_cal.IsWorkingInstant(s.DueUtc)) Failures.Add($"{now:O}: {s.Kind} due outside working hours at {s.DueLocal:O}");
            // What to do in the room comes before the round it is for, and only then.
            if (s.Kind == StepKind.BeforeInterview)
            {
                if (!plan.Process.Rounds.Any(r => s.DueUtc < r.StartUtc && s.DueUtc >= r.StartUtc.AddHours(-3)))
                    Failures.Add($"{now:O}: the in-the-room reminder is due {s.DueUtc:O}, not in the hours before a round");
            }
            else if (s.DueUtc < _firstEnd) Failures.Add($"{now:O}: {s.Kind} due {s.DueUtc:O}, before the interview ended {_firstEnd:O}");
            if (s.AvailableFromUtc > s.DueUtc) Failures.Add($"{now:O}: {s.Kind} available after it is due");
            if (s.Status is StepStatus.Due or StepStatus.NeedsReview && now < s.AvailableFromUtc) Failures.Add($"{now:O}: {s.Kind} due before it is available");
            if (rejectedAt is not null && s.Status is StepStatus.Due or StepStatus.NeedsReview or StepStatus.Scheduled
                && s.Kind is not (StepKind.RejectionReply or StepKind.StayInTouch))
                Failures.Add($"{now:O}: {s.Kind} still {s.Status} after a rejection");
        }
        var chain = plan.Steps.Count(s => s.Kind is StepKind.FollowUp or StepKind.Call && s.Reason.Contains(plan.Process.Rounds[^1].Date.ToString("yyyy-MM-dd"), StringComparison.Ordinal));
        if (plan.Steps.Count(s => s.Kind is StepKind.FollowUp or StepKind.Call) > _max * plan.Process.Rounds.Count)
            Failures.Add($"{now:O}: more than {_max} follow-ups planned for one round ({chain})");
    }

    /// <summary>The sweep and the user: withdraw what the plan withdraws, draft what is due, send some drafts, accept reminders.</summary>
    private void Act(Plan plan, DateTimeOffset now)
    {
        // The user's own drafts: some are sent after a while, some deleted, some left; once the user has read a
        // rejection, they send none of them (what the user sends by hand is theirs, not the product's, to stop).
        var rejected = _mailbox.Any(m => m.Subject == "Your application");
        foreach (var own in _ownDrafts.ToList())
        {
            var roll = rejected ? 0 : _rng.Next(6);
            if (roll > 2) continue;
            _mailbox.Remove(own.Draft);
            _ownDrafts.Remove(own);
            if (roll == 0) continue; // deleted
            _mailbox.Add(own.Draft with { IsDraft = false, SentDateTime = now, LastModifiedDateTime = now });
            Sent.Add((now, own.Key, own.To));
        }
        foreach (var s in plan.Steps)
        {
            // Beside the user's own unsent message, the product drafts no second one to the same side.
            if (s.Kind is StepKind.FollowUp && s.Status is StepStatus.Due or StepStatus.NeedsReview && _ownDrafts.Count > 0)
                Failures.Add($"{now:O}: follow-up {s.Key} offered while the user's own message waits in Drafts");
            if (s.Kind is StepKind.ThankYou && s.Status is StepStatus.Due or StepStatus.NeedsReview && _ownDrafts.Any(d => d.To == s.Recipients[0].Address))
                Failures.Add($"{now:O}: thank-you {s.Key} offered while the user's own note to them waits in Drafts");
        }
        foreach (var s in plan.Steps)
        {
            if (_byHand && s.Kind is StepKind.ThankYou or StepKind.FollowUp && s.Status is StepStatus.Due or StepStatus.NeedsReview
                && _rng.Next(2) == 0 && _ownDrafts.Count == 0)
            {
                // Written by hand, with no step key: a thank-you reads as one, a follow-up as a chase.
                var to = new EmailAddress(s.Recipients[0].Name, s.Recipients[0].Address);
                var (subject, text) = s.Kind == StepKind.ThankYou
                    ? ("Thank you", "Thank you for taking the time to meet with me. I enjoyed our conversation.")
                    : ("Following up", "I wanted to follow up on my interview and see if there is any news.");
                var own = A.Sent(to, now.ToString("O"), subject) with { Id = $"own-{_ids++}", Body = new ItemBody("text", text) };
                if (_rng.Next(3) == 0)
                {
                    var draft = own with { IsDraft = true, SentDateTime = null };
                    _mailbox.Add(draft);
                    _ownDrafts.Add((draft, s.Key, to.Address!));
                }
                else
                {
                    _mailbox.Add(own);
                    Sent.Add((now, s.Key, to.Address!));
                }
                continue;
            }
            var existing = _mailbox.FirstOrDefault(m => StepKeys.FromProperties(m.SingleValueExtendedProperties) == s.Key);
            if (s.WithdrawDraft && existing is { IsDraft: true }) { _mailbox.Remove(existing); continue; }
            if (s.Mail is not null && s.Status is StepStatus.Due or StepStatus.NeedsReview && existing is null)
            {
                var to = new EmailAddress(s.Recipients[0].Name, s.Recipients[0].Address);
                _mailbox.Add(A.Draft(to, s.Key, now.ToString("O")) with { Id = $"d-{_ids++}" });
            }
            else if (s.Mail is not null && s.Status is StepStatus.Due or StepStatus.NeedsReview && existing is { IsDraft: true } && _rng.Next(3) != 0)
            {
                _mailbox.Remove(existing);
                _mailbox.Add(existing with { IsDraft = false, SentDateTime = now, LastModifiedDateTime = now });
                Sent.Add((now, s.Key, s.Recipients[0].Address));
            }
            else if (s.Reminder is not null && s.Status == StepStatus.Due && _rng.Next(2) == 0)
            {
                var start = _cal.ToLocal(s.DueUtc);
                _calendar.Add(A.Interview(start.ToString("yyyy-MM-ddTHH:mm"), 15, _cal.ZoneId, [], null, s.Reminder.Title, "", $"r-{_ids++}") with
                {
                    SingleValueExtendedProperties = [new ExtendedProperty(StepKeys.PropertyId, s.Key)],
                });
            }
        }
    }

    /// <summary>
    /// Like the sweep, the simulation wakes when something can change: a step becomes available or due, or mail
    /// arrives; with a random delay, so that it also lands at odd hours, weekends and across clock changes. While a
    /// draft waits, the user comes back within a day or two.
    /// </summary>
    private DateTimeOffset NextTick(Plan plan, DateTimeOffset now)
    {
        var jitter = TimeSpan.FromMinutes(_rng.Next(60 * 30));
        if (_mailbox.Any(m => m.IsDraft == true)) return now.AddHours(3) + jitter;
        var next = plan.Steps.SelectMany(s => new[] { s.AvailableFromUtc, s.DueUtc })
            .Concat(_inbound.Select(x => x.At))
            .Where(t => t > now)
            .DefaultIfEmpty(now.AddDays(365))
            .Min();
        return (next < now.AddDays(10) ? next : now.AddDays(10)) + jitter;
    }

    private void CheckSent()
    {
        // Never two messages to one person within 5 business days, thank-you notes and answers to them aside.
        foreach (var person in Sent.Where(s => !s.Key.StartsWith("ofu1-ty-", StringComparison.Ordinal) && !s.Key.StartsWith("ofu1-rr-", StringComparison.Ordinal))
                     .GroupBy(s => s.To))
        {
            var times = person.Select(s => s.At).Order().ToList();
            for (var i = 1; i < times.Count; i++)
                if (_cal.BusinessDaysBetween(_cal.LocalDate(times[i - 1]), _cal.LocalDate(times[i])) < 5)
                    Failures.Add($"two messages to {person.Key} within five business days: {times[i - 1]:O} and {times[i]:O}");
        }
        // R4: follow-ups at least a week apart, whoever they went to.
        var followUps = Sent.Where(s => s.Key.StartsWith("ofu1-fu-", StringComparison.Ordinal)).Select(s => s.At).Order().ToList();
        for (var i = 1; i < followUps.Count; i++)
            if (_cal.LocalDate(followUps[i]).DayNumber - _cal.LocalDate(followUps[i - 1]).DayNumber < 7)
                Failures.Add($"two follow-ups less than a week apart: {followUps[i - 1]:O} and {followUps[i]:O}");
        // At most the allowed follow-ups per round, and after a rejection nothing but the gracious reply.
        if (Sent.Count(s => s.Key.StartsWith("ofu1-fu-", StringComparison.Ordinal)) > _max * _base.Events!.Count)
            Failures.Add("more follow-ups sent than allowed");
        var rejection = _inbound.Where(x => x.Message.Subject == "Your application").Select(x => (DateTimeOffset?)x.At).FirstOrDefault();
        if (rejection is { } r)
            foreach (var s in Sent.Where(s => s.At > r && !s.Key.StartsWith("ofu1-rr-", StringComparison.Ordinal)))
                Failures.Add($"{s.Key} sent at {s.At:O}, after the rejection of {r:O}");
    }
}
