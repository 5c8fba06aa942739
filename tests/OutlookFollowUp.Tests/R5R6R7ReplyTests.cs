using OutlookFollowUp.Engine;

namespace OutlookFollowUp.Tests;

/// <summary>R5 stop on reply, R6 rejection, R7 the employer's instructions.</summary>
public class R5R6R7ReplyTests
{
    private static readonly GraphEvent Tuesday = A.Interview("2026-03-10T10:00", with: [A.Priya, A.Tom]);

    private static Plan Plan(string now, params GraphMessage[] messages) => A.Plan(A.Input(now, [Tuesday], messages));

    private static Plan Plan(string now, UserFacts facts, params GraphMessage[] messages) => A.Plan(A.Input(now, [Tuesday], messages, facts));

    // ---- R5 ----

    [Fact]
    public void AReplyFromAnyInterviewerPausesFollowUpsToEveryone()
    {
        var plan = Plan("2026-03-18T17:00:00Z", A.Inbound(A.Tom, "2026-03-12T17:00:00Z", "Re: Thank you", "Thanks Alex, it was great meeting you too."));
        Assert.All(A.Some(plan.Of(StepKind.FollowUp)), s =>
        {
            Assert.Equal(StepStatus.Skipped, s.Status);
            Assert.Contains("R5: paused", s.Reason);
        });
        Assert.Equal(ProcessState.Paused, plan.Process.State);
        Assert.Equal(ReplyClass.Other, plan.Process.LastReply!.Class);
    }

    [Fact]
    public void AnyoneAtTheCompanysDomainSpeaksForTheEmployer()
    {
        var hr = new EmailAddress("People Team", "people@careers.fabrikam.com");
        var plan = Plan("2026-03-18T17:00:00Z", A.Inbound(hr, "2026-03-12T17:00:00Z", "Your application", "We have decided to move forward with other candidates."));
        Assert.Equal(ProcessState.Rejected, plan.Process.State);
    }

    [Fact]
    public void StrangersAndFreeMailSendersDoNotStopTheFollowUps()
    {
        var friend = new EmailAddress("Jamie", "jamie.fox@gmail.com");
        var plan = Plan("2026-03-17T17:00:00Z", A.Inbound(friend, "2026-03-12T17:00:00Z", "How did it go?", "Unfortunately I could not call yesterday."));
        Assert.Equal(StepStatus.Due, plan.FollowUp(1).Status);
        Assert.Null(plan.Process.LastReply);
    }

    [Fact]
    public void TheUsersOwnMessagesNeverCountAsAnAnswer()
    {
        var plan = Plan("2026-03-17T17:00:00Z", A.Sent(A.Dana, "2026-03-10T20:00:00Z", "Thank you"));
        Assert.Equal(StepStatus.Due, plan.FollowUp(1).Status);
        Assert.Null(plan.Process.LastReply);
    }

    [Fact]
    public void AutoRepliesAreNotAnAnswer()
    {
        var ooo = A.Inbound(A.Dana, "2026-03-11T17:00:00Z", "Automatic reply: Thank you", "Thank you for your message.", null,
            new MessageHeader("Auto-Submitted", "auto-replied"));
        var plan = Plan("2026-03-17T17:00:00Z", ooo);
        Assert.Equal(StepStatus.Due, plan.FollowUp(1).Status);
        Assert.Null(plan.Process.LastReply);
    }

    [Fact]
    public void AnOutOfOfficeWithAReturnDateMovesTheFollowUpToTheBusinessDayAfter()
    {
        var ooo = A.Inbound(A.Dana, "2026-03-11T17:00:00Z", "Automatic reply: Thank you",
            "I am out of the office until Friday, March 20 with limited access to email.", null, new MessageHeader("Auto-Submitted", "auto-replied"));
        var plan = Plan("2026-03-17T17:00:00Z", ooo);
        Assert.Equal(new DateTime(2026, 3, 23, 9, 0, 0), plan.FollowUp(1).DueLocal);
        Assert.Contains("out-of-office", plan.FollowUp(1).Reason);
    }

