using OutlookFollowUp.Engine;

namespace OutlookFollowUp.Tests;

/// <summary>
/// A step key is how the mailbox says what was already written: if one changed, every item of that kind in every
/// user's mailbox would be written again. Each kind's key is pinned here, as v1 computes it.
/// </summary>
public class StepKeyTests
{
    public static TheoryData<StepKind, string> Pinned => new()
    {
        { StepKind.ThankYou, "ofu1-ty-e18f39e2aaf3c2e21176" },
        { StepKind.FollowUp, "ofu1-fu-0847c8680eb9e9299576" },
        { StepKind.RejectionReply, "ofu1-rr-8300ae5bea2bf0900971" },
        { StepKind.ConnectOnLinkedIn, "ofu1-li-0b0dcf68404228110aad" },
        { StepKind.AlertReferences, "ofu1-ref-553e5971dfd27eff4577" },
        { StepKind.PrepareNextRound, "ofu1-prep-964b9126719a257905b5" },
        { StepKind.SendThankYou, "ofu1-sty-c2b74f430dacbdda89d6" },
        { StepKind.Call, "ofu1-call-653e35411e67e783c0f5" },
        { StepKind.KeepSearching, "ofu1-ks-3b54af27a5bafa0b49da" },
        { StepKind.AskRecommendation, "ofu1-rec-ecb4bf44af577dbc2917" },
        { StepKind.AnswerOffer, "ofu1-offer-93f8a99b8a005526d7a5" },
        { StepKind.StayInTouch, "ofu1-sit-21f70e619eb1e4d84869" },
        { StepKind.BeforeInterview, "ofu1-pre-328561f2af548beb19e5" },
    };

    [Theory]
    [MemberData(nameof(Pinned))]
    public void EveryKindKeepsTheKeyItHadWhenItWasFirstWritten(StepKind kind, string key) =>
        Assert.Equal(key, StepKeys.For(kind, "ical-1", "2026-03-10", "1"));

    [Fact]
    public void EveryKindThatExistsIsPinned() =>
        Assert.Equal(Enum.GetValues<StepKind>().Order(), Pinned.Select(row => (StepKind)row[0]).Order());
}
