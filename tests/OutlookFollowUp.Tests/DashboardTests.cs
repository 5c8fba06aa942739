using System.Text.Json.Nodes;
using OutlookFollowUp.Api.Planning;
using OutlookFollowUp.Engine;
using static OutlookFollowUp.Tests.ServiceEndToEndTests;

namespace OutlookFollowUp.Tests;

/// <summary>The dashboard's "Next" (issue 13): what to do now leads, not the oldest reminder.</summary>
public class DashboardTests
{
    private static readonly GraphEvent Tuesday = A.Interview("2026-03-10T10:00", with: [A.Priya, A.Tom]);

    [Fact]
    public void ADueFollowUpComesBeforeAnOlderLinkedInReminder()
    {
        // A week after the interview, thank-yous sent: the follow-up is due, and the LinkedIn reminders from the
        // interview's day are still open (and still offered, for an hour more); the late thank-yous are no longer offered.
        var plan = A.Plan(A.Input("2026-03-17T19:00:00Z", [Tuesday],
            [A.Sent(A.Priya, "2026-03-10T20:00:00Z", "Thank you", StepKeysOf(StepKind.ThankYou, A.Priya)),
             A.Sent(A.Tom, "2026-03-10T20:05:00Z", "Thank you", StepKeysOf(StepKind.ThankYou, A.Tom))]));
        var linkedIn = A.Some(plan.Of(StepKind.ConnectOnLinkedIn).Where(s => s.Status == StepStatus.Due));
        var followUp = plan.FollowUp(1);
        Assert.Equal(StepStatus.Due, followUp.Status);
        Assert.True(linkedIn[0].DueUtc < followUp.DueUtc, "the reminder is the older one");
        Assert.Equal(StepKind.FollowUp, UserPlans.NextStep(plan)!.Kind);
    }

    [Fact]
    public void WithNothingToWriteTheSoonestStepIsNext()
    {
        var plan = A.Plan(A.Input("2026-03-09T17:00:00Z", [Tuesday]));
        var next = UserPlans.NextStep(plan)!;
        Assert.Equal(plan.Steps.Where(s => s.Status is StepStatus.Scheduled or StepStatus.Due or StepStatus.NeedsReview).Min(s => s.DueUtc), next.DueUtc);
    }

    [Fact]
    public async Task TheDashboardGivesTheNextStepsTimeInTheMailboxsZone()
    {
        // 22:00 UTC is 14:00 in Los Angeles: the pane shows the mailbox's wall clock, whatever the browser's zone.
        var clock = new ManualClock(DateTimeOffset.Parse("2026-11-17T22:00:00Z"));
        await using var server = await SandboxServer.StartAsync(clock);
        server.Sandbox.AddMailbox("jordan.lee@outlook.com", "Jordan Lee", "Pacific Standard Time");
        var invite = server.Sandbox.DeliverEvent("jordan.lee@outlook.com", Interview("Interview: Data Engineer at Contoso", "2026-11-17T09:00:00",
            "2026-11-17T10:00:00", "Pacific Standard Time", Person("Maya Patel", "maya.patel@contoso.com"), Person("Sam Ortiz", "sam.ortiz@contoso.com")))!;
        await using var service = new ServiceFactory(server.BaseUrl + "/v1.0").WithClock(clock);
        var client = service.ClientFor("jordan.lee@outlook.com");
        await client.GetStringAsync($"/api/events/{(string)invite["id"]!}/plan");
        var item = JsonNode.Parse(await client.GetStringAsync("/api/processes"))!.AsArray().Single()!;
        var due = DateTimeOffset.Parse((string)item["nextStepDueUtc"]!, System.Globalization.CultureInfo.InvariantCulture);
        var local = TimeZoneInfo.ConvertTime(due, TimeZoneInfo.FindSystemTimeZoneById("America/Los_Angeles"));
        Assert.Equal(local.ToString("yyyy-MM-dd'T'HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture), (string?)item["nextStepDueLocal"]);
        Assert.Equal("thank-you", (string?)item["nextStepKind"]);
    }

    private static string StepKeysOf(StepKind kind, EmailAddress who)
    {
        var plan = A.Plan(A.Input("2026-03-10T19:00:00Z", [Tuesday]));
        return plan.Of(kind).Single(s => s.Recipients[0].Address == who.Address).Key;
    }
}
