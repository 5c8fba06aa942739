using System.Text.RegularExpressions;

namespace OutlookFollowUp.Engine;

/// <summary>
/// R0: is this calendar event the user's own job interview? Precision beats recall: an event that only looks like
/// one is a "maybe", and nothing is drafted for it until the user confirms.
/// </summary>
public static partial class InterviewDetector
{
    /// <summary>
    /// The evidence the rules weigh, as names a learned reader takes as features beside the text (the rules' own
    /// verdict is one of them, so a model learns how far each is to be trusted).
    /// </summary>
    public static readonly string[] Signals =
    [
        "rules:interview", "rules:maybe", "rules:not", "strong-in-subject", "strong", "weak", "service", "external-organizer",
        "external-people", "free-mail-organizer", "user-organizes", "look-alike", "interviewer-side",
    ];

    /// <summary>
    /// R0. The user's word, the product's own reminders, cancelled, all-day and declined events are decided by rule;
    /// the rest by the rules and, when the host gives one, the learned reader together: an event with any evidence is
    /// read by the model, which takes the rules' verdict and evidence as features and decides interview, maybe or not
    /// with thresholds chosen on dev. An internal meeting with no evidence at all is never read (the cost of a sweep).
    /// </summary>
    public static Detection Detect(GraphEvent e, UserProfile user, bool? userSays = null, IMailReader? reader = null,
        CancellationToken cancellationToken = default)
    {
        var (rules, signals, read) = Evidence(e, user, userSays);
        if (reader is null || !read) return rules;
        if (reader.ReadInvite(e.Id, ForReading(e), signals, cancellationToken) is not { } reading) return rules;
        // The model may promote and demote, but what the rules see as an interview it never drops below "maybe": a
        // missed interview costs the user the whole follow-up, a question costs one tap.
        var verdict = reading.Label == "interview"
            ? reading.Confident ? DetectionVerdict.Interview : DetectionVerdict.Maybe
            : rules.Verdict == DetectionVerdict.NotInterview ? DetectionVerdict.NotInterview : DetectionVerdict.Maybe;
        var said = verdict switch
        {
            DetectionVerdict.Interview => "an interview",
            DetectionVerdict.Maybe => "maybe an interview",
            _ => "not an interview",
        };
        return new(verdict, [.. rules.Reasons, $"R0: the reader reads it as {said} (p {reading.Probability:F2}; {reading.Because})"])
        {
            Probability = reading.Label == "interview" ? reading.Probability : Math.Round(1 - reading.Probability, 3),
        };
    }

    /// <summary>
    /// The rules' verdict, the evidence they weighed (names from <see cref="Signals"/>, the verdict first), and whether
    /// a learned reader is to read the event: not when a rule decides outright (the user's word, the product's own
    /// reminder, cancelled, all-day, declined) nor when there is no evidence at all. Training uses the same.
    /// </summary>
    public static (Detection Rules, IReadOnlyList<string> Signals, bool ReaderReads) Evidence(GraphEvent e, UserProfile user, bool? userSays = null)
    {
        if (userSays is bool says)
            return (new(says ? DetectionVerdict.Interview : DetectionVerdict.NotInterview,
                [says ? "R0: you marked this as an interview" : "R0: you marked this as not an interview"]), [], false);
        if (StepKeys.FromProperties(e.SingleValueExtendedProperties) is not null)
            return (Not("R0: a reminder OutlookFollowUp created"), [], false);
        if (e.IsCancelled == true) return (Not("R0: the event is cancelled"), [], false);
        if (e.IsAllDay == true) return (Not("R0: an all-day event is not an interview slot"), [], false);
        if (string.Equals(e.ResponseStatus?.Response, "declined", StringComparison.OrdinalIgnoreCase)
            || e.Attendees?.Any(a => People.SameAddress(a.EmailAddress?.Address, user.Address)
                                     && string.Equals(a.Status?.Response, "declined", StringComparison.OrdinalIgnoreCase)) == true)
            return (Not("R0: you declined it"), [], false);
        var signals = new List<string>();
        var rules = ByRules(e, user, signals);
        var any = signals.Count > 0;
        signals.Insert(0, rules.Verdict switch
        {
            DetectionVerdict.Interview => "rules:interview",
            DetectionVerdict.Maybe => "rules:maybe",
            _ => "rules:not",
        });
        return (rules, signals, any);
    }

    /// <summary>The text of an invite as a learned reader reads it: its subject and the body's first lines.</summary>
    public static string ForReading(GraphEvent e) => Text.ForReading(e.Subject, Text.Plain(e.Body, e.BodyPreview));