    [Fact]
    public void AnOfferEndsTheFollowUpsAndSuggestsAnsweringIt()
    {
        var plan = Plan("2026-03-16T17:00:00Z", A.Inbound(A.Dana, "2026-03-16T16:00:00Z", "Offer", "We are delighted to offer you the position!"));
        Assert.All(A.Some(plan.Of(StepKind.FollowUp)), s => Assert.Equal(StepStatus.Cancelled, s.Status));
        Assert.Equal(StepStatus.Due, plan.One(StepKind.AnswerOffer).Status);
        Assert.Equal(ProcessState.Offer, plan.Process.State);
    }

    [Fact]
    public void ANextRoundEndsTheFollowUpsAndSuggestsPreparing()
    {
        var plan = Plan("2026-03-16T17:00:00Z", A.Inbound(A.Dana, "2026-03-16T16:00:00Z", "Next steps", "We would like to invite you to a final round interview. Please send your availability."));
        Assert.All(A.Some(plan.Of(StepKind.FollowUp)), s => Assert.Equal(StepStatus.Cancelled, s.Status));
        Assert.Equal(StepStatus.Due, plan.One(StepKind.PrepareNextRound).Status);
        Assert.Equal(ProcessState.NextRound, plan.Process.State);
    }

    [Fact]
    public void StillInProcessWithANewDateMovesTheFollowUpAndStillCountsTowardTheCap()
    {
        var first = Plan("2026-03-17T17:00:00Z").FollowUp(1);
        var plan = Plan("2026-03-19T17:00:00Z",
            A.Sent(A.Dana, "2026-03-17T17:00:00Z", "Following up", first.Key),
            A.Inbound(A.Dana, "2026-03-18T17:00:00Z", "Re: Following up", "We are still interviewing and expect to have an update by April 3."));
        Assert.Equal(StepStatus.Done, plan.FollowUp(1).Status);
        Assert.Equal(new DateTime(2026, 4, 6, 9, 0, 0), plan.FollowUp(2).DueLocal); // Monday after Friday April 3
        Assert.Equal(3, plan.Of(StepKind.FollowUp).Count());
        Assert.Equal(new DateOnly(2026, 4, 3), plan.Process.LastReply!.NewDate);
    }

    [Fact]
    public void ReferencesRequestedSuggestsAlertingThem()
    {
        var plan = Plan("2026-03-16T17:00:00Z", A.Inbound(A.Dana, "2026-03-16T16:00:00Z", "References", "Could you send us two references?"));
        Assert.Equal(StepStatus.Due, plan.One(StepKind.AlertReferences).Status);
        Assert.All(A.Some(plan.Of(StepKind.FollowUp)), s => Assert.Equal(StepStatus.Skipped, s.Status));
    }

    [Fact]
    public void AnUnclassifiedReplyPausesUntilTheUserResumes()
    {
        var note = A.Inbound(A.Dana, "2026-03-12T17:00:00Z", "Re: Thank you", "Thanks for the note!");
        Assert.Equal(StepStatus.Skipped, Plan("2026-03-20T17:00:00Z", note).FollowUp(1).Status);
        var resumed = Plan("2026-03-20T17:00:00Z", new UserFacts { ResumeFollowUps = true }, note);
        Assert.Equal(StepStatus.Due, resumed.FollowUp(1).Status);
        Assert.Equal(new DateTime(2026, 3, 19, 9, 0, 0), resumed.FollowUp(1).DueLocal); // a week after their note
    }

