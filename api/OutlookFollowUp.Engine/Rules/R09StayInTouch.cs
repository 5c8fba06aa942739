namespace OutlookFollowUp.Engine;

// R9 stay in touch: every few months at most, twice per company at most [000, 002].
internal sealed partial class PlanBuilder
{
    private void StayInTouch(RoundInfo chain, Person? touch, DateTimeOffset at, DraftContext c, string reason)
    {
        if (!_settings.StayInTouch || touch is null) return;
        var earlier = (_in.CompanyHistory?.StayInTouchReminders ?? []).Select(d => d.ToUniversalTime()).OrderBy(d => d).ToList();
        // Ninety whole days, measured between instants: never an hour early.
        var next = at.AddDays(90);
        if (earlier.Count > 0 && earlier[^1].AddDays(90) > next) next = earlier[^1].AddDays(90);
        for (var i = 1; i <= 2 - earlier.Count; i++)
        {
            var due = _cal.NextWorkingInstant(next);
            AddReminder(new(StepKind.StayInTouch, StepKeys.For(StepKind.StayInTouch, _processKey, chain.DateKey, i.ToString()),
                reason, touch, due, due) { OfferedFor = TimeSpan.FromDays(30) }, c);
            next = due.AddDays(90);
        }
    }
}
