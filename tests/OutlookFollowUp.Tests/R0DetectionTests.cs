using OutlookFollowUp.Engine;

namespace OutlookFollowUp.Tests;

/// <summary>R0: interviews are told from look-alikes; an uncertain event drafts nothing until the user confirms.</summary>
public class R0DetectionTests
{
    private static DetectionVerdict Verdict(GraphEvent e, UserProfile? user = null) => InterviewDetector.Detect(e, user ?? A.User()).Verdict;

    [Fact]
    public void AnOutsideCompanysPhoneScreenIsAnInterview() =>
        Assert.Equal(DetectionVerdict.Interview, Verdict(A.Interview("2026-03-10T10:00", subject: "Phone screen with Fabrikam")));

    [Fact]
    public void AnApplicantTrackingSchedulerMakesItAnInterview()
    {
        var e = A.Interview("2026-03-10T10:00", subject: "Sam / Fabrikam - 1st round", organizer: new EmailAddress("Fabrikam", "no-reply@greenhouse.io"));
        var detection = InterviewDetector.Detect(e, A.User());
        Assert.Equal(DetectionVerdict.Interview, detection.Verdict);
        Assert.Contains(detection.Reasons, r => r.Contains("greenhouse.io"));
    }

    [Theory]
    [InlineData("Exit interview")]
    [InlineData("Podcast interview: The Future of Data")]
    [InlineData("Press interview with TechDaily")]
    [InlineData("Performance review")]
    [InlineData("1:1 Sam / Kim")]
    public void ExitPressPodcastReviewAndOneOnOneMeetingsAreNotInterviews(string subject) =>
        Assert.Equal(DetectionVerdict.NotInterview, Verdict(A.Interview("2026-03-10T10:00", subject: subject)));

    [Fact]
    public void AnEventTheUserOrganizesForACandidateIsNotTheirInterview()
    {
        var user = A.User(address: "alex@contoso.com");
        var e = A.Interview("2026-03-10T10:00", subject: "Candidate: Jordan Miles - Backend", organizer: new EmailAddress("Recruiting", "recruiting@contoso.com"));
        Assert.Equal(DetectionVerdict.NotInterview, Verdict(e, user));
        Assert.Equal(DetectionVerdict.NotInterview, Verdict(e with { IsOrganizer = true, Subject = "Interview debrief" }, user));
    }

    [Fact]
    public void CancelledDeclinedAndAllDayEventsAreNotInterviews()
    {
        var e = A.Interview("2026-03-10T10:00");
        Assert.Equal(DetectionVerdict.NotInterview, Verdict(e with { IsCancelled = true }));
        Assert.Equal(DetectionVerdict.NotInterview, Verdict(e with { IsAllDay = true }));
        Assert.Equal(DetectionVerdict.NotInterview, Verdict(e with { ResponseStatus = new ResponseStatus("declined", null) }));
    }

    [Fact]
    public void InterviewWordsFromInsideTheUsersOwnOrganizationAreOnlyAMaybe()
    {
        var user = A.User(address: "alex@contoso.com");
        var e = A.Interview("2026-03-10T10:00", subject: "Interview", organizer: new EmailAddress("Kim Lo", "kim.lo@contoso.com"),
            with: [new EmailAddress("Lee", "lee@contoso.com")]);
        Assert.Equal(DetectionVerdict.Maybe, Verdict(e, user));
    }

    [Fact]
    public void AMaybeDraftsNothingUntilTheUserConfirms()
    {
        var user = A.User(address: "alex@contoso.com");
        var e = A.Interview("2026-03-10T10:00", subject: "Interview", organizer: new EmailAddress("Kim Lo", "kim.lo@contoso.com"),
            with: [new EmailAddress("Lee Chan", "lee.chan@contoso.com")]);
        var unsure = A.Plan(A.Input("2026-03-11T12:00:00Z", [e], user: user));
        Assert.Equal(ProcessState.Maybe, unsure.Process.State);
        Assert.Empty(unsure.Steps);

        var confirmed = A.Plan(A.Input("2026-03-11T12:00:00Z", [e], user: user, facts: new UserFacts { IsInterview = true }));
        Assert.Equal(DetectionVerdict.Interview, confirmed.Process.Detection.Verdict);
        Assert.NotEmpty(confirmed.Of(StepKind.ThankYou));
    }

    [Fact]
    public void TheUserSayingItIsNotAnInterviewOverridesDetection()
    {
        var plan = A.Plan(A.Input("2026-03-11T12:00:00Z", [A.Interview("2026-03-10T10:00")], facts: new UserFacts { IsInterview = false }));
        Assert.Equal(ProcessState.NotInterview, plan.Process.State);
        Assert.Empty(plan.Steps);
    }

    [Theory]
    [InlineData("Vorstellungsgespräch - Werkstudent")]
    [InlineData("Entretien d'embauche - Développeur")]
    [InlineData("Entrevista de trabajo - Analista")]
    public void GermanFrenchAndSpanishInterviewsAreRecognized(string subject) =>
        Assert.Equal(DetectionVerdict.Interview, Verdict(A.Interview("2026-03-10T10:00", subject: subject)));

    [Fact]
    public void RemindersTheProductCreatedAreNeverTakenForInterviews()
    {
        var ours = A.Interview("2026-03-12T10:00", subject: "Prepare for the next round interview") with
        {
            SingleValueExtendedProperties = [new ExtendedProperty(StepKeys.PropertyId, "ofu1-prep-0011")],
        };
        Assert.Equal(DetectionVerdict.NotInterview, Verdict(ours));
    }
}
