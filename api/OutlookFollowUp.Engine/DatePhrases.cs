using System.Globalization;
using System.Text.RegularExpressions;

namespace OutlookFollowUp.Engine;

/// <summary>A date read from what someone wrote, with the words that gave it.</summary>
public sealed record DatePhrase(DateOnly Date, string Phrase);

/// <summary>
/// Reads "by Friday", "within two weeks", "next week", "by March 3", "in 5 business days" and their kin, relative to
/// the date the text was written in the user's zone. Only sentences that speak of a decision (or, for an
/// out-of-office, of a return) are read, so a date given for something else is not mistaken for one.
/// </summary>
public static partial class DatePhrases
{
    /// <summary>The latest decision date the text states, or null.</summary>
    public static DatePhrase? ReadDecisionDate(string text, DateOnly written, UserCalendar calendar) =>
        ReadDecisionDates(text, written, calendar).Any;

    /// <summary>
    /// The latest decision date the text states, and the latest of those in sentences with a decision word (not an
    /// answer word alone): the second is what the pattern rules take as a sign of mail still in process. The answer
    /// words came later (2026-12-04); the learned reader weighs the rules' class as it was trained, so that class does
    /// not move with them. One pass over the text for both.
    /// </summary>
    internal static (DatePhrase? Any, DatePhrase? ByDecisionWords) ReadDecisionDates(string text, DateOnly written, UserCalendar calendar) =>
        Read(text, written, calendar, DecisionContext(), AnswerContext());

    /// <summary>The date an out-of-office says its writer is back, or null.</summary>
    public static DatePhrase? ReadReturnDate(string text, DateOnly written, UserCalendar calendar) =>
        Read(text, written, calendar, ReturnContext()).Any;

    /// <summary>The latest date in sentences that <paramref name="context"/> or <paramref name="alsoContext"/> matches, and the latest in those <paramref name="context"/> matches.</summary>
    private static (DatePhrase? Any, DatePhrase? ByContext) Read(string text, DateOnly written, UserCalendar calendar, Regex context, Regex? alsoContext = null)
    {
        DatePhrase? any = null, byContext = null;
        foreach (var sentence in Text.Sentences(Text.ForMatching(text)))
        {
            var first = context.IsMatch(sentence);
            if (!first && alsoContext?.IsMatch(sentence) != true) continue;
            foreach (var found in Phrases(sentence, written, calendar))
            {
                if (any is null || found.Date > any.Date) any = found;
                if (first && (byContext is null || found.Date > byContext.Date)) byContext = found;
            }
        }
        return (any, byContext);
    }

