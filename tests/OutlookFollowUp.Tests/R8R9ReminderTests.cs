using OutlookFollowUp.Engine;

namespace OutlookFollowUp.Tests;

/// <summary>R8 suggested reminders and R9 staying in touch after a rejection.</summary>
public class R8R9ReminderTests
{
    private static readonly GraphEvent Tuesday = A.Interview("2026-03-10T10:00", with: [A.Priya, A.Tom]);
    private static readonly UserCalendar Pacific = new(A.Pacific, null, null);

    [Fact]
    public void ConnectOnLinkedInWithEachInterviewerWithinADayWithAShortNote()
    {
        var plan = A.Plan(A.Input("2026-03-10T19:00:00Z", [Tuesday]));
        var connect = plan.Of(StepKind.ConnectOnLinkedIn).ToList();
        Assert.Equal(3, connect.Count);
        Assert.All(connect, s =>
        {
            Assert.InRange(s.DueUtc, A.Utc("2026-03-10T18:00:00Z"), A.Utc("2026-03-11T18:00:00Z"));
            var note = s.Reminder!.Body[(s.Reminder.Body.IndexOf("\n\n", StringComparison.Ordinal) + 2)..];
            Assert.InRange(note.Length, 40, 300);
            Assert.Contains("interview for the Senior Backend Engineer position at Fabrikam", note);
        });
    }

    [Fact]
    public void ALongRoleKeepsTheConnectionNoteUnderThreeHundredCharacters()
    {
        var facts = new UserFacts { Role = new string('x', 200), Company = "Fabrikam" };
        var plan = A.Plan(A.Input("2026-03-10T19:00:00Z", [Tuesday], facts: facts));
        Assert.All(A.Some(plan.Of(StepKind.ConnectOnLinkedIn)), s => Assert.True(s.Reminder!.Body.Split("\n\n")[1].Length <= 300));
    }

    [Fact]
    public void AFinalRoundSuggestsAlertingYourReferences()
    {
        var final = Tuesday with { Subject = "Final round interview - Fabrikam" };
        var plan = A.Plan(A.Input("2026-03-10T19:00:00Z", [final]));
        var alert = plan.One(StepKind.AlertReferences);
        Assert.Equal(StepStatus.Due, alert.Status);
        Assert.True(plan.Process.Rounds[0].IsFinal);
    }

    [Fact]
    public void AScheduledNextRoundSuggestsPreparingTheBusinessDayBefore()
    {
        var second = A.Interview("2026-03-17T14:00", with: [A.Tom], id: "round-2", subject: "Second round interview");
        var plan = A.Plan(A.Input("2026-03-12T19:00:00Z", [Tuesday, second]));
        var prepare = plan.One(StepKind.PrepareNextRound);
        Assert.Equal(new DateTime(2026, 3, 16, 9, 0, 0), prepare.DueLocal);
        Assert.Equal(ProcessState.NextRound, plan.Process.State);
    }

    [Fact]
    public void AMutualConnectionGetsARecommendationReminder()
    {
        var facts = new UserFacts { MutualConnection = new EmailAddress("Jordan Blake", "jordan.blake@gmail.com") };
        var ask = A.Plan(A.Input("2026-03-10T19:00:00Z", [Tuesday], facts: facts)).One(StepKind.AskRecommendation);
        Assert.Equal("Ask Jordan Blake for a recommendation", ask.Reminder!.Title);
        Assert.Equal(StepStatus.Due, ask.Status);
    }

    [Fact]
    public void UnsentThankYouNotesGetOneNudgePerRoundThatIsDoneOnceTheyAreSent()
    {
        var first = A.Plan(A.Input("2026-03-10T19:00:00Z", [Tuesday]));
        var nudge = first.One(StepKind.SendThankYou);
        Assert.Equal(StepStatus.Due, nudge.Status);
        Assert.Contains("Priya, Tom and Dana", nudge.Reminder!.Title);
        var sent = first.Of(StepKind.ThankYou).Select(s => A.Sent(new EmailAddress(s.Recipients[0].Name, s.Recipients[0].Address), "2026-03-10T21:00:00Z", "Thank you", s.Key)).ToArray();
        Assert.Equal(StepStatus.Done, A.Plan(A.Input("2026-03-10T22:00:00Z", [Tuesday], sent)).One(StepKind.SendThankYou).Status);
    }

    [Fact]
    public void RemindersFallOnBusinessDaysInsideWorkingHours()
    {
        // A Friday evening interview: the suggestions land on Monday morning, not at the weekend.
        var friday = A.Interview("2026-03-13T18:00", with: [A.Priya, A.Tom], subject: "Final round interview");
        var plan = A.Plan(A.Input("2026-03-14T19:00:00Z", [friday], facts: new UserFacts { MutualConnection = new EmailAddress("Jo", "jo@gmail.com") }));
        Assert.All(A.Some(plan.Steps.Where(s => s.Reminder is not null)), s => Assert.True(Pacific.IsWorkingInstant(s.DueUtc), $"{s.Kind} at {s.DueLocal}"));
    }

    [Fact]
    public void AcceptedDismissedAndCreatedRemindersFollowTheUser()
    {
        var first = A.Plan(A.Input("2026-03-10T19:00:00Z", [Tuesday]));
        var connect = first.Of(StepKind.ConnectOnLinkedIn).OrderBy(s => s.Key).ToList();
        var facts = new UserFacts { AcceptedSteps = [connect[0].Key], DismissedSteps = [connect[1].Key] };
        var created = A.Interview("2026-03-10T13:00", with: [], subject: "Connect on LinkedIn", id: "reminder-1") with
        {
            SingleValueExtendedProperties = [new ExtendedProperty(StepKeys.PropertyId, connect[2].Key)],
        };
        var plan = A.Plan(A.Input("2026-03-10T19:00:00Z", [Tuesday, created], facts: facts));
        var byKey = plan.Of(StepKind.ConnectOnLinkedIn).ToDictionary(s => s.Key);
        Assert.True(byKey[connect[0].Key].Reminder!.Accepted);
        Assert.Equal(StepStatus.Skipped, byKey[connect[1].Key].Status);
        Assert.Equal(StepStatus.Done, byKey[connect[2].Key].Status);
        Assert.Equal(3, plan.Process.Rounds[0].Interviewers.Count); // the created reminder is not an interview
    }

