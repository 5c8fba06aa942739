using OutlookFollowUp.Engine;

namespace OutlookFollowUp.Tests;

/// <summary>Builds engine inputs in Graph's shapes, so that rule tests read as sentences.</summary>
internal static class A
{
    /// <summary>The items, which must not be none: an Assert.All over nothing passes whatever it checks.</summary>
    public static IReadOnlyList<T> Some<T>(IEnumerable<T> items)
    {
        var list = items.ToList();
        Assert.NotEmpty(list);
        return list;
    }

    public const string UserAddress = "alex.rivera@outlook.com";
    public const string Pacific = "Pacific Standard Time";
    public static readonly EmailAddress Priya = new("Priya Natarajan", "priya.natarajan@fabrikam.com");
    public static readonly EmailAddress Tom = new("Tom Becker", "tom.becker@fabrikam.com");
    public static readonly EmailAddress Dana = new("Dana Whitfield", "dana.whitfield@fabrikam.com");

    public static UserProfile User(string zone = Pacific, string address = UserAddress, string[]? days = null, string start = "09:00:00.0000000", string end = "17:00:00.0000000") => new()
    {
        Address = address,
        DisplayName = "Alex Rivera",
        TimeZone = zone,
        WorkingHours = new WorkingHours
        {
            DaysOfWeek = days ?? ["monday", "tuesday", "wednesday", "thursday", "friday"],
            StartTime = start,
            EndTime = end,
            TimeZone = new WorkingHoursZone(zone),
        },
    };

    /// <summary>An interview at a local wall-clock time in <paramref name="zone"/>, organized by Dana unless told.</summary>
    public static GraphEvent Interview(string localStart, int minutes = 60, string zone = Pacific, EmailAddress[]? with = null,
        EmailAddress? organizer = null, string subject = "Interview: Senior Backend Engineer", string body = "", string? id = null)
    {
        var start = DateTime.Parse(localStart, System.Globalization.CultureInfo.InvariantCulture);
        var attendees = new List<Attendee> { new("required", new ResponseStatus("accepted", null), new EmailAddress("Alex Rivera", UserAddress)) };
        attendees.AddRange((with ?? [Priya]).Select(p => new Attendee("required", new ResponseStatus("accepted", null), p)));
        id ??= "evt-" + localStart.Replace(":", "").Replace("-", "").Replace("T", "");
        return new GraphEvent
        {
            Id = id,
            ICalUId = "ical-" + id,
            Subject = subject,
            Body = new ItemBody("html", body),
            Start = new DateTimeTimeZone(start.ToString("yyyy-MM-ddTHH:mm:ss.fffffff"), zone),
            End = new DateTimeTimeZone(start.AddMinutes(minutes).ToString("yyyy-MM-ddTHH:mm:ss.fffffff"), zone),
            Organizer = new Recipient(organizer ?? Dana),
            Attendees = attendees,
            IsAllDay = false,
            IsCancelled = false,
            IsOrganizer = false,
            Type = "singleInstance",
            ResponseStatus = new ResponseStatus("accepted", null),
        };
    }

    private static int _ids;

    /// <summary>A message the employer side (or anyone) wrote to the user.</summary>
    public static GraphMessage Inbound(EmailAddress from, string at, string subject, string body, string? conversationId = null,
        params MessageHeader[] headers) => new()
    {
        Id = $"in-{Interlocked.Increment(ref _ids)}",
        ConversationId = conversationId ?? "conv-" + subject.GetHashCode().ToString("x"),
        Subject = subject,
        Body = new ItemBody("text", body),
        From = new Recipient(from),
        ToRecipients = [new Recipient(new EmailAddress("Alex Rivera", UserAddress))],
        ReceivedDateTime = DateTimeOffset.Parse(at, System.Globalization.CultureInfo.InvariantCulture),
        SentDateTime = DateTimeOffset.Parse(at, System.Globalization.CultureInfo.InvariantCulture),
        IsDraft = false,
        InternetMessageHeaders = headers,
    };

    /// <summary>A message the user sent; with a key, one the product drafted and the user sent.</summary>
    public static GraphMessage Sent(EmailAddress to, string at, string subject = "Hello", string? key = null, string? conversationId = null) => new()
    {
        Id = $"out-{Interlocked.Increment(ref _ids)}",
        ConversationId = conversationId ?? $"conv-out-{_ids}",
        Subject = subject,
        Body = new ItemBody("text", "..."),
        From = new Recipient(new EmailAddress("Alex Rivera", UserAddress)),
        ToRecipients = [new Recipient(to)],
        SentDateTime = DateTimeOffset.Parse(at, System.Globalization.CultureInfo.InvariantCulture),
        CreatedDateTime = DateTimeOffset.Parse(at, System.Globalization.CultureInfo.InvariantCulture).AddMinutes(-5),
        LastModifiedDateTime = DateTimeOffset.Parse(at, System.Globalization.CultureInfo.InvariantCulture),
        IsDraft = false,
        SingleValueExtendedProperties = key is null ? null : [new ExtendedProperty(StepKeys.PropertyId, key)],
    };

    /// <summary>An unsent draft the product wrote for a step.</summary>
    public static GraphMessage Draft(EmailAddress to, string key, string created, string? lastModified = null) => new()
    {
        Id = $"draft-{Interlocked.Increment(ref _ids)}",
        ConversationId = $"conv-draft-{_ids}",
        Subject = "Draft",
        Body = new ItemBody("html", "<p>...</p>"),
        From = new Recipient(new EmailAddress("Alex Rivera", UserAddress)),
        ToRecipients = [new Recipient(to)],
        CreatedDateTime = DateTimeOffset.Parse(created, System.Globalization.CultureInfo.InvariantCulture),
        LastModifiedDateTime = DateTimeOffset.Parse(lastModified ?? created, System.Globalization.CultureInfo.InvariantCulture),
        IsDraft = true,
        SingleValueExtendedProperties = [new ExtendedProperty(StepKeys.PropertyId, key)],
    };

    public static PlanInput Input(string now, GraphEvent[] events, GraphMessage[]? messages = null, UserFacts? facts = null,
        UserSettings? settings = null, UserProfile? user = null) => new()
    {
        Now = DateTimeOffset.Parse(now, System.Globalization.CultureInfo.InvariantCulture),
        User = user ?? User(),
        Settings = settings ?? new UserSettings { Signature = "Alex Rivera" },
        Facts = facts ?? new UserFacts { Role = "Senior Backend Engineer", Company = "Fabrikam" },
        Events = events,
        Messages = messages ?? [],
    };

    public static Plan Plan(PlanInput input, ISpellChecker? spell = null) => Planner.Build(input, spell);

    public static IEnumerable<PlanStep> Of(this Plan plan, StepKind kind) => plan.Steps.Where(s => s.Kind == kind);

    public static PlanStep One(this Plan plan, StepKind kind) => Assert.Single(plan.Steps, s => s.Kind == kind);

    public static PlanStep FollowUp(this Plan plan, int n) => plan.Of(StepKind.FollowUp).OrderBy(s => s.DueUtc).ElementAt(n - 1);

    public static DateTimeOffset Utc(string text) => DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
}
