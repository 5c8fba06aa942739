using System.Text.RegularExpressions;

namespace OutlookFollowUp.Engine;

/// <summary>
/// What an employer's message says about the process, and any date it gives; how likely that reading is, whether the
/// product may act on it alone (<paramref name="Sure"/>), and who read it: "rules", "model" or "you" (a correction).
/// </summary>
public sealed record ReplyReading(ReplyClass Class, string Reason, DatePhrase? Date, double Probability = 1, bool Sure = true, string ReadBy = "rules");

/// <summary>
/// R5: reads an employer's message. Auto-replies first (they never count as an answer), then rejection before
/// everything else: "we won't be extending an offer" must never read as an offer.
/// </summary>
public static partial class ReplyClassifier
{
    /// <summary>
    /// Reads one message. Certain rules first (the user's own correction, auto-reply headers and forms, an unmistakable
    /// rejection); then the learned <paramref name="reader"/> when there is one; the pattern rules without one.
    /// </summary>
    public static ReplyReading Classify(GraphMessage message, DateOnly written, UserCalendar calendar, IMailReader? reader = null, ReplyClass? corrected = null,
        CancellationToken cancellationToken = default)
    {
        var subject = Text.ForMatching(Text.Subject(message.Subject));
        var body = Text.Plain(message.Body, message.BodyPreview);
        var text = subject + "\n" + Text.ForMatching(body);

        if (corrected is { } said)
            return new(said, "you said so", DateFor(said, body, written, calendar), 1, true, "you");
        if (AutoReplyReason(message, subject, text) is { } auto)
            return new(ReplyClass.AutoReply, auto, DatePhrases.ReadReturnDate(body, written, calendar));
        if (reader is null) return ByPatterns(text, body, written, calendar);
        if (Unmistakable().Match(text) is { Success: true } no)
            return new(ReplyClass.Rejection, $"says \"{no.Value}\"", null);
        if (reader.ReadReply(message.Id, Text.ForReading(message.Subject, body), cancellationToken) is not { } reading || ClassOf(reading.Label) is not { } cls)
            return ByPatterns(text, body, written, calendar);
        var reason = $"read as {reading.Label} ({reading.Probability:P0}{(reading.Confident ? "" : ", not sure")}); {reading.Because}";
        return new(cls, reason, DateFor(cls, body, written, calendar), reading.Probability, reading.Confident, "model");
    }

    private static DatePhrase? DateFor(ReplyClass cls, string body, DateOnly written, UserCalendar calendar) => cls switch
    {
        ReplyClass.InProcess => DatePhrases.ReadDecisionDate(body, written, calendar),
        ReplyClass.AutoReply => DatePhrases.ReadReturnDate(body, written, calendar),
        _ => null,
    };

    /// <summary>A reader's label as a class; null for a label this engine does not know.</summary>
    public static ReplyClass? ClassOf(string label) => label switch
    {
        "rejection" => ReplyClass.Rejection,
        "on-hold" => ReplyClass.OnHold,
        "offer" => ReplyClass.Offer,
        "next-round" => ReplyClass.NextRound,
        "in-process" => ReplyClass.InProcess,
        "references" => ReplyClass.References,
        "auto-reply" => ReplyClass.AutoReply,
        "other" => ReplyClass.Other,
        _ => null,
    };

    /// <summary>The pattern rules' class for a reading text (<see cref="Text.ForReading"/>): a feature the learned reader weighs.</summary>
    internal static ReplyClass PatternClass(string readingText)
    {
        var text = Text.ForMatching(readingText);
        if (AutoSubject().Match(text) is { Success: true } || OutOfOfficeBody().Match(text) is { Success: true }) return ReplyClass.AutoReply;
        return ByPatterns(text, readingText, new DateOnly(2026, 3, 12), PatternCalendar).Class;
    }

    private static readonly UserCalendar PatternCalendar = new("UTC", null, null);

    /// <summary>The pattern rules alone: what the product reads with no learned reader.</summary>
    private static ReplyReading ByPatterns(string text, string body, DateOnly written, UserCalendar calendar)
    {
        if (Rejection().Match(text) is { Success: true } no)
            return new(ReplyClass.Rejection, $"says \"{no.Value}\"", null);
        if (References().Match(text) is { Success: true } refs)
            return new(ReplyClass.References, $"says \"{refs.Value}\"", null);
        if (Offer().Match(text) is { Success: true } offer)
            return new(ReplyClass.Offer, $"says \"{offer.Value}\"", null);
        if (NextRound().Match(text) is { Success: true } next)
            return new(ReplyClass.NextRound, $"says \"{next.Value}\"", null);
        var (date, decided) = DatePhrases.ReadDecisionDates(body, written, calendar);
        if (InProcess().Match(text) is { Success: true } wait)
            return new(ReplyClass.InProcess, $"says \"{wait.Value}\"", date);
        if (decided is not null)
            return new(ReplyClass.InProcess, $"gives a date: \"{decided.Phrase}\"", date);
        return new(ReplyClass.Other, "a reply the rules do not classify", null);
    }

