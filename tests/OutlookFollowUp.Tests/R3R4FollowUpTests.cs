using OutlookFollowUp.Engine;

namespace OutlookFollowUp.Tests;

/// <summary>R3 and R4: the first follow-up after the date they gave, then at most two more a week apart, then move on.</summary>
public class R3R4FollowUpTests
{
    private static readonly GraphEvent Tuesday = A.Interview("2026-03-10T10:00", with: [A.Priya, A.Tom]);

    private static PlanInput Input(string now, GraphMessage[]? messages = null, UserFacts? facts = null, UserSettings? settings = null) =>
        A.Input(now, [Tuesday], messages, facts ?? new UserFacts { Role = "Engineer", Company = "Fabrikam" }, settings);

    [Fact]
    public void FollowUpWaitsForTheStatedDecisionDate()
    {
        var plan = A.Plan(Input("2026-03-10T19:00:00Z", facts: new UserFacts { DecisionDate = new DateOnly(2026, 3, 20) }));
        var first = plan.FollowUp(1);
        Assert.Equal(new DateTime(2026, 3, 23, 9, 0, 0), first.DueLocal); // Friday's date given: Monday, start of work
        Assert.Equal(StepStatus.Scheduled, first.Status);
        Assert.Contains("first business day after 2026-03-20", first.Reason);
    }

    [Fact]
    public void ToldAWeekTheFollowUpComesOnDayEight()
    {
        var e = Tuesday with { Body = new ItemBody("text", "We'll get back to you within a week.") };
        var plan = A.Plan(A.Input("2026-03-10T19:00:00Z", [e], facts: new UserFacts()));
        Assert.Equal(new DateOnly(2026, 3, 18), DateOnly.FromDateTime(plan.FollowUp(1).DueLocal));
    }

    [Fact]
    public void WithoutADateTheFollowUpComesAWeekLaterOnABusinessDay()
    {
        var tuesday = A.Plan(Input("2026-03-10T19:00:00Z"));
        Assert.Equal(new DateTime(2026, 3, 17, 9, 0, 0), tuesday.FollowUp(1).DueLocal);
        var saturday = A.Plan(A.Input("2026-03-14T19:00:00Z", [A.Interview("2026-03-14T10:00")]));
        Assert.Equal(new DateTime(2026, 3, 23, 9, 0, 0), saturday.FollowUp(1).DueLocal);
    }

    [Fact]
    public void TheFollowUpGoesToTheContactTheyNamedFirst()
    {
        var facts = new UserFacts { ContactPerson = new EmailAddress("Grace Liu", "grace.liu@fabrikam.com") };
        var plan = A.Plan(Input("2026-03-10T19:00:00Z", facts: facts));
        Assert.Equal("grace.liu@fabrikam.com", Assert.Single(plan.FollowUp(1).Recipients).Address);
        Assert.StartsWith("Hi Grace,", plan.FollowUp(1).Mail!.BodyText);
    }

    [Fact]
    public void WithoutANamedContactTheFollowUpGoesToTheOrganizerThenTheFirstInterviewer()
    {
        Assert.Equal(A.Dana.Address, Assert.Single(A.Plan(Input("2026-03-10T19:00:00Z")).FollowUp(1).Recipients).Address);
        var robotOrganizer = Tuesday with { Organizer = new Recipient(new EmailAddress("Scheduling", "no-reply@greenhouse.io")) };
        var plan = A.Plan(A.Input("2026-03-10T19:00:00Z", [robotOrganizer]));
        Assert.Equal(A.Priya.Address, Assert.Single(plan.FollowUp(1).Recipients).Address);
    }

    [Fact]
    public void TheFollowUpRepliesInTheThreadOfTheThankYouSentToThatPerson()
    {
        var key = A.Plan(Input("2026-03-10T19:00:00Z")).Of(StepKind.ThankYou).Single(s => s.Recipients[0].Address == A.Dana.Address).Key;
        var sent = A.Sent(A.Dana, "2026-03-10T21:00:00Z", "Thank you for your time: Engineer interview", key);
        var plan = A.Plan(Input("2026-03-17T17:00:00Z", [sent]));
        Assert.Equal(sent.Id, plan.FollowUp(1).Mail!.ReplyToMessageId);
        Assert.Equal("Re: Thank you for your time: Engineer interview", plan.FollowUp(1).Mail!.Subject);
    }

    [Fact]
    public void EveryFollowUpIsUnderOneHundredWordsAndAsksPolitelyForAnUpdate()
    {
        var plan = A.Plan(Input("2026-03-10T19:00:00Z"));
        Assert.All(A.Some(plan.Of(StepKind.FollowUp)), s =>
        {
            Assert.InRange(Drafts.BodyWords(s.Mail!, "Alex Rivera"), 20, 100);
            Assert.DoesNotContain("!", s.Mail!.BodyText);
        });
        Assert.Contains("I would be grateful for an update on your timeline", plan.FollowUp(1).Mail!.BodyText);
    }

