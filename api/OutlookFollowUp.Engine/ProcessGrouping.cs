namespace OutlookFollowUp.Engine;

/// <summary>Interview events that belong to one hiring process, under a key that stays put as rounds are added.</summary>
public sealed record ProcessGroup(string Key, IReadOnlyList<GraphEvent> Events);

/// <summary>
/// R12: interviews with the same employer and role form one process. The user's grouping wins; then events of one
/// series; then the employer's organization (from the organizer, else the outside attendees); an event with no
/// employer to tell stands alone.
/// </summary>
public static class ProcessGrouping
{
    /// <param name="events">The user's interview events.</param>
    /// <param name="user">The user, to tell outsiders from colleagues.</param>
    /// <param name="userGroups">Event iCalUId (or id) to a group name the user chose in the pane.</param>
    public static IReadOnlyList<ProcessGroup> Group(IReadOnlyList<GraphEvent> events, UserProfile user,
        IReadOnlyDictionary<string, string>? userGroups = null)
    {
        var groups = new Dictionary<string, List<GraphEvent>>(StringComparer.Ordinal);
        var seriesGroup = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var e in events.OrderBy(StartOf).ThenBy(e => e.ICalUId ?? e.Id, StringComparer.Ordinal))
        {
            var id = e.ICalUId ?? e.Id ?? "";
            string group;
            if (userGroups is not null && userGroups.TryGetValue(id, out var chosen)) group = "user:" + chosen;
            else if (e.SeriesMasterId is { } master && seriesGroup.TryGetValue(master, out var g)) group = g;
            else group = EmployerOf(e, user) is { } org ? "org:" + org : "event:" + id;
            if (e.SeriesMasterId is { } m) seriesGroup.TryAdd(m, group);
            if (!groups.TryGetValue(group, out var list)) groups[group] = list = [];
            list.Add(e);
        }
        // The key is the first event's id: it does not change when a later round joins.
        return groups.Values.Select(list => new ProcessGroup(list[0].ICalUId ?? list[0].Id ?? "", list)).ToList();
    }

    // Starts are compared as instants: two events written in different zones still sort by when they happen.
    private static DateTimeOffset StartOf(GraphEvent e)
    {
        try { return UserCalendar.ParseGraphDateTime(e.Start, "start"); }
        catch (PlanInputException) { return DateTimeOffset.MaxValue; }
    }

    private static string? EmployerOf(GraphEvent e, UserProfile user)
    {
        var userOrg = People.IsFreeMail(user.Address) ? "" : People.Organization(user.Address);
        var candidates = new[] { e.Organizer?.EmailAddress?.Address }
            .Concat((e.Attendees ?? []).Where(a => !People.IsRoom(a)).Select(a => a.EmailAddress?.Address));
        return candidates
            .Where(a => !string.IsNullOrWhiteSpace(a) && !People.SameAddress(a, user.Address) && !People.IsRobot(a) && !People.IsFreeMail(a))
            .Select(People.Organization)
            .FirstOrDefault(o => o.Length > 0 && o != userOrg);
    }
}
