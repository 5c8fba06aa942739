using System.Text.RegularExpressions;

namespace OutlookFollowUp.Engine;

/// <summary>Who is a person worth writing to, and what to call them.</summary>
public static partial class People
{
    /// <summary>Applicant-tracking and scheduling services: they send invites, they are not interviewers.</summary>
    public static readonly IReadOnlyList<string> RecruitingServiceDomains =
    [
        "greenhouse.io", "greenhouse-mail.io", "lever.co", "hire.lever.co", "ashbyhq.com", "ashby.io", "myworkday.com",
        "myworkdayjobs.com", "workday.com", "smartrecruiters.com", "icims.com", "goodtime.io", "calendly.com",
        "workable.com", "jobvite.com", "bamboohr.com", "teamtailor.com", "recruitee.com", "personio.de", "personio.com",
        "hirevue.com", "paradox.ai", "gem.com", "modernloop.io", "breezy.hr", "jazzhr.com", "applytojob.com",
        "successfactors.com", "taleo.net", "cal.com", "doodle.com", "rippling.com", "pinpointhq.com", "comeet.co",
    ];

    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> RecruitingServices =
        new HashSet<string>(RecruitingServiceDomains, StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();

    private static readonly HashSet<string> FreeMailDomains = new(StringComparer.OrdinalIgnoreCase)
    {
        "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com", "yahoo.com", "ymail.com",
        "icloud.com", "me.com", "mac.com", "aol.com", "proton.me", "protonmail.com", "gmx.de", "gmx.net", "gmx.com",
        "web.de", "yandex.ru", "yandex.com", "mail.com", "zoho.com", "fastmail.com", "hey.com", "t-online.de",
        "orange.fr", "free.fr", "laposte.net", "wanadoo.fr", "libero.it", "qq.com", "163.com",
    };

    private static readonly HashSet<string> TwoLevelSuffixes = new(StringComparer.OrdinalIgnoreCase)
    {
        "co.uk", "org.uk", "ac.uk", "gov.uk", "com.au", "net.au", "org.au", "co.nz", "co.jp", "co.in", "com.br",
        "com.mx", "co.za", "com.sg", "com.cn", "co.kr", "com.tr", "com.ar",
    };

    public static string Normalize(string? address) => (address ?? "").Trim().ToLowerInvariant();

    public static string Domain(string? address)
    {
        var a = Normalize(address);
        var at = a.LastIndexOf('@');
        return at < 0 ? "" : a[(at + 1)..];
    }

    /// <summary>The registrable part of a domain: careers.contoso.com and contoso.com are one employer.</summary>
    public static string Organization(string? address)
    {
        var labels = Domain(address).Split('.', StringSplitOptions.RemoveEmptyEntries);
        if (labels.Length <= 2) return string.Join('.', labels);
        var lastTwo = labels[^2] + "." + labels[^1];
        return TwoLevelSuffixes.Contains(lastTwo) ? labels[^3] + "." + lastTwo : lastTwo;
    }

    public static bool IsFreeMail(string? address) => FreeMailDomains.Contains(Domain(address));

    public static bool IsRecruitingService(string? address)
    {
        // The domain or any domain above it (mail.greenhouse.io): one set lookup per label, where comparing against
        // every service built a string per service on each of the many calls a plan makes.
        ReadOnlySpan<char> domain = Domain(address);
        while (true)
        {
            if (RecruitingServices.Contains(domain)) return true;
            var dot = domain.IndexOf('.');
            if (dot < 0) return false;
            domain = domain[(dot + 1)..];
        }
    }

    /// <summary>A company's shared recruiting mailbox: not a person to thank, but a sign that the employer is writing.</summary>
    public static bool IsRecruitingMailbox(string? address)
    {
        var a = Normalize(address);
        var at = a.IndexOf('@');
        return at > 0 && RecruitingLocalPart().IsMatch(a[..at]);
    }

    [GeneratedRegex(@"^(careers?|jobs|recruiting|recruitment|recruiters?|talent|talent-acquisition|hiring|hr|people|staffing)$", RegexOptions.CultureInvariant)]
    private static partial Regex RecruitingLocalPart();

    /// <summary>No-reply senders, schedulers and other robots: never an interviewer, never a recipient.</summary>
    public static bool IsRobot(string? address)
    {
        var a = Normalize(address);
        if (a.Length == 0 || !a.Contains('@')) return true;
        if (IsRecruitingService(a)) return true;
        var local = a[..a.IndexOf('@')];
        return RobotLocalPart().IsMatch(local);
    }

    /// <summary>
    /// A robot that may write for one of these organizations: its display name or its domain carries the
    /// organization's name ("Fabrikam Careers" &lt;no-reply@greenhouse-mail.io&gt;, no-reply@fabrikam-careers.com).
    /// </summary>
    public static bool RobotNaming(EmailAddress? from, IReadOnlySet<string> organizations) =>
        IsRobot(from?.Address) && organizations.Any(o => CarriesName(from, o.Split('.')[0]));

    /// <summary>
    /// The sender's display name or domain carries this name, compared letters only: "Northwind Traders" is in
    /// "Northwind Traders Careers" and in northwindtraders-jobs.com. Too short a name says nothing (domains need four letters).
    /// </summary>
    public static bool CarriesName(EmailAddress? from, string name)
    {
        var words = Text.Squash(name);
        return words.Length >= 3 && Text.Squash(from?.Name ?? "").Contains(words, StringComparison.Ordinal)
               || words.Length >= 4 && Text.Squash(Organization(from?.Address)).StartsWith(words, StringComparison.Ordinal);
    }

    public static bool IsRoom(Attendee attendee) =>
        string.Equals(attendee.Type, "resource", StringComparison.OrdinalIgnoreCase)
        || RoomName().IsMatch(attendee.EmailAddress?.Name ?? "")
        || RoomAddress().IsMatch(Normalize(attendee.EmailAddress?.Address));

    public static bool SameAddress(string? a, string? b) => Normalize(a) == Normalize(b) && Normalize(a).Length > 0;

    private static readonly HashSet<string> NotAPerson = new(StringComparer.Ordinal)
    {
        "team", "recruiting", "recruitment", "recruiter", "recruiters", "talent", "acquisition", "careers", "career", "hiring", "hr", "people",
        "jobs", "notifications", "notification", "noreply", "no-reply", "support", "admin", "office", "department", "committee", "panel",
        "group", "scheduling", "scheduler", "calendar", "coordinator", "coordination", "staffing", "personalabteilung", "rrhh", "équipe", "equipo",
    };

    /// <summary>A display name that names a team or a role ("Recruiting Team", "Recruiter", "HR"), not a person.</summary>
    public static bool NamesARole(string? name) =>
        (name ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries).Any(w => NotAPerson.Contains(w.Trim('.', ',', ':').ToLowerInvariant()));

    /// <summary>Letters, with an inner apostrophe, hyphen or dot ("O'Neil", "Jean-Luc"): at least two letters, no markup.</summary>
    private static bool LooksLikeAName(string word) =>
        word.Length is >= 2 and <= 40 && char.IsLetter(word[0]) && char.IsLetter(word[^1]) && word.Count(char.IsLetter) >= 2
        && word.All(c => char.IsLetter(c) || c is '\'' or '\u2019' or '-' or '.');

    /// <summary>The first name for a greeting, or null when none can be told from the name or the address.</summary>
    public static string? FirstName(EmailAddress? who)
    {
        var name = (who?.Name ?? "").Trim();
        if (name.Contains('@')) name = "";
        if (name.Length > 0)
        {
            // "Smith, Dana" is how many directories write names.
            if (name.Contains(',')) name = name[(name.IndexOf(',') + 1)..].Trim();
            var words = name.Split(' ', StringSplitOptions.RemoveEmptyEntries)
                .Where(w => !Titles().IsMatch(w)).ToList();
            // A display name is written by whoever sent the invitation: "<img", "Recruiting Team" or "HR" is no one
            // to greet by name, and neither is its address ("recruiting@").
            if (NamesARole(name)) return null;
            if (words.Count > 0 && LooksLikeAName(words[0])) return words[0];
            if (words.Count > 0) return null;
        }
        var local = Normalize(who?.Address);
        var at = local.IndexOf('@');
        if (at <= 0) return null;
        var parts = local[..at].Split('.', '_', '-');
        // "dana.smith@" tells a first name; "dsmith@" does not.
        return parts.Length >= 2 && parts[0].Length >= 2 && parts[0].All(char.IsLetter) ? Text.Capitalize(parts[0]) : null;
    }

    public static string DisplayName(EmailAddress? who)
    {
        var name = (who?.Name ?? "").Trim();
        return name.Length > 0 && !name.Contains('@') ? name : FirstName(who) ?? Normalize(who?.Address);
    }

    /// <summary>A company name from a domain, when the user gave none: contoso.com becomes Contoso.</summary>
    public static string? CompanyFromDomain(string? address)
    {
        if (IsFreeMail(address) || IsRecruitingService(address)) return null;
        var org = Organization(address);
        var first = org.Split('.')[0];
        return first.Length >= 2 && first.All(char.IsLetter) ? Text.Capitalize(first) : null;
    }

    [GeneratedRegex(@"^(no-?reply|do-?not-?reply|donotreply|noreply-\w+|notifications?|mailer-daemon|postmaster|calendar|scheduling|scheduler|invites?|bounces?|automated|system|jobs|careers|talent-noreply|recruiting-noreply|hr-noreply|ats)$|no-?reply|do-?not-?reply", RegexOptions.NonBacktracking | RegexOptions.CultureInvariant)]
    private static partial Regex RobotLocalPart();

    [GeneratedRegex(@"\b(room|conference|boardroom|meeting space|huddle)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex RoomName();

    [GeneratedRegex(@"^(room|conf|confroom|mr)[-_.]", RegexOptions.CultureInvariant)]
    private static partial Regex RoomAddress();

    [GeneratedRegex(@"^(mr|mrs|ms|mx|dr|prof)\.?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Titles();
}

/// <summary>How a message names the messages it answers, bounded as the engine reads it.</summary>
public static class Threads
{
    /// <summary>The Message-IDs of its In-Reply-To and References headers, lower-case, without brackets (at most 100).</summary>
    public static IReadOnlyList<string> Answers(GraphMessage m)
    {
        string? Header(string name) => m.InternetMessageHeaders?.FirstOrDefault(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase))?.Value;
        return PlanBuilder.MessageIds(Header("In-Reply-To")).Concat(PlanBuilder.MessageIds(Header("References"))).Distinct().ToList();
    }

    /// <summary>Its own Message-ID as <see cref="Answers"/> gives others'.</summary>
    public static string? Id(GraphMessage m) => PlanBuilder.MessageIds(m.InternetMessageId) is [var id, ..] ? id : null;
}