    [Fact]
    public void AutoAcceptingRemindersIsASetting()
    {
        var plan = A.Plan(A.Input("2026-03-10T19:00:00Z", [Tuesday], settings: new UserSettings { AutoAcceptReminders = true }));
        Assert.All(A.Some(plan.Steps.Where(s => s.Reminder is not null)), s => Assert.True(s.Reminder!.Accepted));
    }

    // ---- R9 ----

    private static GraphMessage Rejection() =>
        A.Inbound(A.Dana, "2026-03-18T17:00:00Z", "Your application", "Unfortunately we have decided to move forward with other candidates.");

    [Fact]
    public void StayInTouchNoSoonerThanNinetyDaysAfterARejectionAndAtMostTwice()
    {
        var plan = A.Plan(A.Input("2026-03-18T18:00:00Z", [Tuesday], [Rejection()]));
        var touch = plan.Of(StepKind.StayInTouch).OrderBy(s => s.DueUtc).ToList();
        Assert.Equal(2, touch.Count);
        Assert.True(touch[0].DueUtc >= A.Utc("2026-03-18T17:00:00Z").AddDays(90));
        Assert.True(touch[1].DueUtc >= touch[0].DueUtc.AddDays(90));
        Assert.All(touch, s => Assert.Equal(StepStatus.Scheduled, s.Status));
    }

    [Fact]
    public void StayInTouchCountsWhatOtherProcessesWithTheCompanyAlreadyDid()
    {
        var once = A.Input("2026-03-18T18:00:00Z", [Tuesday], [Rejection()]) with
        {
            CompanyHistory = new CompanyHistory { StayInTouchReminders = [A.Utc("2026-05-01T16:00:00Z")] },
        };
        var touch = Assert.Single(A.Plan(once).Of(StepKind.StayInTouch));
        Assert.True(touch.DueUtc >= A.Utc("2026-05-01T16:00:00Z").AddDays(90));
        var twice = once with { CompanyHistory = new CompanyHistory { StayInTouchReminders = [A.Utc("2025-05-01T16:00:00Z"), A.Utc("2025-09-01T16:00:00Z")] } };
        Assert.Empty(A.Plan(twice).Of(StepKind.StayInTouch));
    }

    [Fact]
    public void StayInTouchCanBeTurnedOff() =>
        Assert.Empty(A.Plan(A.Input("2026-03-18T18:00:00Z", [Tuesday], [Rejection()], settings: new UserSettings { StayInTouch = false })).Of(StepKind.StayInTouch));

    [Fact]
    public void ConnectingOnLinkedInIsASettingOnByDefault()
    {
        Assert.NotEmpty(A.Plan(A.Input("2026-03-10T19:00:00Z", [Tuesday])).Of(StepKind.ConnectOnLinkedIn));
        Assert.Empty(A.Plan(A.Input("2026-03-10T19:00:00Z", [Tuesday], settings: new UserSettings { ConnectOnLinkedIn = false })).Of(StepKind.ConnectOnLinkedIn));
    }

    [Fact]
    public void ALinkedInRequestAWeekLateIsNoLongerOffered()
    {
        // Due Tuesday 13:00 in Los Angeles (20:00 UTC): offered for a week after, not a minute more.
        var stillOffered = A.Plan(A.Input("2026-03-17T19:59:00Z", [Tuesday])).Of(StepKind.ConnectOnLinkedIn);
        Assert.All(A.Some(stillOffered), s => Assert.Equal(StepStatus.Due, s.Status));
        var late = A.Plan(A.Input("2026-03-17T20:00:00Z", [Tuesday])).Of(StepKind.ConnectOnLinkedIn);
        Assert.All(A.Some(late), s =>
        {
            Assert.Equal(StepStatus.Skipped, s.Status);
            Assert.Contains("its moment has passed", s.Reason);
        });
    }

    [Fact]
    public void AReminderTheUserAcceptedIsKeptOnceCreatedEvenWhenLate()
    {
        var key = A.Plan(A.Input("2026-03-10T19:00:00Z", [Tuesday])).Of(StepKind.ConnectOnLinkedIn).First().Key;
        var created = A.Interview("2026-03-10T13:00", 15, id: "reminder") with { SingleValueExtendedProperties = [new ExtendedProperty(StepKeys.PropertyId, key)] };
        var plan = A.Plan(A.Input("2026-03-30T19:00:00Z", [Tuesday, created]));
        Assert.Equal(StepStatus.Done, plan.Steps.Single(s => s.Key == key).Status);
    }

    [Fact]
    public void BeforeTheInterviewTheReminderComesShortlyBeforeItStartsAndGoesOnceItHasBegun()
    {
        var before = A.Plan(A.Input("2026-03-09T18:00:00Z", [Tuesday])).Of(StepKind.BeforeInterview).Single();
        Assert.Equal(new DateTime(2026, 3, 10, 9, 30, 0), before.DueLocal); // half an hour before 10:00
        Assert.Contains("Priya Natarajan", before.Reminder!.Body);
        Assert.Empty(A.Plan(A.Input("2026-03-10T17:01:00Z", [Tuesday])).Of(StepKind.BeforeInterview));
    }
}
