namespace OutlookFollowUp.Engine;

// R7 instructions: a call when they asked for calls, a person when they named one, nothing when they will reach out.
internal sealed partial class PlanBuilder
{
    private DateTimeOffset? CallMade(string key) =>
        _eventByKey.TryGetValue(key, out var e) && e.StartUtc <= _now ? e.StartUtc : null;
}