    private static string? AutoReplyReason(GraphMessage message, string subject, string text)
    {
        foreach (var h in message.InternetMessageHeaders ?? [])
        {
            var name = (h.Name ?? "").Trim();
            var value = (h.Value ?? "").Trim();
            if (name.Equals("Auto-Submitted", StringComparison.OrdinalIgnoreCase) && !value.Equals("no", StringComparison.OrdinalIgnoreCase))
                return $"Auto-Submitted: {value}";
            if (name.Equals("X-Autoreply", StringComparison.OrdinalIgnoreCase) || name.Equals("X-Autorespond", StringComparison.OrdinalIgnoreCase))
                return name;
            if (name.Equals("Precedence", StringComparison.OrdinalIgnoreCase) && value.Equals("auto_reply", StringComparison.OrdinalIgnoreCase))
                return "Precedence: auto_reply";
        }
        if (AutoSubject().Match(subject) is { Success: true } s) return $"subject \"{s.Value}\"";
        if (OutOfOfficeBody().Match(text) is { Success: true } b) return $"says \"{b.Value}\"";
        return null;
    }

    // An automatic reply is no answer [003]: how mail systems title one. One alternative a line; spaces are [ ] (the pattern ignores its own).
    [GeneratedRegex(options: RegexOptions.IgnorePatternWhitespace | RegexOptions.CultureInvariant, pattern: """
        ^(
            automatic[ ]reply
          | auto(?:matic)?[- ]?reply
          | autoreply
          | auto:
          | out[ ]of[ ](?:the[ ])?office
          | ooo\b
          | abwesenheitsnotiz
          | automatische[ ]antwort
          | réponse[ ]automatique
          | respuesta[ ]automática
        )
        """)]
    private static partial Regex AutoSubject();

    [GeneratedRegex(@"\b(i am|i'm|i will be) (?:currently )?(?:out of (?:the )?office|away from (?:the office|my desk)|on (?:annual |parental |maternity |paternity |sick )?leave|on vacation|on holiday|travelling|traveling)\b[^.\n]*\b(until|returning|return|back on|back in|limited access)\b|\bthis is an automated (?:reply|response|message)\b", RegexOptions.NonBacktracking | RegexOptions.CultureInvariant)]
    private static partial Regex OutOfOfficeBody();

