namespace OutlookFollowUp.Engine;

// R2 timeline: the date the employer gave.
internal sealed partial class PlanBuilder
{
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
}
