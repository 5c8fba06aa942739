using OutlookFollowUp.Engine;

namespace OutlookFollowUp.Tests;

/// <summary>R1: one personal thank-you to each interviewer, drafted when the interview ends, due within 24 hours.</summary>
public class R1ThankYouTests
{
    // Tuesday 10 March 2026, 10:00-11:00 in Los Angeles (PDT, UTC-7): the interview ends at 18:00 UTC.
    private static GraphEvent Panel() => A.Interview("2026-03-10T10:00", with:
    [
        A.Priya, A.Tom,
        new EmailAddress("Conf Room Rainier", "rainier@fabrikam.com"),
        new EmailAddress("Greenhouse Scheduling", "no-reply@greenhouse.io"),
    ]) is var e ? e with
    {
        Attendees = [.. e.Attendees!, new Attendee("required", new ResponseStatus("declined", null), new EmailAddress("Omar Haddad", "omar.haddad@fabrikam.com"))],
    } : e;

    [Fact]
    public void EachInterviewerGetsTheirOwnThankYouAndNobodyElseDoes()
    {
        var plan = A.Plan(A.Input("2026-03-10T19:00:00Z", [Panel()]));
        var to = plan.Of(StepKind.ThankYou).Select(s => Assert.Single(s.Recipients).Address).Order().ToList();
        // Priya and Tom interviewed, Dana organized; the room, the scheduler, Omar who declined and the user are left out.
        Assert.Equal(["dana.whitfield@fabrikam.com", "priya.natarajan@fabrikam.com", "tom.becker@fabrikam.com"], to);
        Assert.Equal(3, plan.Of(StepKind.ThankYou).Select(s => s.Mail!.BodyText).Distinct().Count());
    }

    [Fact]
    public void ThankYouIsNeverDraftedBeforeTheInterviewEnds()
    {
        var during = A.Plan(A.Input("2026-03-10T17:30:00Z", [Panel()]));
        Assert.All(A.Some(during.Of(StepKind.ThankYou)), s =>
        {
            Assert.Equal(StepStatus.Scheduled, s.Status);
            Assert.Equal(A.Utc("2026-03-10T18:00:00Z"), s.AvailableFromUtc);
        });
        var after = A.Plan(A.Input("2026-03-10T18:00:00Z", [Panel()]));
        Assert.All(A.Some(after.Of(StepKind.ThankYou)), s => Assert.Equal(StepStatus.Due, s.Status));
    }

    [Fact]
    public void ThankYouIsDueWithinTwentyFourHours()
    {
        var plan = A.Plan(A.Input("2026-03-10T19:00:00Z", [Panel()]));
        Assert.All(A.Some(plan.Of(StepKind.ThankYou)), s =>
        {
            Assert.InRange(s.DueUtc, A.Utc("2026-03-10T18:00:00Z"), A.Utc("2026-03-11T18:00:00Z"));
            Assert.False(s.Late);
        });
    }

    [Fact]
    public void AfterTwentyFourHoursTheThankYouIsMarkedLateButStillOffered()
    {
        var plan = A.Plan(A.Input("2026-03-12T01:00:00Z", [Panel()]));
        Assert.All(A.Some(plan.Of(StepKind.ThankYou)), s =>
        {
            Assert.Equal(StepStatus.Due, s.Status);
            Assert.True(s.Late);
            Assert.Contains("late", s.Reason);
        });
    }

    [Fact]
    public void AWeekLaterTheThankYouIsNoLongerOfferedAndItsUntouchedDraftIsWithdrawn()
    {
        var key = A.Plan(A.Input("2026-03-10T19:00:00Z", [Panel()])).Of(StepKind.ThankYou).First(s => s.Recipients[0].Address == A.Tom.Address).Key;
        var plan = A.Plan(A.Input("2026-03-17T19:00:00Z", [Panel()], [A.Draft(A.Tom, key, "2026-03-10T18:00:30Z")]));
        var tom = plan.Of(StepKind.ThankYou).Single(s => s.Key == key);
        Assert.Equal(StepStatus.Skipped, tom.Status);
        Assert.True(tom.WithdrawDraft);
        Assert.Equal(StepStatus.Skipped, plan.One(StepKind.SendThankYou).Status);
    }

    [Fact]
    public void ThankYouMentionsWhatWasMemorableAboutThatPersonOnly()
    {
        var facts = new UserFacts
        {
            Role = "Senior Backend Engineer", Company = "Fabrikam",
            InterviewerNotes = new Dictionary<string, string> { ["Priya.Natarajan@fabrikam.com"] = "your team's move to event sourcing" },
        };
        var plan = A.Plan(A.Input("2026-03-10T19:00:00Z", [Panel()], facts: facts));
        var priya = plan.Of(StepKind.ThankYou).Single(s => s.Recipients[0].Address == A.Priya.Address!);
        var tom = plan.Of(StepKind.ThankYou).Single(s => s.Recipients[0].Address == A.Tom.Address!);
        Assert.Contains("I especially enjoyed our conversation about your team's move to event sourcing.", priya.Mail!.BodyText);
        Assert.DoesNotContain("event sourcing", tom.Mail!.BodyText);
    }

