namespace OutlookFollowUp.Engine;

// R8 reminders: get ready in the room, connect, send the notes, prepare the next round, alert references, ask a
// mutual connection. A suggestion whose moment has passed is no longer offered.
internal sealed partial class PlanBuilder
{
    /// <summary>A LinkedIn request a week late reads oddly; a reference alert or a recommendation two weeks late is moot.</summary>
    internal static readonly TimeSpan ConnectOfferedFor = TimeSpan.FromDays(7), LaterRemindersOfferedFor = TimeSpan.FromDays(14);

    /// <summary>
    /// R8 [001, 004]: before each round, one reminder of what to do in the room (ask about next steps and when they
    /// will decide; get each interviewer's contact details and the spelling of their names), shortly before it starts.
    /// </summary>
    private void BeforeInterviews(List<RoundInfo> rounds, DraftContext c)
    {
        foreach (var r in rounds)
        {
            var start = r.Round.StartUtc;
            // Within the working hours before it starts: an interview at 8:00 before the working day has none.
            if (_cal.LatestWorkingInstantIn(start.AddHours(-3), start.AddMinutes(-30)) is not { } due) continue;
            var key = StepKeys.For(StepKind.BeforeInterview, _processKey, r.DateKey);
            // Once it has begun, a reminder never created is no step at all, rather than clutter in every later plan.
            if (_now >= start && !_eventByKey.ContainsKey(key)) continue;
            var names = Text.JoinNames(r.Round.Interviewers.Select(p => p.Name).ToList());
            var who = r.Round.Interviewers.FirstOrDefault() ?? new Person(c.Company ?? "the team", "");
            AddReminder(new(StepKind.BeforeInterview, key,
                "R8: in the room, ask what the next steps are and when they will decide, and get each interviewer's contact details [001, 004]",
                who, start.AddDays(-7), due) { Name = names, Expires = start }, c);
        }
    }

    private void Connections(List<RoundInfo> rounds, DraftContext c)
    {
        if (!_settings.ConnectOnLinkedIn) return;
        foreach (var p in rounds.SelectMany(r => r.Round.Interviewers.Select(p => (Round: r, Person: p))).DistinctBy(x => x.Person.Address))
        {
            var end = p.Round.Round.EndUtc;
            var first = People.FirstName(new EmailAddress(p.Person.Name, p.Person.Address));
            AddReminder(new(StepKind.ConnectOnLinkedIn, StepKeys.For(StepKind.ConnectOnLinkedIn, _processKey, p.Person.Address),
                "R8: connect within a day, with a note that reminds them who you are [003, 004]",
                p.Person, end, _cal.NextWorkingInstant(end.AddHours(2))) { Extra = Drafts.ConnectNote(c, first), OfferedFor = ConnectOfferedFor }, c);
        }
    }

    private void NextRounds(List<RoundInfo> rounds, DraftContext c)
    {
        for (var i = 1; i < rounds.Count; i++)
        {
            var r = rounds[i];
            var previous = rounds[i - 1].Round.EndUtc;
            var dayBefore = _cal.StartOfWork(BusinessDayBefore(r.Round.Date));
            var due = dayBefore > previous ? _cal.NextWorkingInstant(dayBefore) : _cal.NextWorkingInstant(previous);
            if (due >= r.Round.StartUtc) due = _cal.NextWorkingInstant(previous);
            var who = r.Round.Interviewers.FirstOrDefault() ?? new Person(c.Company ?? "the team", "");
            AddReminder(new(StepKind.PrepareNextRound, StepKeys.For(StepKind.PrepareNextRound, _processKey, r.DateKey),
                $"R8: round on {r.Round.Date:yyyy-MM-dd}; prepare the day before [002]", who, previous, due) { Minutes = 60, Expires = r.Round.StartUtc }, c);
        }
        foreach (var r in rounds.Where(r => r.Round.IsFinal))
        {
            var who = r.Round.Interviewers.FirstOrDefault() ?? new Person(c.Company ?? "the team", "");
            AddReminder(new(StepKind.AlertReferences, StepKeys.For(StepKind.AlertReferences, _processKey, r.DateKey, "final"),
                "R8: a final round: references are often called next [003]", who, r.Round.EndUtc,
                _cal.NextWorkingInstant(r.Round.EndUtc)) { Minutes = 30, OfferedFor = LaterRemindersOfferedFor }, c);
        }
    }

    /// <summary>R8: someone the user knows at the company; right after the interview is the time to ask [002].</summary>
    private void AskRecommendation(List<RoundInfo> rounds, DraftContext c)
    {
        if (_facts.MutualConnection is not { Address: { Length: > 0 } } mutual) return;
        var who = new Person(People.DisplayName(mutual), People.Normalize(mutual.Address));
        var end = rounds[0].Round.EndUtc;
        AddReminder(new(StepKind.AskRecommendation, StepKeys.For(StepKind.AskRecommendation, _processKey, who.Address),
            "R8: you know someone connected to the company; right after the interview is a potent time to ask [002]",
            who, end, _cal.NextWorkingInstant(end)) { OfferedFor = LaterRemindersOfferedFor }, c);
    }
}