    private static Detection ByRules(GraphEvent e, UserProfile user, List<string> signals)
    {
        var subject = Text.ForMatching(Text.Subject(e.Subject));
        var text = subject + "\n" + Text.ForMatching(Text.Plain(e.Body, e.BodyPreview));
        var organizer = e.Organizer?.EmailAddress?.Address;
        var userOrganizes = e.IsOrganizer == true || People.SameAddress(organizer, user.Address);

        var lookAlike = NotAJobInterview().Match(text);
        var strong = StrongVocabulary().Match(text);
        var weak = WeakVocabulary().Match(text);
        var service = RecruitingService(e, text, user);
        var externalOrganizer = !userOrganizes && organizer is not null && IsExternal(organizer, user.Address)
                                && (!People.IsRobot(organizer) || People.IsRecruitingMailbox(organizer));
        var strongInSubject = StrongVocabulary().IsMatch(subject);
        // A company inviting the user is strong evidence; a personal address (a friend, a club) is not, unless the
        // subject itself names an interview.
        var external = externalOrganizer && (!People.IsFreeMail(organizer) || strongInSubject);
        var panel = InterviewerSide().Match(subject);
        var externalPeople = (e.Attendees ?? [])
            .Where(a => !People.IsRoom(a) && !People.SameAddress(a.EmailAddress?.Address, user.Address))
            .Any(a => IsExternal(a.EmailAddress?.Address, user.Address) && !People.IsRobot(a.EmailAddress?.Address)
                      && !People.IsFreeMail(a.EmailAddress?.Address));
        if (strongInSubject) signals.Add("strong-in-subject");
        if (strong.Success) signals.Add("strong");
        if (weak.Success) signals.Add("weak");
        if (service is not null) signals.Add("service");
        if (externalOrganizer) signals.Add("external-organizer");
        if (externalPeople) signals.Add("external-people");
        if (externalOrganizer && People.IsFreeMail(organizer)) signals.Add("free-mail-organizer");
        if (userOrganizes) signals.Add("user-organizes");
        if (lookAlike.Success) signals.Add("look-alike");
        if (panel.Success) signals.Add("interviewer-side");

        if (lookAlike.Success)
            return Not($"R0: \"{lookAlike.Value.Trim()}\" is not a job interview of yours");
        // "Debrief", "loop", "candidate:" mean the user interviews someone, unless an outside company sent it.
        if (!externalOrganizer && service is null && panel.Success)
            return Not($"R0: \"{panel.Value.Trim()}\": you are on the interviewing side");

        if (userOrganizes)
            return strong.Success
                ? Maybe($"R0: \"{strong.Value}\" in an event you organize; interviewers organize their own panels")
                : Not("R0: you organize it and nothing says interview");

        var reasons = new List<string>();
        if (strong.Success) reasons.Add($"R0: says \"{strong.Value}\"");
        if (service is not null) reasons.Add($"R0: scheduled through {service}");
        if (external) reasons.Add($"R0: invited by {People.Normalize(organizer)}, outside your organization");
        else if (externalPeople) reasons.Add("R0: people from outside your organization attend");
        if (weak.Success) reasons.Add($"R0: mentions \"{weak.Value}\"");

        var outside = external || externalPeople || service is not null;
        if (strong.Success && outside) return new(DetectionVerdict.Interview, reasons);
        if (service is not null && (external || externalPeople) && weak.Success) return new(DetectionVerdict.Interview, reasons);
        if (strong.Success)
            return new(DetectionVerdict.Maybe, [.. reasons, "R0: organized inside your organization: you may be the interviewer"]);
        if (service is not null || (outside && weak.Success))
            return new(DetectionVerdict.Maybe, [.. reasons, "R0: nothing says interview outright"]);
        return Not(reasons.Count > 0 ? "R0: nothing says interview" : "R0: no interview vocabulary, service or outside organizer");
    }

    private static bool IsExternal(string? address, string? userAddress)
    {
        if (string.IsNullOrWhiteSpace(address)) return false;
        if (People.IsFreeMail(userAddress)) return !People.SameAddress(address, userAddress);
        return People.Organization(address) != People.Organization(userAddress);
    }

    private static string? RecruitingService(GraphEvent e, string text, UserProfile user)
    {
        var addresses = new[] { e.Organizer?.EmailAddress?.Address }
            .Concat((e.Attendees ?? []).Select(a => a.EmailAddress?.Address));
        foreach (var a in addresses)
            if (People.IsRecruitingService(a)) return People.Organization(a);
        // A company's own recruiting mailbox (careers@, talent@...) that invites the user is the employer's scheduler.
        foreach (var a in addresses)
            if (People.IsRecruitingMailbox(a) && !People.IsFreeMail(a) && IsExternal(a, user.Address)) return People.Normalize(a);
        foreach (var domain in People.RecruitingServiceDomains)
            if (text.Contains(domain, StringComparison.Ordinal)) return domain;
        return null;
    }

    private static Detection Not(string reason) => new(DetectionVerdict.NotInterview, [reason]);

    private static Detection Maybe(string reason) => new(DetectionVerdict.Maybe, [reason]);