    [Fact]
    public void ThankYouThanksGreetsByFirstNameStatesInterestAndSigns()
    {
        var facts = new UserFacts { Role = "Senior Backend Engineer", Company = "Fabrikam", FitLine = "my payments background fits your reliability goals" };
        var plan = A.Plan(A.Input("2026-03-10T19:00:00Z", [Panel()], facts: facts, settings: new UserSettings { Signature = "Alex Rivera\n(555) 010-4477" }));
        var text = plan.Of(StepKind.ThankYou).Single(s => s.Recipients[0].Address == A.Tom.Address!).Mail!.BodyText;
        Assert.StartsWith("Hi Tom,", text);
        Assert.Contains("Thank you for taking the time to meet with me on Tuesday to discuss the Senior Backend Engineer position at Fabrikam.", text);
        Assert.Contains("My payments background fits your reliability goals.", text);
        Assert.Contains("I remain very interested in the role", text);
        Assert.EndsWith("Best regards,\nAlex Rivera\n(555) 010-4477", text);
    }

    [Fact]
    public void ThankYouGentlyMentionsTheTimelineTheyGave()
    {
        var facts = new UserFacts { Role = "Engineer", Company = "Fabrikam", DecisionDate = new DateOnly(2026, 3, 20) };
        var plan = A.Plan(A.Input("2026-03-10T19:00:00Z", [Panel()], facts: facts));
        Assert.All(A.Some(plan.Of(StepKind.ThankYou)), s => Assert.Contains("reach a decision by Friday, March 20, and I look forward to hearing from you", s.Mail!.BodyText));
    }

    [Fact]
    public void ThankYouStaysUnderOneHundredFiftyWordsBeforeTheSignature()
    {
        var facts = new UserFacts
        {
            Role = "Senior Backend Engineer", Company = "Fabrikam", DecisionDate = new DateOnly(2026, 3, 20),
            FitLine = "My five years building payment services map closely to the reliability work your team described.",
            InterviewerNotes = new Dictionary<string, string> { [A.Priya.Address!] = "your team's move to event sourcing" },
        };
        var plan = A.Plan(A.Input("2026-03-10T19:00:00Z", [Panel()], facts: facts));
        Assert.All(A.Some(plan.Of(StepKind.ThankYou)), s => Assert.InRange(Drafts.BodyWords(s.Mail!, "Alex Rivera"), 30, 150));
    }

    [Fact]
    public void AThankYouLongerThanOneHundredFiftyWordsNeedsReview()
    {
        var facts = new UserFacts { FitLine = string.Join(' ', Enumerable.Repeat("I built reliable services for payments teams.", 20)) };
        var plan = A.Plan(A.Input("2026-03-10T19:00:00Z", [Panel()], facts: facts));
        Assert.All(A.Some(plan.Of(StepKind.ThankYou)), s =>
        {
            Assert.Equal(StepStatus.NeedsReview, s.Status);
            Assert.Contains(s.Review!.StyleIssues, i => i.Contains("keep it under 150"));
        });
    }

    [Fact]
    public void OneThankYouPerPersonPerInterviewDay()
    {
        var morning = A.Interview("2026-03-10T09:00", with: [A.Priya], id: "a");
        var afternoon = A.Interview("2026-03-10T14:00", with: [A.Priya, A.Tom], id: "b");
        var plan = A.Plan(A.Input("2026-03-11T01:00:00Z", [morning, afternoon]));
        Assert.Equal(3, plan.Of(StepKind.ThankYou).Count()); // Priya, Tom and Dana, once each
        Assert.All(A.Some(plan.Of(StepKind.ThankYou)), s => Assert.Equal(A.Utc("2026-03-10T22:00:00Z"), s.AvailableFromUtc));
    }

    [Fact]
    public void ASentThankYouIsDone()
    {
        var first = A.Plan(A.Input("2026-03-10T19:00:00Z", [Panel()]));
        var toPriya = first.Of(StepKind.ThankYou).Single(s => s.Recipients[0].Address == A.Priya.Address!);
        var plan = A.Plan(A.Input("2026-03-11T19:00:00Z", [Panel()], [A.Sent(A.Priya, "2026-03-10T20:00:00Z", key: toPriya.Key)]));
        var step = plan.Of(StepKind.ThankYou).Single(s => s.Key == toPriya.Key);
        Assert.Equal(StepStatus.Done, step.Status);
        Assert.True(step.Written!.Sent);
    }

    [Fact]
    public void AThankYouTheUserWroteThemselvesCountsAsDone()
    {
        var plan = A.Plan(A.Input("2026-03-11T19:00:00Z", [Panel()], [A.Sent(A.Tom, "2026-03-10T23:00:00Z", "Thanks!")]));
        Assert.Equal(StepStatus.Done, plan.Of(StepKind.ThankYou).Single(s => s.Recipients[0].Address == A.Tom.Address!).Status);
    }

    [Fact]
    public void ThankYouAndFollowUpKeysNeverChange()
    {
        // These keys are written into users' mailboxes: a change here would draft every note a second time.
        // The expected values were computed outside .NET from the documented recipe (SHA-256 of the parts).
        Assert.Equal("ofu1-ty-dda9602625fe0b8bb40f", StepKeys.For(StepKind.ThankYou, "ical-1", "2026-03-10", "priya.natarajan@fabrikam.com"));
        Assert.Equal("ofu1-fu-0847c8680eb9e9299576", StepKeys.For(StepKind.FollowUp, "ical-1", "2026-03-10", "1"));
    }
}