    internal static IEnumerable<DatePhrase> Phrases(string s, DateOnly w, UserCalendar cal)
    {
        foreach (Match m in BusinessDays().Matches(s))
            if (Number(m.Groups["n"].Value) is int n and > 0 and < 100)
                yield return new(cal.AddBusinessDays(w, n), m.Value);
        foreach (Match m in DayRange().Matches(s))
            if (Number(m.Groups["b"].Value) is int n and > 0 and < 100)
                yield return new(w.AddDays(n), m.Value);
        foreach (Match m in Days().Matches(s))
            if (Number(m.Groups["n"].Value) is int n and > 0 and < 100)
                yield return new(w.AddDays(n), m.Value);
        foreach (Match m in FewDays().Matches(s))
            yield return new(cal.AddBusinessDays(w, m.Groups["k"].Value.StartsWith("couple") ? 2 : 3), m.Value);
        foreach (Match m in Hours().Matches(s))
            if (int.TryParse(m.Groups["n"].Value, out var h) && h is > 0 and <= 168)
                yield return new(w.AddDays((h + 23) / 24), m.Value);
        foreach (Match m in Weeks().Matches(s))
            if (Number(m.Groups["n"].Value) is int n and > 0 and < 27)
                yield return new(w.AddDays(7 * n), m.Value);
        foreach (Match m in EndOfMonth().Matches(s))
        {
            var month = new DateOnly(w.Year, w.Month, 1).AddMonths(m.Groups["next"].Success ? 2 : 1).AddDays(-1);
            yield return new(month, m.Value);
        }
        foreach (Match m in EndOfWeek().Matches(s))
            yield return new(FridayOfWeek(w, m.Groups["next"].Success ? 1 : 0), m.Value);
        foreach (Match m in EarlyNextWeek().Matches(s))
            yield return new(MondayOfWeek(w).AddDays(8), m.Value);
        foreach (Match m in PlainNextWeek().Matches(s))
        {
            // "early next week", "the end of next week" and their kin are read above.
            var before = s.AsSpan(0, m.Index);
            if (before.EndsWith("early ", StringComparison.Ordinal) || before.EndsWith("of ", StringComparison.Ordinal)) continue;
            yield return new(FridayOfWeek(w, 1), m.Value);
        }
        foreach (Match m in Tomorrow().Matches(s))
            yield return new(w.AddDays(1), m.Value);
        foreach (Match m in Weekday().Matches(s))
        {
            // "by Friday, March 27" is read as the date it names, below.
            var after = s.Substring(m.Index + m.Length, Math.Min(16, s.Length - m.Index - m.Length));
            if (MonthAfterWeekday().IsMatch(after)) continue;
            var day = Enum.Parse<DayOfWeek>(m.Groups["d"].Value, ignoreCase: true);
            var date = w.AddDays(1);
            while (date.DayOfWeek != day) date = date.AddDays(1);
            // "next Friday" said early in a week means the Friday of the week after; taking the later reading
            // never makes a follow-up early.
            if (m.Groups["next"].Success && MondayOfWeek(date) == MondayOfWeek(w)) date = date.AddDays(7);
            yield return new(date, m.Value);
        }
        foreach (Match m in MonthDay().Matches(s))
            if (ExplicitDate(m.Groups["m"].Value, m.Groups["d"].Value, m.Groups["y"].Value, w) is { } date)
                yield return new(date, m.Value);
        foreach (Match m in DayMonth().Matches(s))
            if (ExplicitDate(m.Groups["m"].Value, m.Groups["d"].Value, m.Groups["y"].Value, w) is { } date)
                yield return new(date, m.Value);
        foreach (Match m in IsoDate().Matches(s))
            if (DateOnly.TryParseExact(m.Value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var iso))
                yield return new(iso, m.Value);
    }

    private static DateOnly MondayOfWeek(DateOnly d) => d.AddDays(-(((int)d.DayOfWeek + 6) % 7));

    private static DateOnly FridayOfWeek(DateOnly d, int weeksAhead)
    {
        var friday = MondayOfWeek(d).AddDays(4 + 7 * weeksAhead);
        // Said on a Saturday, "the end of the week" is the coming one.
        return friday < d ? friday.AddDays(7) : friday;
    }

    private static DateOnly? ExplicitDate(string monthText, string dayText, string yearText, DateOnly written)
    {
        var month = Array.FindIndex(MonthNames, n => monthText.StartsWith(n, StringComparison.Ordinal)) + 1;
        if (month == 0 || !int.TryParse(dayText, out var day)) return null;
        var year = int.TryParse(yearText, out var y) ? y : written.Year;
        if (day < 1 || day > DateTime.DaysInMonth(year, month)) return null;
        var date = new DateOnly(year, month, day);
        // Without a year, a date well before the writing date is next year's ("by January 5" written in December).
        if (yearText.Length == 0 && date < written.AddDays(-14)) date = date.AddYears(1);
        return date;
    }

    private static readonly string[] MonthNames =
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

    private static int? Number(string word) => word switch
    {
        "a" or "an" or "one" => 1,
        "two" or "a couple of" or "a couple" or "couple of" => 2,
        "three" or "a few" => 3,
        "four" => 4,
        "five" => 5,
        "six" => 6,
        "seven" => 7,
        "eight" => 8,
        "nine" => 9,
        "ten" => 10,
        _ => int.TryParse(word, out var n) ? n : null,
    };

    private const string Count = @"(?<n>\d{1,2}|an?|one|two|three|four|five|six|seven|eight|nine|ten|a couple(?: of)?|couple of|a few)";
    private const string Months = "(?<m>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)";

    // Words near a date that make it the decision date [000, 003]. One alternative a line; spaces are [ ] (the pattern ignores its own).
    [GeneratedRegex(options: RegexOptions.IgnorePatternWhitespace | RegexOptions.CultureInvariant, pattern: """
        \b(
            decision
          | decide
          | decided
          | hear[ ](?:back|from)
          | get[ ]back[ ]to
          | update
          | let[ ]you[ ]know
          | be[ ]in[ ]touch
          | reach[ ]out
          | respond
          | response
          | feedback
          | next[ ]steps?
          | timeline
          | outcome
          | come[ ]back[ ]to
          | contact[ ]you
          | wrap[ ]up
          | finali[sz]e
          | conclude
          | back[ ]to[ ]you
          | know[ ]more
        )\b
        """)]
    private static partial Regex DecisionContext();