    // Look-alikes that are not the user's job interview (exit, press, research, mock) [000]. One alternative a line; spaces are [ ] (the pattern ignores its own).
    [GeneratedRegex(options: RegexOptions.IgnorePatternWhitespace | RegexOptions.CultureInvariant, pattern: """
        \b(
            exit[ ]interview
          | stay[ ]interview
          | press[ ]interview
          | media[ ]interview
          | podcast
          | radio[ ]interview
          | tv[ ]interview
          | television[ ]interview
          | journalist
          | user[ ]interviews?
          | customer[ ]interviews?
          | user[ ]research
          | usability[ ](?:test|session|study)
          | research[ ]participants?
          | informational[ ]interview
          | performance[ ]review
          | performance[ ]evaluation
          | appraisal
          | annual[ ]review
          | mid-?year[ ]review
          | 1:1
          | 1-on-1
          | one[- ]on[- ]one
          | skip[- ]level
          | austrittsgespräch
          | mitarbeitergespräch
          | jahresgespräch
          | entretien[ ]annuel
          | entretien[ ]de[ ]départ
          | entretien[ ]individuel
          | entrevista[ ]de[ ]salida
          | evaluación[ ]de[ ]desempeño
          | interview[ ](?:study|participants?|guide)
          | webinar
          | workshop
          | seminar
          | interview[ ]tips
          | (?:vendor|supplier|partner)[ ]interviews?
          | interview[ ](?:three[ ]|the[ ])?(?:suppliers|vendors)
          | mock[ ]interviews?
          | practice[ ]interviews?
          | career[ ](?:center|centre|fair|coaching|services|office)
          | resume[ ]review
          | cv[ ]review
          | newspaper
          | magazine
          | blog[ ]post
          | podcast[ ]episode
          | student[ ](?:project|paper)
          | documentary
          | for[ ]an[ ]article
        )\b
        """)]
    private static partial Regex NotAJobInterview();

    // The user on the interviewing side: not their own interview [000]. One alternative a line; spaces are [ ] (the pattern ignores its own).
    [GeneratedRegex(options: RegexOptions.IgnorePatternWhitespace | RegexOptions.NonBacktracking | RegexOptions.CultureInvariant, pattern: """
        \b(
            candidate\s*[:\-]
          | debrief
          | scorecard
          | hiring[ ]committee
          | interview[ ](?:loop|panel|training|calibration|prep(?:aration)?[ ]for)
          | interviewer
          | shadow(?:ing)?[ ]interview
          | interview(?:ing)?[ ](?:a[ ]|the[ ])?candidates?
          | kandidat(?:in)?\s*:
          | candidat(?:e)?\s*:
        )
        """)]
    private static partial Regex InterviewerSide();

    // How an invite says it is a job interview [000, 002]. One alternative a line; spaces are [ ] (the pattern ignores its own).
    [GeneratedRegex(options: RegexOptions.IgnorePatternWhitespace | RegexOptions.CultureInvariant, pattern: """
        \b(
            phone[ ]screen(?:ing)?
          | screening[ ]call
          | tech(?:nical)?[ ]screen
          | technical[ ]interview
          | coding[ ]interview
          | system[ ]design[ ]interview
          | on-?site[ ]interview
          | virtual[ ]on-?site
          | onsite
          | on-site
          | panel[ ]interview
          | hiring[ ]manager
          | recruiter[ ](?:call|chat|screen|conversation)
          | final[ ]round
          | final[ ]interview
          | (?:first|second|third|1st|2nd|3rd|next)[ ]round
          | round[ ](?:one|two|three|[1-5])
          | hiring[ ]team
          | hiring[ ]process
          | interview[ ]process
          | postdoc(?:toral)?[ ]position
          | talent[ ](?:partner|acquisition)
          | job[ ]opening
          | vacancy
          | meet[ ]the[ ]team
          | case[ ]interview
          | behaviou?ral[ ]interview
          | job[ ]interview
          | interviews?
          | vorstellungsgespräch
          | bewerbungsgespräch
          | kennenlerngespräch
          | entretien[ ]d'embauche
          | entretien[ ]de[ ]recrutement
          | entretien
          | entrevue
          | entrevista(?:[ ]de[ ]trabajo)?
        )\b
        """)]
    private static partial Regex StrongVocabulary();

    // Words that make an invite likely a hiring event, not sure of it [000]. One alternative a line; spaces are [ ] (the pattern ignores its own).
    [GeneratedRegex(options: RegexOptions.IgnorePatternWhitespace | RegexOptions.CultureInvariant, pattern: """
        \b(
            candidate
          | candidacy
          | position
          | role
          | application
          | opportunity
          | hiring
          | recruit(?:er|ing|ment)?
          | talent
          | career
          | bewerbung
          | stelle
          | candidature
          | poste
          | candidatura
          | puesto
          | vacante
        )\b
        """)]
    private static partial Regex WeakVocabulary();
}
