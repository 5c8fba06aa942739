using OutlookFollowUp.Engine;

namespace OutlookFollowUp.Tests;

/// <summary>R13: due times are computed in the user's zone, right across daylight-saving changes.</summary>
public class R13TimeTests
{
    private static UserCalendar Calendar(string zone, params DateOnly[] holidays) =>
        new(zone, new WorkingHours { StartTime = "09:00:00.0000000", EndTime = "17:00:00.0000000" }, holidays);

    [Theory]
    [InlineData("America/Los_Angeles", "2026-03-08T02:30:00", "2026-03-08T10:30:00Z")] // 02:30 never happens: 03:30 PDT
    [InlineData("Europe/Berlin", "2026-03-29T02:30:00", "2026-03-29T01:30:00Z")] // 02:30 never happens: 03:30 CEST
    public void SpringGapTimesShiftForwardByTheGap(string zone, string local, string utc)
    {
        var instant = UserCalendar.ToUtc(DateTime.Parse(local), UserCalendar.ResolveZone(zone, "test"));
        Assert.Equal(A.Utc(utc), instant);
    }

    [Theory]
    [InlineData("America/Los_Angeles", "2026-11-01T01:30:00", "2026-11-01T08:30:00Z")] // the first 01:30, still PDT
    [InlineData("Europe/Berlin", "2026-10-25T02:30:00", "2026-10-25T00:30:00Z")] // the first 02:30, still CEST
    public void AutumnOverlapTimesTakeTheEarlierInstant(string zone, string local, string utc)
    {
        var instant = UserCalendar.ToUtc(DateTime.Parse(local), UserCalendar.ResolveZone(zone, "test"));
        Assert.Equal(A.Utc(utc), instant);
    }

    [Theory]
    [InlineData("Pacific Standard Time", "2026-03-02T10:00", "2026-03-09T16:00:00Z")] // PST interview, follow-up 09:00 PDT
    [InlineData("W. Europe Standard Time", "2026-03-23T10:00", "2026-03-30T07:00:00Z")] // CET interview, follow-up 09:00 CEST
    [InlineData("America/Los_Angeles", "2026-10-26T10:00", "2026-11-02T17:00:00Z")] // PDT interview, follow-up 09:00 PST
    [InlineData("Europe/Berlin", "2026-10-19T10:00", "2026-10-26T08:00:00Z")] // CEST interview, follow-up 09:00 CET
    public void FollowUpStaysAtNineLocalAcrossADaylightSavingChange(string zone, string interview, string followUpUtc)
    {
        var plan = A.Plan(A.Input("2026-03-01T00:00:00Z", [A.Interview(interview, zone: zone)], user: A.User(zone)) with
        {
            Now = A.Utc(interview + ":00Z").AddDays(-1),
        });
        var first = plan.FollowUp(1);
        Assert.Equal(A.Utc(followUpUtc), first.DueUtc);
        Assert.Equal(new TimeOnly(9, 0), TimeOnly.FromDateTime(first.DueLocal));
    }

    [Fact]
    public void WindowsAndIanaZoneIdsPlanTheSameInstants()
    {
        var windows = A.Plan(A.Input("2026-03-24T12:00:00Z", [A.Interview("2026-03-23T10:00", zone: "W. Europe Standard Time")], user: A.User("W. Europe Standard Time")));
        var iana = A.Plan(A.Input("2026-03-24T12:00:00Z", [A.Interview("2026-03-23T10:00", zone: "Europe/Berlin")], user: A.User("Europe/Berlin")));
        Assert.Equal(windows.Steps.Select(s => (s.Key, s.DueUtc)), iana.Steps.Select(s => (s.Key, s.DueUtc)));
    }

    [Fact]
    public void TodayIsTheUsersDateNotUtcs()
    {
        // 23:30 on Tuesday in Los Angeles is already Wednesday in UTC; the interview day is Tuesday.
        var plan = A.Plan(A.Input("2026-03-11T08:00:00Z", [A.Interview("2026-03-10T23:00", minutes: 30)]));
        Assert.Equal(new DateOnly(2026, 3, 10), plan.Process.Rounds[0].Date);
        Assert.Equal(new DateOnly(2026, 3, 17), DateOnly.FromDateTime(plan.FollowUp(1).DueLocal));
    }

    [Fact]
    public void BusinessDaysSkipWeekendsAndTheUsersHolidays()
    {
        var cal = Calendar("America/New_York", new DateOnly(2026, 12, 25));
        Assert.Equal(new DateOnly(2026, 12, 28), cal.BusinessDayAfter(new DateOnly(2026, 12, 24))); // Fri is a holiday
        Assert.Equal(new DateOnly(2026, 12, 29), cal.AddBusinessDays(new DateOnly(2026, 12, 23), 3));
        Assert.Equal(2, cal.BusinessDaysBetween(new DateOnly(2026, 12, 23), new DateOnly(2026, 12, 28)));
    }

    [Fact]
    public void AHolidayPushesTheFollowUpToTheNextBusinessDay()
    {
        var settings = new UserSettings { Signature = "Alex", Holidays = [new DateOnly(2026, 3, 17)] };
        var plan = A.Plan(A.Input("2026-03-10T20:00:00Z", [A.Interview("2026-03-10T10:00")], settings: settings));
        Assert.Equal(new DateOnly(2026, 3, 18), DateOnly.FromDateTime(plan.FollowUp(1).DueLocal));
    }

    [Fact]
    public void WorkingDaysComeFromTheMailboxSettings()
    {
        // A Sunday-to-Thursday working week: the week after a Tuesday interview lands on Tuesday, a working day.
        var user = A.User("Asia/Jerusalem", days: ["sunday", "monday", "tuesday", "wednesday", "thursday"]);
        var plan = A.Plan(A.Input("2026-03-10T20:00:00Z", [A.Interview("2026-03-12T10:00", zone: "Asia/Jerusalem")], user: user) with
        {
            Facts = new UserFacts { DecisionDate = new DateOnly(2026, 3, 19) },
        });
        // The business day after Thursday the 19th is Sunday the 22nd in that week.
        Assert.Equal(new DateOnly(2026, 3, 22), DateOnly.FromDateTime(plan.FollowUp(1).DueLocal));
    }

    [Fact]
    public void AnInterviewEndingInTheAutumnOverlapStillGetsItsThankYouInWorkingHours()
    {
        var e = A.Interview("2026-11-01T00:30", minutes: 90, zone: "America/Los_Angeles");
        var plan = A.Plan(A.Input("2026-11-01T12:00:00Z", [e], user: A.User("America/Los_Angeles")));
        var cal = Calendar("America/Los_Angeles");
        Assert.All(A.Some(plan.Of(StepKind.ThankYou)), s => Assert.True(cal.IsWorkingInstant(s.DueUtc)));
    }

    [Fact]
    public void AnUnknownZoneIsAClearError()
    {
        var e = Assert.Throws<PlanInputException>(() => A.Plan(A.Input("2026-03-10T20:00:00Z", [A.Interview("2026-03-10T10:00")], user: A.User("Mars/Olympus"))));
        Assert.Contains("unknown time zone 'Mars/Olympus'", e.Message);
    }
}