    // A rejection: a gracious reply, never another chase [001, 003, 004]. One alternative a line; spaces are [ ] (the pattern ignores its own).
    [GeneratedRegex(options: RegexOptions.IgnorePatternWhitespace | RegexOptions.CultureInvariant, pattern: """
            (decided|decision|chosen|choose|opted)[ ](?:not[ ])?to[ ](?:move|moving|go|proceed|pursue|continue)[ ](?:forward[ ])?(?:with[ ])?(?:other|another|a[ ]different|different)[ ](?:candidates?|applicants?|profiles?)
          | (?:will[ ]not|won't|not[ ]be|are[ ]not|aren't|not|unable[ ]to)[ ](?:be[ ])?(?:moving|move|progressing|progress|proceeding|proceed|going|go)[ ](?:forward|ahead)[ ]with[ ]your[ ](?:application|candidacy|profile)
          | (?:not|won't|will[ ]not)[ ]be[ ]moving[ ]forward
          | decided[ ]not[ ]to[ ](?:move|proceed|progress|continue)
          | (?:go|going|went)[ ](?:in|with)[ ]a[ ]different[ ]direction
          | (?:position|role|opening|vacancy|job)[ ](?:has[ ]been|was|is[ ]now|is)[ ](?:filled|closed)
          | filled[ ]the[ ](?:position|role)
          | regret[ ]to[ ](?:inform|let[ ]you[ ]know)
          | (?:were|was|have[ ]not[ ]been|has[ ]not[ ]been|weren't|wasn't)[ ](?:not[ ])?(?:selected|successful)
          | not[ ](?:been[ ])?selected
          | unsuccessful
          | (?:not|won't|will[ ]not)[ ]be[ ](?:extending|making|offering)[ ](?:you[ ])?(?:an[ ])?offer
          | unable[ ]to[ ]offer[ ]you
          | no[ ]longer[ ](?:being[ ])?(?:considered|under[ ]consideration)
          | not[ ](?:be[ ])?a[ ](?:good[ ])?(?:fit|match)[ ](?:for|at)[ ]this[ ]time
          | more[ ]closely[ ](?:match|aligned)
          | other[ ]candidates[ ]whose
          | haben[ ]uns[ ](?:leider[ ])?für[ ](?:eine[nr]?[ ])?andere
          | leider[ ](?:müssen|können)[ ]wir
          | (?:selected|chosen|hired|offered[ ]the[ ](?:role|position)[ ]to)[ ](?:another|a[ ]different|other|someone[ ]else)
          | (?:not|n't)[ ](?:to[ ])?(?:progress|progressing|advance|advancing)[ ](?:your[ ]application|your[ ]candidacy|you)
          | not[ ](?:the[ ])?(?:right|best)[ ](?:fit|match)
          | will[ ]not[ ]be[ ](?:proceeding|progressing)
          | (?:not|won't|will[ ]not|cannot|can't|unable[ ]to)[ ](?:be[ ])?offer(?:ing)?[ ]you[ ]the[ ](?:position|role|job)
          | (?:ended[ ]up|decided[ ]on|went[ ]with|are[ ]going[ ]with|have[ ]gone[ ]with|going[ ]with)[ ](?:someone|another|a[ ]different|other)[ ]?(?:candidate|applicant|person)?
          | (?:chose|selected|picked)[ ](?:a|another)[ ]candidate
          | nous[ ]avons[ ]le[ ]regret
          | lamentamos[ ]informarle
        """)]
    private static partial Regex Rejection();

    // The few wordings that are a rejection whatever surrounds them; the learned reader reads everything else.
    // [003, 004]. One alternative a line; spaces are [ ] (the pattern ignores its own).
    [GeneratedRegex(options: RegexOptions.IgnorePatternWhitespace | RegexOptions.CultureInvariant, pattern: """
            \b(?:we|i)[ ](?:will[ ]not|won't|are[ ]not|am[ ]not)[ ]be[ ](?:moving|progressing|proceeding)[ ](?:forward|ahead)[ ]with[ ]your[ ](?:application|candidacy)
          | \bwe[ ]have[ ]decided[ ]not[ ]to[ ](?:move|proceed|progress)[ ](?:forward[ ]|further[ ])?with[ ]your[ ](?:application|candidacy)
          | \bwe[ ](?:have[ ])?decided[ ]to[ ](?:move|proceed|go)[ ]forward[ ]with[ ](?:another|other)[ ]candidates?\b
          | \bwe[ ]regret[ ]to[ ]inform[ ]you[ ]that[ ](?:you[ ]have[ ]not[ ]been|you[ ]were[ ]not|we[ ]will[ ]not)
          | \b(?:we|i)[ ](?:will[ ]not|won't|are[ ]not|am[ ]not)[ ](?:be[ ])?(?:advancing|moving|progressing|taking)[ ]you[ ](?:forward[ ])?to[ ]the[ ]next[ ](?:round|stage|step)
          | \bwe[ ](?:have[ ])?(?:decided|chosen|opted)[ ]to[ ](?:move|proceed|go)[ ](?:forward[ ])?to[ ]the[ ]next[ ](?:round|stage|step)[ ]with[ ](?:another|other)[ ]candidates?\b
        """)]
    private static partial Regex Unmistakable();

    // They asked for references: alert them [003]. One alternative a line; spaces are [ ] (the pattern ignores its own).
    [GeneratedRegex(options: RegexOptions.IgnorePatternWhitespace | RegexOptions.CultureInvariant, pattern: """
        \b(
            references
          | reference[ ]checks?
          | referees
          | contact[ ]details[ ]for[ ](?:your[ ])?(?:two|three|\d)[ ](?:former[ ])?(?:managers|supervisors)
          | (?:previous|former|past)[ ](?:manager|supervisor|employer|colleague)s?[ ](?:of[ ]yours)?
        )\b
        """)]
    private static partial Regex References();