    [Fact]
    public void AnUnsentUneditedFollowUpDraftIsWithdrawnWhenTheyAnswer()
    {
        var first = Plan("2026-03-17T17:00:00Z").FollowUp(1);
        var untouched = A.Draft(A.Dana, first.Key, "2026-03-17T16:00:30Z");
        var plan = Plan("2026-03-18T17:00:00Z", untouched, A.Inbound(A.Dana, "2026-03-18T16:00:00Z", "Update", "Thanks for your patience, I will get back to you next week."));
        Assert.Equal(StepStatus.Scheduled, plan.FollowUp(1).Status);
        Assert.True(plan.FollowUp(1).WithdrawDraft);
    }

    // ---- R6 ----

    private static GraphMessage Rejection(string at = "2026-03-18T17:00:00Z") =>
        A.Inbound(A.Dana, at, "Your application", "Thank you for your time. Unfortunately we have decided to move forward with other candidates.");

    [Fact]
    public void ARejectionCancelsEveryPendingFollowUpAndReminder()
    {
        var plan = Plan("2026-03-18T18:00:00Z", Rejection());
        Assert.Equal(ProcessState.Rejected, plan.Process.State);
        Assert.Equal(3, plan.Of(StepKind.FollowUp).Count(s => s.Status == StepStatus.Cancelled));
        Assert.All(A.Some(plan.Steps.Where(s => s.Kind is not (StepKind.RejectionReply or StepKind.StayInTouch))),
            s => Assert.True(s.Status is StepStatus.Cancelled or StepStatus.Done, $"{s.Kind} {s.Status}"));
    }

    [Fact]
    public void ARejectionWithdrawsUneditedDraftsAndKeepsEditedOnesFlagged()
    {
        var keys = Plan("2026-03-17T17:00:00Z").Of(StepKind.ThankYou).ToDictionary(s => s.Recipients[0].Address, s => s.Key);
        var untouched = A.Draft(A.Priya, keys[A.Priya.Address!], "2026-03-10T18:01:00Z");
        var edited = A.Draft(A.Tom, keys[A.Tom.Address!], "2026-03-10T18:01:00Z", lastModified: "2026-03-10T20:30:00Z");
        var plan = Plan("2026-03-18T18:00:00Z", untouched, edited, Rejection());
        var priya = plan.Of(StepKind.ThankYou).Single(s => s.Recipients[0].Address == A.Priya.Address);
        var tom = plan.Of(StepKind.ThankYou).Single(s => s.Recipients[0].Address == A.Tom.Address);
        Assert.True(priya.WithdrawDraft);
        Assert.False(tom.WithdrawDraft);
        Assert.Contains("you edited its draft", tom.Reason);
    }

    [Fact]
    public void EditsAreJudgedAgainstWhatTheProductRecordedWriting()
    {
        var key = Plan("2026-03-17T17:00:00Z").FollowUp(1).Key;
        // The product created the reply and filled its body a minute later: that is not the user's edit.
        var draft = A.Draft(A.Dana, key, "2026-03-17T16:00:00Z", lastModified: "2026-03-17T16:02:00Z");
        var input = A.Input("2026-03-18T18:00:00Z", [Tuesday], [draft, Rejection()]) with
        {
            Written = [new RecordedWrite(key, draft.Id!, A.Utc("2026-03-17T16:02:00Z"))],
        };
        Assert.True(A.Plan(input).FollowUp(1).WithdrawDraft);
    }

    [Fact]
    public void AWriteTimeTheDatabaseKeptToTheMicrosecondIsNotTakenForAnEdit()
    {
        var key = Plan("2026-03-17T17:00:00Z").FollowUp(1).Key;
        // Graph reports 7 fractional digits; PostgreSQL keeps 6. The stored time is then a few ticks before Graph's.
        var draft = A.Draft(A.Dana, key, "2026-03-17T16:00:00Z", lastModified: "2026-03-17T16:02:00.1234567Z");
        var input = A.Input("2026-03-18T18:00:00Z", [Tuesday], [draft, Rejection()]) with
        {
            Written = [new RecordedWrite(key, draft.Id!, A.Utc("2026-03-17T16:02:00.123456Z"))],
        };
        Assert.True(A.Plan(input).FollowUp(1).WithdrawDraft);
    }

