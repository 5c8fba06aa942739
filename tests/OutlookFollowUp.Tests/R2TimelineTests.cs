using OutlookFollowUp.Engine;

namespace OutlookFollowUp.Tests;

/// <summary>R2: the employer's stated decision date, read from what they wrote, relative to when they wrote it.</summary>
public class R2TimelineTests
{
    private static readonly UserCalendar Pacific = new(A.Pacific, null, null);

    [Theory]
    [InlineData("We will make a decision by Friday.", "2026-03-10", "2026-03-13")]
    [InlineData("We expect to make a decision within two weeks.", "2026-03-10", "2026-03-24")]
    [InlineData("You will hear from us next week.", "2026-03-10", "2026-03-20")]
    [InlineData("We hope to have a decision by March 3.", "2026-02-20", "2026-03-03")]
    [InlineData("We will get back to you in 5 business days.", "2026-03-10", "2026-03-17")]
    [InlineData("Expect an update by the end of the month.", "2026-03-10", "2026-03-31")]
    [InlineData("We will let you know early next week.", "2026-03-10", "2026-03-17")]
    [InlineData("We will be in touch within 48 hours.", "2026-03-10", "2026-03-12")]
    [InlineData("We usually respond in 7-10 days.", "2026-03-10", "2026-03-20")]
    [InlineData("We will reach a decision by January 5.", "2026-12-20", "2027-01-05")]
    [InlineData("We will come back to you after the 15th of April.", "2026-03-10", "2026-04-15")]
    [InlineData("We'll get back to you within a week.", "2026-03-10", "2026-03-17")]
    [InlineData("Expect to hear back by the end of the week.", "2026-03-10", "2026-03-13")]
    [InlineData("You should hear back within a couple of weeks.", "2026-03-10", "2026-03-24")]
    // Published wording the rules missed (tests/corpus/dates.jsonl, train split): no "decision" word near the date.
    [InlineData("You can expect a follow-up email or phone call by the end of next week.", "2026-03-10", "2026-03-20")]
    [InlineData("We will have picked an applicant to fill the position on June 30.", "2026-03-10", "2026-06-30")]
    public void TheStatedDateIsReadRelativeToWhenItWasWritten(string text, string written, string expected)
    {
        var found = DatePhrases.ReadDecisionDate(text, DateOnly.Parse(written), Pacific);
        Assert.NotNull(found);
        Assert.Equal(DateOnly.Parse(expected), found.Date);
    }

    [Theory]
    [InlineData("Please bring your ID on Friday.")]
    [InlineData("Parking is free after 5 business days of validation.")]
    [InlineData("Our office moved to 12 March Street last year.")]
    public void ADateAboutSomethingElseIsNotADecisionDate(string text) =>
        Assert.Null(DatePhrases.ReadDecisionDate(text, new DateOnly(2026, 3, 10), Pacific));

    [Fact]
    public void TheDateInTheInviteCountsFromTheInterview()
    {
        var e = A.Interview("2026-03-10T10:00", body: "<p>We will make a decision within a week.</p>");
        var plan = A.Plan(A.Input("2026-03-10T19:00:00Z", [e], facts: new UserFacts()));
        Assert.Equal(new DateOnly(2026, 3, 17), plan.Process.DecisionDate!.Date);
        Assert.StartsWith("event:", plan.Process.DecisionDate.Source);
    }

    [Fact]
    public void TheUsersDateWinsOverWhatTheEmployerWrote()
    {
        var e = A.Interview("2026-03-10T10:00", body: "We will make a decision within a week.");
        var plan = A.Plan(A.Input("2026-03-10T19:00:00Z", [e], facts: new UserFacts { DecisionDate = new DateOnly(2026, 3, 27) }));
        Assert.Equal(new DecisionDate(new DateOnly(2026, 3, 27), "facts", null), plan.Process.DecisionDate);
    }

    [Fact]
    public void TheLatestThingTheEmployerWroteWins()
    {
        var e = A.Interview("2026-03-10T10:00", body: "We will make a decision within a week.");
        var later = A.Inbound(A.Dana, "2026-03-12T17:00:00Z", "Timeline", "Quick update: we now expect to make a decision by March 27.");
        var plan = A.Plan(A.Input("2026-03-13T19:00:00Z", [e], [later], facts: new UserFacts()));
        Assert.Equal(new DateOnly(2026, 3, 27), plan.Process.DecisionDate!.Date);
    }

    [Fact]
    public void TomorrowMeansTheDayAfterTheDateInTheUsersZone()
    {
        // Thursday 22:00 in Los Angeles is already Friday in UTC: "tomorrow" is Friday the 13th, not Saturday.
        var found = DatePhrases.ReadDecisionDate("We will decide tomorrow.", Pacific.LocalDate(A.Utc("2026-03-13T05:00:00Z")), Pacific);
        Assert.Equal(new DateOnly(2026, 3, 13), found!.Date);
    }
}
