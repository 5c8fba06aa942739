using System.Text.RegularExpressions;

namespace OutlookFollowUp.Engine;

// R4 further follow-ups: what counts as one (the product's, or the user's own by hand), what holds the next one
// back (a draft of the user's own), and what is neither (a thank-you, an answer to them) [000, 003, 004].
internal sealed partial class PlanBuilder
{
    /// <summary>
    /// R4: the user's own mail to the employer side since the interview that is neither a thank-you nor an answer to
    /// them: a follow-up, however it was written. Oldest first.
    /// </summary>
    private List<Mail> FollowUpsByHand(RoundInfo chain, List<Mail> mine, List<Reply> replies) =>
        mine.Where(m => m.Key is null && m.Message.IsDraft != true && m.At > chain.Round.EndUtc && m.At <= _now && m.To.Any(_employer)
                        && !IsThankYou(m, chain) && !IsAnswer(m, replies))
            .OrderBy(m => m.At).ToList();

    /// <summary>R4: a message of the user's own to the employer side, written since the interview and left in Drafts.</summary>
    private Mail? OwnDraftToThem(RoundInfo chain, List<Mail> mine) =>
        mine.Where(m => m.Key is null && m.Message.IsDraft == true && m.At > chain.Round.EndUtc && m.At <= _now && m.To.Any(_employer))
            .OrderByDescending(m => m.At).FirstOrDefault();

    private string NameOf(Mail m) =>
        m.To.Where(_employer).Select(a => (m.Message.ToRecipients ?? []).Concat(m.Message.CcRecipients ?? [])
            .Select(r => r.EmailAddress).FirstOrDefault(e => People.Normalize(e?.Address) == a)).Select(People.DisplayName).FirstOrDefault() ?? "them";

    /// <summary>
    /// R1: a thank-you, whoever wrote it: the product's, or the user's own within 48 hours of the interview, or later
    /// in that week when it reads as one ("Thank you for taking the time...") and not as a follow-up.
    /// </summary>
    private bool IsThankYou(Mail m, RoundInfo chain) =>
        (m.Key is { } k && k.StartsWith("ofu1-ty-", StringComparison.Ordinal))
        || (m.Key is null && (m.At <= chain.Round.EndUtc.AddHours(48) && (ReadsAsThankYou(m) || !ReadsAsFollowUp(m))
                              || m.At <= chain.Round.EndUtc.AddDays(ThankYouOfferedForDays) && ReadsAsThankYou(m) && !ReadsAsFollowUp(m)));

    /// <summary>
    /// The user's answer to the employer: in the thread of one of their messages (conversation or References), within
    /// five days of it, and not itself a follow-up ("just checking in"): a later message in that thread is a chase.
    /// </summary>
    private bool IsAnswer(Mail m, List<Reply> replies) =>
        !ReadsAsFollowUp(m) && replies.Any(r => r.Mail.At < m.At && m.At <= r.Mail.At.AddDays(5)
            && (m.Message.ConversationId is { Length: > 0 } conv && r.Mail.Message.ConversationId == conv
                || r.Mail.MessageId is { } id && m.References.Contains(id)));

    // How each of the user's messages reads, found once per plan: the chain asks it for every step.
    private readonly Dictionary<GraphMessage, (bool ThankYou, bool FollowUp)> _wording = new(ReferenceEqualityComparer.Instance);

    private (bool ThankYou, bool FollowUp) Wording(Mail m)
    {
        if (_wording.TryGetValue(m.Message, out var read)) return read;
        var text = Text.WithoutQuoted(Text.Plain(m.Message.Body, m.Message.BodyPreview));
        var opening = Text.ForMatching(Text.Subject(m.Message.Subject) + "\n" + (text.Length > 1500 ? text[..1500] : text));
        return _wording[m.Message] = (ThankYouWords().IsMatch(opening), FollowUpWords().IsMatch(opening));
    }

    private bool ReadsAsThankYou(Mail m) => Wording(m).ThankYou;

    private bool ReadsAsFollowUp(Mail m) => Wording(m).FollowUp;

    // [000, 003]: how people write a chase, one alternative a line (spaces are \s: the pattern ignores its own).
    [GeneratedRegex(options: RegexOptions.IgnorePatternWhitespace | RegexOptions.CultureInvariant, pattern: """
        \b( follow(ing)?[\s-]?up
          | check(ing)?[\s-]in
          | touch(ing)?[\s-]base
          | any\s(news|update)
          | an\supdate\son
          | status\sof\smy\sapplication
          | wanted\sto\ssee\s(if|whether|where)
          | still\s(interested|available)\sin
          | circle\sback
          | nachfrage
          | nachhaken
          | relance
          | suivi\sde\sma\scandidature
          | seguimiento
          )\b
        """)]
    private static partial Regex FollowUpWords();

    // [001, 002]: how people write a thank-you note.
    [GeneratedRegex(options: RegexOptions.IgnorePatternWhitespace | RegexOptions.CultureInvariant, pattern: """
        \b( thank(s|\syou)\s((so|very)\smuch\s)?for\s(the|your|taking|meeting|speaking|talking|interviewing|having)
          | (great|good|nice|a\spleasure)\s(to\smeet|meeting|speaking|talking)
          | appreciated?\s(the|your)\stime
          | vielen\sdank\sfür\sdas\sgespräch
          | merci\spour\s(l'entretien|votre\stemps)
          | gracias\spor\s(la\sentrevista|su\stiempo)
          )\b
        """)]
    private static partial Regex ThankYouWords();
}
