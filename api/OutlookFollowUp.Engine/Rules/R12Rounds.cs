namespace OutlookFollowUp.Engine;

// R12 rounds: one round per interview day in the user's zone; a process keeps its first event's key.
internal sealed partial class PlanBuilder
{
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

    private DateOnly BusinessDayBefore(DateOnly date)
    {
        var d = date.AddDays(-1);
        for (var i = 0; i < 400 && !_cal.IsBusinessDay(d); i++) d = d.AddDays(-1);
        return d;
    }
}