    // An offer [002]. One alternative a line; spaces are [ ] (the pattern ignores its own).
    [GeneratedRegex(options: RegexOptions.IgnorePatternWhitespace | RegexOptions.CultureInvariant, pattern: """
        \b(
            (?:pleased|happy|delighted|excited|thrilled|glad)[ ]to[ ](?:extend[ ]|make[ ])?(?:you[ ])?(?:an[ ]|a[ ]formal[ ]|a[ ]verbal[ ])?offer
          | like[ ]to[ ](?:extend[ ]|make[ ])?(?:you[ ])?(?:an[ ])?offer
          | (?:extend|extending)[ ](?:you[ ])?an[ ]offer
          | offer[ ]letter
          | offer[ ]of[ ]employment
          | formal[ ]offer
          | verbal[ ]offer
          | written[ ]offer
          | offer[ ](?:details|package)
        )\b
        """)]
    private static partial Regex Offer();

    // A next round: prepare for it [002]. One alternative a line; spaces are [ ] (the pattern ignores its own).
    [GeneratedRegex(options: RegexOptions.IgnorePatternWhitespace | RegexOptions.CultureInvariant, pattern: """
        \b(
            next[ ]round
          | second[ ]round
          | third[ ]round
          | final[ ]round
          | next[ ](?:interview|stage|step[ ]in[ ](?:the|our)[ ]process[ ]is)
          | (?:invite|inviting)[ ]you[ ](?:back[ ])?(?:to|for)
          | (?:schedule|set[ ]up|arrange|book)[ ](?:a[ ]|an[ ]|the[ ]|your[ ])?(?:next[ ]|second[ ]|final[ ]|follow-up[ ]|follow[ ]up[ ]|onsite[ ]|on-site[ ]|technical[ ]|panel[ ]|virtual[ ])?(?:interview|call|conversation|meeting|chat)
          | your[ ]availability
          | times[ ]that[ ]work
          | time[ ]slots?
          | (?:move|moving|advance|advancing)[ ]you[ ](?:forward|to[ ]the[ ]next)
          | like[ ]to[ ]move[ ]forward[ ]with[ ]your[ ](?:application|candidacy)
          | (?:meet|speak)[ ]with[ ](?:the[ ])?(?:team|hiring[ ]manager|our[ ]cto|our[ ]ceo|the[ ]founders?)
          | calendly\.com/
          | please[ ](?:choose|select|pick|book)[ ]a[ ](?:time|slot)
          | are[ ]you[ ](?:free|available)\b
          | bring[ ]you[ ](?:in|back)
          | (?:final|next|further|second)[ ]conversation
          | meet[ ](?:you[ ])?in[ ]person
          | (?:which|what)[ ]days?[ ](?:suits?|works?)
          | (?:second|another|follow-up|final)[ ](?:chat|call|meeting)
          | could[ ]you[ ]do[ ](?:monday|tuesday|wednesday|thursday|friday)
          | final[ ]stage
          | through[ ]to[ ]the[ ]next
          | when[ ](?:are|would)[ ]you[ ]be[ ]available
          | what[ ]times?[ ](?:works?|suits?)
        )\b
        """)]
    private static partial Regex NextRound();

    // Still deciding: wait, then follow up after the new date [003]. One alternative a line; spaces are [ ] (the pattern ignores its own).
    [GeneratedRegex(options: RegexOptions.IgnorePatternWhitespace | RegexOptions.CultureInvariant, pattern: """
        \b(
            still[ ](?:reviewing|interviewing|in[ ](?:the[ ])?process|evaluating|considering|meeting[ ]with|finali[sz]ing|working[ ]through|waiting)
          | (?:haven't|have[ ]not|hasn't|has[ ]not)[ ](?:yet[ ])?(?:made|reached)[ ](?:a[ ]|our[ ])?(?:final[ ])?decision
          | no[ ](?:final[ ])?decision[ ](?:has[ ]been[ ]made[ ])?yet
          | (?:expect|hope|plan)[ ]to[ ](?:have|make|share|give[ ]you)[ ](?:a[ ]decision|an[ ]update|news|more[ ]information|a[ ]final[ ]decision)
          | get[ ]back[ ]to[ ]you
          | (?:taking|take)[ ](?:a[ ]bit[ ]|a[ ]little[ ])?longer
          | (?:timeline|process)[ ](?:has[ ])?(?:shifted|changed|slipped|been[ ]delayed)
          | thank[ ]you[ ]for[ ]your[ ]patience
          | thanks[ ]for[ ]your[ ]patience
          | will[ ](?:be[ ]in[ ]touch|keep[ ]you[ ](?:posted|updated)|update[ ]you|let[ ]you[ ]know)
        )\b
        """)]
    private static partial Regex InProcess();
}
