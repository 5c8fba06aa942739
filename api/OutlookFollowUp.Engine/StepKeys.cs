using System.Security.Cryptography;
using System.Text;

namespace OutlookFollowUp.Engine;

/// <summary>
/// Step keys: the same inputs give the same key forever, so the mailbox itself can say what was already written.
/// Changing the recipe orphans every item already in users' mailboxes: add a new version, never edit "v1".
/// </summary>
public static class StepKeys
{
    /// <summary>The project's MAPI property set; the key is a named string property in it.</summary>
    public const string PropertySetId = "{6b1f3c2e-8d4a-4f7e-9a51-0c2d7e9b4f18}";

    /// <summary>The id of the single-value extended property, as Graph writes it.</summary>
    public const string PropertyId = "String " + PropertySetId + " Name OutlookFollowUpStepKey";

    public static string For(StepKind kind, string processKey, params string[] parts)
    {
        var recipe = string.Join('\u001f', ["v1", RecipeName(kind), processKey, .. parts]);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(recipe));
        return $"ofu1-{Short(kind)}-{Convert.ToHexStringLower(hash.AsSpan(0, 10))}";
    }

    public static string? FromProperties(IReadOnlyList<ExtendedProperty>? properties) =>
        properties?.FirstOrDefault(p => string.Equals(p.Id, PropertyId, StringComparison.OrdinalIgnoreCase))?.Value;

    /// <summary>
    /// The kind's name in the recipe, written out: it was the C# member's name when v1 was written, and keys already in
    /// mailboxes depend on it, so renaming a member must not change it (nor may the plan's JSON name, which differs).
    /// </summary>
    private static string RecipeName(StepKind kind) => kind switch
    {
        StepKind.ThankYou => "ThankYou",
        StepKind.FollowUp => "FollowUp",
        StepKind.RejectionReply => "RejectionReply",
        StepKind.ConnectOnLinkedIn => "ConnectOnLinkedIn",
        StepKind.AlertReferences => "AlertReferences",
        StepKind.PrepareNextRound => "PrepareNextRound",
        StepKind.SendThankYou => "SendThankYou",
        StepKind.Call => "Call",
        StepKind.KeepSearching => "KeepSearching",
        StepKind.AskRecommendation => "AskRecommendation",
        StepKind.AnswerOffer => "AnswerOffer",
        StepKind.StayInTouch => "StayInTouch",
        StepKind.BeforeInterview => "BeforeInterview",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private static string Short(StepKind kind) => kind switch
    {
        StepKind.ThankYou => "ty",
        StepKind.FollowUp => "fu",
        StepKind.RejectionReply => "rr",
        StepKind.ConnectOnLinkedIn => "li",
        StepKind.AlertReferences => "ref",
        StepKind.PrepareNextRound => "prep",
        StepKind.SendThankYou => "sty",
        StepKind.Call => "call",
        StepKind.KeepSearching => "ks",
        StepKind.AskRecommendation => "rec",
        StepKind.AnswerOffer => "offer",
        StepKind.StayInTouch => "sit",
        StepKind.BeforeInterview => "pre",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}
