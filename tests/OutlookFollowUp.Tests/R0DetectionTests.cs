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

/// <summary>R0 with a learned invite reader (issue 12): the rules and the model decide together, as the reader says.</summary>
public class R0ReaderDetectionTests
{
    /// <summary>A reader that answers one reading for every invite and records what it was asked.</summary>
    private sealed class FixedReader(string label, double probability, bool confident) : IMailReader
    {
        public List<(string Text, IReadOnlyList<string> Signals)> Asked { get; } = [];
        public MailReading? ReadReply(string? messageId, string text, CancellationToken cancellationToken = default) => null;

        public MailReading? ReadInvite(string? eventId, string text, IReadOnlyList<string> signals, CancellationToken cancellationToken = default)
        {
            Asked.Add((text, signals));
            return new MailReading(label, probability, "nearest examples: ic-0001 (interview, 0.91)", confident);
        }
    }

    private static readonly UserProfile Insider = A.User(address: "alex@contoso.com");

    private static GraphEvent InsideMaybe() => A.Interview("2026-03-10T10:00", subject: "Interview", organizer: new EmailAddress("Kim Lo", "kim.lo@contoso.com"),
        with: [new EmailAddress("Lee", "lee@contoso.com")]);

    [Fact]
    public void AnInviteTheRulesCallMaybeIsAnInterviewWhenTheReaderIsSure()
    {
        var reader = new FixedReader("interview", 0.995, confident: true);
        var detection = InterviewDetector.Detect(InsideMaybe(), Insider, null, reader);
        Assert.Equal(DetectionVerdict.Interview, detection.Verdict);
        Assert.Equal(0.995, detection.Probability);
        Assert.Contains(detection.Reasons, r => r.Contains("the reader reads it as an interview") && r.Contains("ic-0001"));
        // The model reads the rules' own verdict and evidence beside the text.
        var (text, signals) = Assert.Single(reader.Asked);
        Assert.StartsWith("Interview", text);
        Assert.Equal("rules:maybe", signals[0]);
        Assert.Contains("strong", signals);
    }

    [Fact]
    public void AnInterviewTheReaderDoubtsIsAskedAboutNotActedOn()
    {
        var detection = InterviewDetector.Detect(A.Interview("2026-03-10T10:00", subject: "Phone screen with Fabrikam"), A.User(), null,
            new FixedReader("interview", 0.6, confident: false));
        Assert.Equal(DetectionVerdict.Maybe, detection.Verdict);
        Assert.Contains(detection.Reasons, r => r.Contains("maybe an interview (p 0.60"));
    }

    [Fact]
    public void WhatTheRulesSeeAsAnInterviewTheReaderNeverDropsBelowMaybe()
    {
        var detection = InterviewDetector.Detect(A.Interview("2026-03-10T10:00", subject: "Phone screen with Fabrikam"), A.User(), null,
            new FixedReader("not", 0.97, confident: true));
        Assert.Equal(DetectionVerdict.Maybe, detection.Verdict);
        Assert.Equal(0.03, detection.Probability);
    }

    [Fact]
    public void AnInviteTheRulesSeeNothingInIsNeverRead()
    {
        var reader = new FixedReader("interview", 0.999, confident: true);
        var standUp = A.Interview("2026-03-10T10:00", subject: "Team stand-up", organizer: new EmailAddress("Kim Lo", "kim.lo@contoso.com"),
            with: [new EmailAddress("Lee", "lee@contoso.com")]);
        Assert.Equal(DetectionVerdict.NotInterview, InterviewDetector.Detect(standUp, Insider, null, reader).Verdict);
        var declined = A.Interview("2026-03-10T10:00", subject: "Phone screen with Fabrikam") with { ResponseStatus = new ResponseStatus("declined", null) };
        Assert.Equal(DetectionVerdict.NotInterview, InterviewDetector.Detect(declined, A.User(), null, reader).Verdict);
        Assert.Equal(DetectionVerdict.NotInterview, InterviewDetector.Detect(InsideMaybe(), Insider, false, reader).Verdict);
        Assert.Empty(reader.Asked);
    }

    [Fact]
    public void ThePlansDetectionCarriesTheReadersProbabilityBesideItsVerdict()
    {
        var plan = Planner.Build(A.Input("2026-03-11T12:00:00Z", [InsideMaybe()], user: Insider), null, default, new FixedReader("interview", 0.995, true));
        Assert.Equal(DetectionVerdict.Interview, plan.Process.Detection.Verdict);
        var json = System.Text.Json.JsonSerializer.Serialize(plan, PlanJson.Options);
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        var detection = doc.RootElement.GetProperty("process").GetProperty("detection");
        Assert.Equal("interview", detection.GetProperty("verdict").GetString());
        Assert.Equal(0.995, detection.GetProperty("probability").GetDouble());
        Assert.NotEmpty(plan.Of(StepKind.ThankYou));
    }
}
