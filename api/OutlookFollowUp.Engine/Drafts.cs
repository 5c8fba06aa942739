using System.Globalization;
using System.Text.RegularExpressions;

namespace OutlookFollowUp.Engine;

/// <summary>What the drafts may say about the process; null parts are left out, never guessed.</summary>
internal sealed record DraftContext(string? Role, string? Company, string Signature, DecisionDate? DecisionDate, string? FitLine);

/// <summary>
/// The words of every draft and reminder. Every template word is checked against Hunspell's en_US dictionary in the
/// tests [003: never spelling or grammar errors]; user text is only ever inserted as a whole sentence or phrase.
/// </summary>
internal static partial class Drafts
{
    public const int ThankYouWordLimit = 150;
    public const int FollowUpWordLimit = 100;
    public const int ConnectNoteLimit = 300;

    private static readonly CultureInfo En = CultureInfo.GetCultureInfo("en-US");

    public static string LongDate(DateOnly d) => d.ToString("dddd, MMMM d", En);

    private static string Position(DraftContext c) => c.Role is { Length: > 0 } r ? $"the {r} position" : "the position";

    private static string AtCompany(DraftContext c) => c.Company is { Length: > 0 } co ? $" at {co}" : "";

    private static string Greeting(string? firstName) => firstName is { Length: > 0 } ? $"Hi {firstName}," : "Hello,";

    public static MailDraft ThankYou(DraftContext c, string? firstName, DateOnly interviewDay, string? note)
    {
        var subject = c.Role is { Length: > 0 } role ? $"Thank you for your time: {role} interview" : "Thank you for your time";
        var opening = $"Thank you for taking the time to meet with me on {interviewDay.ToString("dddd", En)} to discuss {Position(c)}{AtCompany(c)}.";
        if (note is { Length: > 0 }) opening += $" I especially enjoyed our conversation about {Phrase(note)}.";
        var paragraphs = new List<string> { Greeting(firstName), opening };
        if (c.FitLine is { Length: > 0 } fit) paragraphs.Add(Sentence(fit));
        var interest = c.Company is { Length: > 0 } co
            ? $"I remain very interested in the role and would be glad to join the team at {co}."
            : "I remain very interested in the role and would be glad to join your team.";
        interest += c.DecisionDate is { } d
            ? $" I understand you expect to reach a decision by {LongDate(d.Date)}, and I look forward to hearing from you."
            : " I look forward to hearing about the next steps.";
        paragraphs.Add(interest);
        return Mail(subject, paragraphs, c.Signature, null);
    }

    public static MailDraft FollowUp(DraftContext c, string? firstName, int number, DateOnly interviewDay, string? replyTo, string? threadSubject)
    {
        var subject = threadSubject is { Length: > 0 } s
            ? (s.StartsWith("Re:", StringComparison.OrdinalIgnoreCase) ? s : "Re: " + s)
            : c.Role is { Length: > 0 } role ? $"Following up on the {role} position" : "Following up on my interview";
        var body = number switch
        {
            1 => $"I hope you are well. I am writing to follow up on my interview for {Position(c)}{AtCompany(c)} on {interviewDay.ToString("MMMM d", En)}. "
                 + "I remain very interested in the role, and I would be grateful for an update on your timeline when you have a moment.",
            2 => $"I hope your week is going well. I wanted to check in once more about {Position(c)}. "
                 + "I am still very interested, and I would appreciate hearing where things stand when you have a chance.",
            _ => "I understand that hiring decisions take time, and I do not want to crowd your inbox. "
                 + $"I wanted to send one last note to say that I remain interested in {Position(c)}{AtCompany(c)}. "
                 + "If anything changes, I would be glad to hear from you.",
        };
        return Mail(subject, [Greeting(firstName), body, "Thank you for your time."], c.Signature, replyTo);
    }

    public static MailDraft RejectionReply(DraftContext c, string? firstName, string? replyTo, string? rejectionSubject)
    {
        var subject = rejectionSubject is { Length: > 0 } s
            ? (s.StartsWith("Re:", StringComparison.OrdinalIgnoreCase) ? s : "Re: " + s)
            : "Thank you for letting me know";
        var learned = c.Company is { Length: > 0 } co ? $"learning about {co}" : "learning about your team";
        return Mail(subject,
        [
            Greeting(firstName),
            $"Thank you for letting me know, and for the time and consideration you and the team gave me. While I am disappointed, I enjoyed {learned} and meeting everyone I spoke with.",
            "I would welcome the chance to be considered for future openings. If you have a moment, I would also be grateful for any brief feedback on my interviews that could help me grow.",
            "Thank you again, and best wishes.",
        ], c.Signature, replyTo);
    }

