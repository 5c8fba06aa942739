using System.Reflection;
using OutlookFollowUp.Engine;

namespace OutlookFollowUp.Tests;

/// <summary>R12 rounds and processes, R14 the engine never sends, and the engine's purity.</summary>
public class R12R14ProcessTests
{
    [Fact]
    public void EventsOnOneDayAreOneRoundAndAnotherDayIsANewRound()
    {
        var plan = A.Plan(A.Input("2026-03-20T19:00:00Z",
        [
            A.Interview("2026-03-10T09:00", with: [A.Priya], id: "a"),
            A.Interview("2026-03-10T13:00", with: [A.Tom], id: "b"),
            A.Interview("2026-03-17T10:00", with: [A.Priya], id: "c", subject: "Second round interview"),
        ]));
        Assert.Equal([new DateOnly(2026, 3, 10), new DateOnly(2026, 3, 17)], plan.Process.Rounds.Select(r => r.Date));
        Assert.Equal(["a", "b"], plan.Process.Rounds[0].EventIds);
    }

    [Fact]
    public void ThankYouNotesGoPerRound()
    {
        var plan = A.Plan(A.Input("2026-03-17T19:00:00Z",
            [A.Interview("2026-03-10T10:00", with: [A.Priya], id: "a"), A.Interview("2026-03-17T10:00", with: [A.Priya], id: "b")]));
        Assert.Equal(2, plan.Of(StepKind.ThankYou).Count(s => s.Recipients[0].Address == A.Priya.Address));
        // The first round's unsent note is no longer offered once a later round has passed.
        Assert.Equal(StepStatus.Skipped, plan.Of(StepKind.ThankYou).Where(s => s.Recipients[0].Address == A.Priya.Address).OrderBy(s => s.DueUtc).First().Status);
    }

    [Fact]
    public void ANewRoundRestartsTheFollowUpScheduleAndTheCap()
    {
        var round1 = A.Interview("2026-03-10T10:00", with: [A.Priya], id: "a");
        var first = A.Plan(A.Input("2026-03-17T17:00:00Z", [round1])).FollowUp(1);
        var sent = A.Sent(A.Dana, "2026-03-17T17:00:00Z", "Following up", first.Key);
        var round2 = A.Interview("2026-03-24T10:00", with: [A.Tom], id: "b", subject: "Final round interview");
        var plan = A.Plan(A.Input("2026-03-25T17:00:00Z", [round1, round2], [sent]));
        var followUps = plan.Of(StepKind.FollowUp).OrderBy(s => s.DueUtc).ToList();
        Assert.Equal(3, followUps.Count);
        Assert.DoesNotContain(followUps, s => s.Key == first.Key);
        Assert.Equal(new DateTime(2026, 3, 31, 9, 0, 0), followUps[0].DueLocal);
    }

    [Fact]
    public void AnInterviewStillAheadIsUpcomingAndOnlyWhatToDoInTheRoomIsOffered()
    {
        var plan = A.Plan(A.Input("2026-03-09T19:00:00Z", [A.Interview("2026-03-10T10:00")]));
        Assert.Equal(ProcessState.Upcoming, plan.Process.State);
        Assert.Equal(StepStatus.Due, Assert.Single(plan.Of(StepKind.BeforeInterview)).Status);
        Assert.All(A.Some(plan.Steps.Where(s => s.Kind != StepKind.BeforeInterview)), s => Assert.Equal(StepStatus.Scheduled, s.Status));
    }

    [Fact]
    public void OneEmployersInterviewsGroupIntoOneProcessUnderAStableKey()
    {
        var user = A.User();
        var a = A.Interview("2026-03-10T10:00", id: "a");
        var b = A.Interview("2026-03-17T10:00", id: "b", organizer: new EmailAddress("Ravi", "ravi@careers.fabrikam.com"));
        var other = A.Interview("2026-03-11T10:00", id: "c", organizer: new EmailAddress("Kim", "kim@northwind.io"), with: [new EmailAddress("Lee", "lee@northwind.io")]);
        var groups = ProcessGrouping.Group([b, other, a], user);
        Assert.Equal(2, groups.Count);
        var fabrikam = groups.Single(g => g.Events.Count == 2);
        Assert.Equal("ical-a", fabrikam.Key);
        Assert.Equal(fabrikam.Key, ProcessGrouping.Group([a], user).Single().Key);
    }

    [Fact]
    public void TheUsersGroupingWinsOverTheEmployersDomain()
    {
        var a = A.Interview("2026-03-10T10:00", id: "a");
        var b = A.Interview("2026-03-17T10:00", id: "b");
        var groups = ProcessGrouping.Group([a, b], A.User(), new Dictionary<string, string> { ["ical-b"] = "data role" });
        Assert.Equal(2, groups.Count);
    }

    [Fact]
    public void ThePlanOnlyEverHoldsDraftsAndReminderEvents()
    {
        var plan = A.Plan(A.Input("2026-03-18T18:00:00Z", [A.Interview("2026-03-10T10:00")],
            [A.Inbound(A.Dana, "2026-03-18T17:00:00Z", "Update", "We have decided to move forward with other candidates.")]));
        Assert.All(A.Some(plan.Steps), s => Assert.True(s.Mail is null ^ s.Reminder is null, $"{s.Kind} must be exactly one of a draft or a reminder"));
        var names = typeof(PlanStep).Assembly.GetTypes().SelectMany(t => t.GetMembers()).Select(m => m.Name);
        Assert.DoesNotContain(names, n => n.Contains("Send", StringComparison.Ordinal) && !n.Contains("SendThankYou", StringComparison.Ordinal));
    }

    [Fact]
    public void TheEngineDoesNoInputOrOutputAndReadsNoClock()
    {
        var engine = typeof(Planner).Assembly;
        var referenced = engine.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        Assert.DoesNotContain(referenced, n => n.StartsWith("System.Net", StringComparison.Ordinal) || n.Contains("Data", StringComparison.Ordinal)
                                                 || n.StartsWith("Microsoft.Extensions", StringComparison.Ordinal));
        // Calls are held off by the compiler: BannedApiAnalyzers turns each of these into a build error in the engine.
        var banned = File.ReadAllLines(Path.Combine(Report.FindRoot(), "api", "OutlookFollowUp.Engine", "BannedSymbols.txt")).Select(l => l.Split(';')[0]).ToHashSet();
        string[] forbidden = ["P:System.DateTime.Now", "P:System.DateTime.UtcNow", "P:System.DateTimeOffset.Now", "P:System.DateTimeOffset.UtcNow", "P:System.DateTime.Today",
            "P:System.TimeProvider.System", "T:System.IO.File", "T:System.Net.Http.HttpClient", "T:System.Environment", "T:System.Console", "T:System.Random", "M:System.Guid.NewGuid"];
        Assert.All(forbidden, f => Assert.Contains(f, banned));
        var project = File.ReadAllText(Path.Combine(Report.FindRoot(), "api", "OutlookFollowUp.Engine", "OutlookFollowUp.Engine.csproj"));
        Assert.Contains("Microsoft.CodeAnalysis.BannedApiAnalyzers", project);
    }

    [Fact]
    public void IdenticalInputsGiveIdenticalPlans()
    {
        var input = A.Input("2026-03-18T18:00:00Z", [A.Interview("2026-03-10T10:00", with: [A.Priya, A.Tom])],
            [A.Inbound(A.Dana, "2026-03-17T17:00:00Z", "Update", "We are still reviewing and will get back to you by March 27.")]);
        Assert.Equal(PlanJson.Write(A.Plan(input)), PlanJson.Write(A.Plan(input)));
    }
}