    // Words near a date that make it the date of an answer, though no decision word is there ("you can expect a
    // follow-up by the end of next week", "will have picked an applicant to fill the position on June 30"): chosen on
    // the train split of tests/corpus/dates.jsonl.
    [GeneratedRegex(@"\b(?:follow[- ]?up|picked|fill the (?:position|role|vacancy))\b", RegexOptions.CultureInvariant)]
    private static partial Regex AnswerContext();

    [GeneratedRegex(@"\b(return(?:ing)?|back|until|till|away|out of (?:the )?office|leave|reachable)\b", RegexOptions.CultureInvariant)]
    private static partial Regex ReturnContext();

    [GeneratedRegex(@"\b(?:within|in|after)(?: the next)? " + Count + @" (?:business|working) days?\b", RegexOptions.CultureInvariant)]
    private static partial Regex BusinessDays();

    [GeneratedRegex(@"\b(?<a>\d{1,2}) ?(?:-|to) ?(?<b>\d{1,2}) (?:calendar )?days\b", RegexOptions.CultureInvariant)]
    private static partial Regex DayRange();

    [GeneratedRegex(@"\b(?:within|in|after)(?: the next)? " + Count + @" (?:calendar )?days?\b", RegexOptions.CultureInvariant)]
    private static partial Regex Days();

    [GeneratedRegex(@"\b(?:within|in|after)(?: the next)? (?<k>a few|a couple of|couple of|a couple) days\b", RegexOptions.CultureInvariant)]
    private static partial Regex FewDays();

    [GeneratedRegex(@"\b(?:within|in)(?: the next)? (?<n>\d{1,3}) hours\b", RegexOptions.CultureInvariant)]
    private static partial Regex Hours();

    [GeneratedRegex(@"\b(?:within|in|after)(?: the next)? " + Count + @" weeks?\b", RegexOptions.CultureInvariant)]
    private static partial Regex Weeks();

    [GeneratedRegex(@"\b(?:by |before |at )?(?:the )?end of (?:the |this )?(?<next>next )?month\b", RegexOptions.CultureInvariant)]
    private static partial Regex EndOfMonth();

    [GeneratedRegex(@"\b(?:by |before |at )?(?:the )?end of (?:the |this )?(?<next>next )?week\b|\blater this week\b|\bthis week\b", RegexOptions.CultureInvariant)]
    private static partial Regex EndOfWeek();

    [GeneratedRegex(@"\bearly next week\b|\bbeginning of next week\b|\bstart of next week\b", RegexOptions.CultureInvariant)]
    private static partial Regex EarlyNextWeek();

    [GeneratedRegex(@"\bnext week\b", RegexOptions.CultureInvariant)]
    private static partial Regex PlainNextWeek();

    [GeneratedRegex(@"\btomorrow\b", RegexOptions.CultureInvariant)]
    private static partial Regex Tomorrow();

    [GeneratedRegex(@"\b(?:by|on|before|until|till|this|next|early|late|end of)\s+(?<next>next\s+)?(?<d>monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b", RegexOptions.NonBacktracking | RegexOptions.CultureInvariant)]
    private static partial Regex Weekday();

    [GeneratedRegex(@"^,? +" + Months, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant)]
    private static partial Regex MonthAfterWeekday();

    [GeneratedRegex(@"\b" + Months + @"\.? (?<d>\d{1,2})(?:st|nd|rd|th)?\b(?:,? (?<y>20\d\d))?", RegexOptions.CultureInvariant)]
    private static partial Regex MonthDay();

    [GeneratedRegex(@"\b(?<d>\d{1,2})(?:st|nd|rd|th)?(?: of)? " + Months + @"\b\.?(?:,? (?<y>20\d\d))?", RegexOptions.CultureInvariant)]
    private static partial Regex DayMonth();

    [GeneratedRegex(@"\b20\d\d-\d\d-\d\d\b", RegexOptions.CultureInvariant)]
    private static partial Regex IsoDate();
}