    [Fact]
    public void AtMostThreeFollowUpsInAllAndTheUserMayLowerIt()
    {
        Assert.Equal(3, A.Plan(Input("2026-03-10T19:00:00Z")).Of(StepKind.FollowUp).Count());
        Assert.Single(A.Plan(Input("2026-03-10T19:00:00Z", settings: new UserSettings { MaxFollowUps = 1 })).Of(StepKind.FollowUp));
        var bad = Assert.Throws<PlanInputException>(() => A.Plan(Input("2026-03-10T19:00:00Z", settings: new UserSettings { MaxFollowUps = 4 })));
        Assert.Contains("maxFollowUps", bad.Message);
    }

    [Fact]
    public void TheNextFollowUpComesAWeekAfterThePreviousWasSent()
    {
        var first = A.Plan(Input("2026-03-17T17:00:00Z")).FollowUp(1);
        var sent = A.Sent(A.Dana, "2026-03-19T18:00:00Z", "Following up", first.Key); // sent two days late, Thursday
        var plan = A.Plan(Input("2026-03-20T17:00:00Z", [sent]));
        Assert.Equal(StepStatus.Done, plan.FollowUp(1).Status);
        Assert.Equal(new DateTime(2026, 3, 26, 9, 0, 0), plan.FollowUp(2).DueLocal);
    }

    [Fact]
    public void NoFurtherFollowUpWhileTheLastDraftIsUnsent()
    {
        var first = A.Plan(Input("2026-03-17T17:00:00Z")).FollowUp(1);
        var draft = A.Draft(A.Dana, first.Key, "2026-03-17T16:01:00Z");
        var plan = A.Plan(Input("2026-04-20T17:00:00Z", [draft]));
        Assert.Equal(StepStatus.Due, plan.FollowUp(1).Status);
        Assert.Equal(StepStatus.Scheduled, plan.FollowUp(2).Status);
        Assert.Equal(StepStatus.Scheduled, plan.FollowUp(3).Status);
    }

    [Fact]
    public void AWeekAfterTheLastUnansweredFollowUpTheProcessMovesOn()
    {
        var messages = new List<GraphMessage>();
        var sentOn = new[] { "2026-03-17T17:00:00Z", "2026-03-24T17:00:00Z", "2026-03-31T17:00:00Z" };
        for (var n = 1; n <= 3; n++)
        {
            var current = A.Plan(Input(sentOn[n - 1], [.. messages]));
            var step = current.FollowUp(n);
            Assert.True(step.Status == StepStatus.Due, string.Join("\n", current.Of(StepKind.FollowUp).Select(s => $"{s.Key} {s.DueLocal} {s.Status}: {s.Reason}")));
            messages.Add(A.Sent(A.Dana, sentOn[n - 1], "Following up", step.Key));
        }
        var before = A.Plan(Input("2026-04-06T17:00:00Z", [.. messages]));
        Assert.Equal(StepStatus.Scheduled, before.One(StepKind.KeepSearching).Status);
        var after = A.Plan(Input("2026-04-07T17:00:00Z", [.. messages]));
        Assert.True(after.One(StepKind.KeepSearching).Status == StepStatus.Due, after.One(StepKind.KeepSearching).Reason);
        Assert.Equal(ProcessState.MovedOn, after.Process.State);
        Assert.Equal(3, after.Of(StepKind.FollowUp).Count(s => s.Status == StepStatus.Done));
    }

    [Fact]
    public void AMessageOfTheUsersOwnToTheEmployerCountsAsAFollowUpAndRestartsTheWeek()
    {
        // The user wrote to Dana on Monday the 16th about something else: that was a follow-up, and the next one waits a week.
        var plan = A.Plan(Input("2026-03-17T17:00:00Z", [A.Sent(A.Dana, "2026-03-16T17:00:00Z", "A question about the benefits")]));
        Assert.Equal(StepStatus.Done, plan.FollowUp(1).Status);
        Assert.Contains("you followed up yourself on 2026-03-16 10:00", plan.FollowUp(1).Reason);
        Assert.Equal(new DateTime(2026, 3, 23, 9, 0, 0), plan.FollowUp(2).DueLocal);
    }

    [Fact]
    public void AnAnswerToTheirQuestionInTheirThreadIsNoFollowUp()
    {
        // Dana asked for availability on the 16th; the user answered in her thread the same day: no follow-up counted.
        var question = A.Inbound(A.Dana, "2026-03-16T17:00:00Z", "Quick question", "Could you share your availability next week?", "conv-q");
        var answer = A.Sent(A.Dana, "2026-03-16T19:00:00Z", "RE: Quick question", conversationId: "conv-q");
        var plan = A.Plan(Input("2026-03-17T17:00:00Z", [question, answer]));
        Assert.DoesNotContain(plan.Of(StepKind.FollowUp), s => s.Reason.Contains("you followed up yourself"));
    }
}
