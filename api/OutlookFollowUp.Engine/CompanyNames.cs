namespace OutlookFollowUp.Engine;

// The company's name as the employer writes it, read word by word (no pattern that could backtrack over hostile text).
internal static partial class Text
{
    /// <summary>Letters and digits only, lower case: "Northwind Traders" and "northwindtraders.com" meet as "northwindtraders".</summary>
    public static string Squash(string text)
    {
        var sb = new System.Text.StringBuilder(Math.Min(text.Length, MaxBodyChars));
        foreach (var ch in text.Length > MaxBodyChars ? text[..MaxBodyChars] : text)
            if (char.IsLetterOrDigit(ch)) sb.Append(char.ToLowerInvariant(ch));
        return sb.ToString();
    }

    // Words that name a team or a function, never a company.
    private static readonly HashSet<string> TeamWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "recruiting", "recruitment", "recruiter", "recruiters", "careers", "career", "talent", "acquisition", "hiring", "hr",
        "people", "jobs", "team", "teams", "staffing", "human", "resources", "ta",
    };

    private static readonly HashSet<string> NotACompany = new(StringComparer.OrdinalIgnoreCase)
    {
        "the", "our", "your", "my", "interview", "interviewing", "interviews", "engineering", "product", "design", "data", "sales",
        "marketing", "finance", "operations", "support", "security", "platform", "global", "campus", "university", "technical",
        "tech", "scheduling", "scheduler", "calendar", "no-reply", "noreply", "notifications", "team", "candidate", "candidates",
    };

    /// <summary>
    /// "Northwind Traders Recruiting", "Careers at Northwind Traders", "Dana Whitfield | Northwind Traders",
    /// "The Northwind Traders Team": the company's words, or null.
    /// </summary>
    public static string? CompanyInName(string name)
    {
        if (name.Length is 0 or > 120) return null;
        foreach (var separator in new[] { " | ", " (", " - ", " @ ", " at " })
        {
            var at = name.IndexOf(separator, StringComparison.OrdinalIgnoreCase);
            if (at <= 0) continue;
            var left = name[..at].Trim();
            var right = name[(at + separator.Length)..].Trim().TrimEnd(')').Trim();
            // "Careers at Northwind": the left names a team. "Dana Whitfield | Northwind": the left is a person.
            var leftWords = left.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (leftWords.All(w => TeamWords.Contains(w)) || leftWords.Length is 2 or 3 && leftWords.All(Capitalized))
                return CompanyWords(right.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        }
        var words = name.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
        if (words.Count > 0 && words[0].Equals("the", StringComparison.OrdinalIgnoreCase)) words.RemoveAt(0);
        var stripped = 0;
        while (words.Count > 1 && TeamWords.Contains(words[^1])) { words.RemoveAt(words.Count - 1); stripped++; }
        return stripped > 0 ? CompanyWords(words) : null;
    }

    /// <summary>A sign-off in an invite or a mail: a short line such as "The Northwind Traders Team" or "Northwind Traders Recruiting".</summary>
    public static string? CompanyInSignOff(string text)
    {
        var lines = 0;
        foreach (var raw in text.Split('\n'))
        {
            if (++lines > 400) break;
            var line = raw.Trim().TrimStart('-', '\u2013', '\u2014', ' ').TrimEnd('.', ',', '!');
            if (line.Length is < 6 or > 60) continue;
            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (!TeamWords.Contains(words[^1])) continue;
            if (CompanyInName(line) is { } company) return company;
        }
        return null;
    }

    private static bool Capitalized(string word) => word.Length > 0 && char.IsUpper(word[0]);

    private static string? CompanyWords(IReadOnlyList<string> words)
    {
        if (words.Count is 0 or > 4) return null;
        if (!words.All(w => w.Length > 0 && (char.IsUpper(w[0]) || char.IsDigit(w[0]) || w == "&"))) return null;
        if (words.All(w => NotACompany.Contains(w) || TeamWords.Contains(w))) return null;
        if (words.Any(w => w.Contains('@') || w.Contains('<') || w.Contains('>'))) return null;
        var name = string.Join(' ', words);
        return name.Count(char.IsLetter) >= 2 ? name : null;
    }
}