    public static string ConnectNote(DraftContext c, string? firstName)
    {
        var hi = firstName is { Length: > 0 } ? $"Hi {firstName}, it" : "It";
        var note = $"{hi} was a pleasure to meet you during my interview for {Position(c)}{AtCompany(c)}. I would be glad to stay connected.";
        return note.Length <= ConnectNoteLimit ? note : $"{hi} was a pleasure to meet you during my interview. I would be glad to stay connected.";
    }

    public static (string Title, string Body) Reminder(StepKind kind, DraftContext c, string who, string? extra = null)
    {
        var company = c.Company is { Length: > 0 } co ? co : "the employer";
        return kind switch
        {
            StepKind.ConnectOnLinkedIn => ($"Connect with {who} on LinkedIn",
                $"Send {who} a connection request with a short note, within a day of the interview:\n\n{extra}"),
            StepKind.AlertReferences => ("Let your references know they may be contacted",
                $"{company} may contact your references soon. Tell them about {Position(c)} and what to highlight, so they are ready for the call."),
            StepKind.PrepareNextRound => ($"Prepare for the next round with {company}",
                "Review your notes from the last interview, learn about the people you will meet, and prepare your questions about the role."),
            StepKind.SendThankYou => ($"Send your thank-you notes to {who}",
                "Your thank-you drafts are waiting in your Drafts folder. Sending them within a day of the interview makes the best impression."),
            StepKind.Call => ($"Call {who} about {Position(c)}",
                $"They asked you to follow up by phone. Talking points:\n- Thank them again for the interview{extra}.\n- Say that you remain interested in the role.\n- Ask politely where they are in their process and what the next steps are.\n- Keep it brief, and thank them for their time."),
            StepKind.KeepSearching => ("Keep your job search going",
                $"You have not heard back from {company} after your follow-ups. It is time to focus on other opportunities. Good news can still arrive later, so keep your notes."),
            StepKind.AskRecommendation => ($"Ask {who} for a recommendation",
                $"{who} is connected to {company}. Right after an interview is a good time to ask whether they would be willing to put in a good word for you."),
            StepKind.AnswerOffer => ($"Respond to the offer from {company}",
                "Thank them for the offer, ask about any details you need, and tell them when they can expect your answer."),
            StepKind.BeforeInterview => ($"In the room with {company}: ask about next steps, note names",
                $"Two things to do before you leave the interview:\n- Ask what the next steps are and when they expect to decide: that date tells you when to follow up.\n- Ask each interviewer for their contact details, and check how their names are spelled ({who}), for your thank-you notes."),
            StepKind.StayInTouch => ($"Reconnect with {who} at {company}",
                "Send a short note to stay in touch: an article you wrote, or something useful for their work. Keep it to once every few months at most."),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
    }

    /// <summary>Words before the signature: the etiquette limits count these.</summary>
    public static int BodyWords(MailDraft draft, string signature)
    {
        var text = draft.BodyText;
        var cut = text.LastIndexOf("\n\nBest regards,", StringComparison.Ordinal);
        return Text.WordCount(cut >= 0 ? text[..cut] : text);
    }

    private static MailDraft Mail(string subject, IReadOnlyList<string> paragraphs, string signature, string? replyTo)
    {
        var all = paragraphs.Append("Best regards,\n" + signature).ToList();
        return new MailDraft(subject, Text.Paragraphs(all, html: true), Text.Paragraphs(all, html: false), replyTo);
    }

    /// <summary>
    /// A user's phrase inside our sentence: no trailing full stop, and "Your team's..." becomes "your team's...". Only
    /// these small words are lowered: a name ("Natarajan's team") keeps its capital.
    /// </summary>
    private static string Phrase(string note)
    {
        var p = note.Trim().TrimEnd('.', '!', ' ');
        var first = p.Split(' ', 2)[0];
        return LeadingFunctionWord().IsMatch(first) ? char.ToLowerInvariant(p[0]) + p[1..] : p;
    }

    [GeneratedRegex("^(Your|The|Our|Their|His|Her|How|What|Why|My|A|An|This|That|Its)$", RegexOptions.CultureInvariant)]
    private static partial Regex LeadingFunctionWord();

    private static string Sentence(string s)
    {
        s = s.Trim();
        s = Text.Capitalize(s);
        return EndsSentence().IsMatch(s) ? s : s + ".";
    }

    [GeneratedRegex(@"[.!?]$", RegexOptions.CultureInvariant)]
    private static partial Regex EndsSentence();
}