    [Fact]
    public void ARejectionGetsOneGraciousReplyInItsThreadThatAsksForFeedback()
    {
        var rejection = Rejection();
        var reply = Plan("2026-03-18T18:00:00Z", rejection).One(StepKind.RejectionReply);
        Assert.Equal(StepStatus.Due, reply.Status);
        Assert.Equal(rejection.Id, reply.Mail!.ReplyToMessageId);
        Assert.Equal(A.Dana.Address, Assert.Single(reply.Recipients).Address);
        Assert.Contains("Thank you for letting me know, and for the time and consideration", reply.Mail.BodyText);
        Assert.Contains("considered for future openings", reply.Mail.BodyText);
        Assert.Contains("brief feedback", reply.Mail.BodyText);
    }

    [Fact]
    public void ARejectionFromANoReplyAddressIsAnsweredToTheRecruiterInANewMessage()
    {
        var robot = A.Inbound(new EmailAddress("Fabrikam Careers", "no-reply@greenhouse.io"), "2026-03-18T17:00:00Z",
            "Your application to Fabrikam", "Thank you for your interest in Fabrikam. We regret to inform you that the position has been filled.");
        var plan = Plan("2026-03-18T18:00:00Z", robot);
        var reply = plan.One(StepKind.RejectionReply);
        Assert.Equal(A.Dana.Address, Assert.Single(reply.Recipients).Address);
        Assert.Null(reply.Mail!.ReplyToMessageId);
    }

    [Fact]
    public void NeverAnotherFollowUpAfterARejection()
    {
        var plan = Plan("2026-06-30T17:00:00Z", Rejection(), A.Inbound(A.Dana, "2026-03-20T17:00:00Z", "Re: Your application", "Happy to share some feedback next week."));
        Assert.Equal(ProcessState.Rejected, plan.Process.State);
        Assert.DoesNotContain(plan.Steps, s => s.Kind is StepKind.FollowUp or StepKind.Call or StepKind.KeepSearching && s.Status is StepStatus.Due or StepStatus.Scheduled);
    }

    // ---- R7 ----

    [Fact]
    public void WhenTheyAskedForAPhoneCallTheFollowUpsAreCallRemindersWithTalkingPoints()
    {
        var plan = Plan("2026-03-17T17:00:00Z", new UserFacts { Channel = ContactChannel.Phone, Role = "Engineer" });
        Assert.Empty(plan.Of(StepKind.FollowUp));
        var call = plan.Of(StepKind.Call).OrderBy(s => s.DueUtc).First();
        Assert.Null(call.Mail);
        Assert.Contains("Talking points", call.Reminder!.Body);
        Assert.Equal(StepStatus.Due, call.Status);
    }

    [Fact]
    public void NeverAPhoneCallUnlessTheyAskedForOne() =>
        Assert.Empty(Plan("2026-03-17T17:00:00Z").Of(StepKind.Call));

    [Fact]
    public void ThroughANamedPersonTheFollowUpsGoToThatPerson()
    {
        var facts = new UserFacts { Channel = ContactChannel.Person, ContactPerson = new EmailAddress("Grace Liu", "grace.liu@fabrikam.com") };
        Assert.All(A.Some(Plan("2026-03-17T17:00:00Z", facts).Of(StepKind.FollowUp)), s => Assert.Equal("grace.liu@fabrikam.com", s.Recipients[0].Address));
    }

    [Fact]
    public void WeWillReachOutMeansNoFollowUpsAndNoChaseButStillThankYous()
    {
        var plan = Plan("2026-03-30T17:00:00Z", new UserFacts { Channel = ContactChannel.Wait });
        Assert.Empty(plan.Of(StepKind.FollowUp));
        Assert.Empty(plan.Of(StepKind.Call));
        Assert.Empty(plan.Of(StepKind.KeepSearching));
        Assert.Equal(3, plan.Of(StepKind.ThankYou).Count());
    }
}
