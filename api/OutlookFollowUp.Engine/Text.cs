using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace OutlookFollowUp.Engine;

internal static partial class Text
{
    /// <summary>Plain text of a Graph body: tags dropped, entities decoded, white space folded.</summary>
    public static string Plain(ItemBody? body, string? fallback = null)
    {
        var content = body?.Content ?? fallback ?? "";
        if (string.Equals(body?.ContentType, "html", StringComparison.OrdinalIgnoreCase) || content.Contains('<'))
        {
            content = BlockTags().Replace(content, "\n");
            content = Tags().Replace(content, " ");
            content = WebUtility.HtmlDecode(content);
        }
        return Spaces().Replace(content, " ").Trim();
    }

    /// <summary>Lower case with typographic quotes and dashes made plain, for pattern matching.</summary>
    public static string ForMatching(string text) =>
        text.ToLowerInvariant().Replace('\u2019', '\'').Replace('\u2018', '\'').Replace('\u2013', '-').Replace('\u2014', '-');

    public static string HtmlEncode(string text) => WebUtility.HtmlEncode(text);

    /// <summary>Words as a spell checker sees them: letters with inner apostrophes or hyphens.</summary>
    public static IEnumerable<string> Words(string text)
    {
        foreach (Match m in WordPattern().Matches(text))
            foreach (var part in m.Value.Split('-', StringSplitOptions.RemoveEmptyEntries))
                yield return part.Trim('\'');
    }

    public static int WordCount(string text) => WordPattern().Matches(text).Count;

    public static string Capitalize(string word) =>
        word.Length == 0 ? word : char.ToUpperInvariant(word[0]) + word[1..];

    public static string JoinNames(IReadOnlyList<string> names) => names.Count switch
    {
        0 => "",
        1 => names[0],
        2 => $"{names[0]} and {names[1]}",
        _ => string.Join(", ", names.Take(names.Count - 1)) + " and " + names[^1],
    };

    /// <summary>Sentence-ish pieces, so that a date is read only next to the words that give it its meaning.</summary>
    public static IEnumerable<string> Sentences(string text) =>
        SentenceBreak().Split(text).Where(s => s.Length > 0);

    public static string Paragraphs(IEnumerable<string> paragraphs, bool html)
    {
        var sb = new StringBuilder();
        foreach (var p in paragraphs)
        {
            if (html)
            {
                sb.Append("<p>");
                sb.Append(string.Join("<br>", p.Split('\n').Select(HtmlEncode)));
                sb.Append("</p>");
            }
            else
            {
                if (sb.Length > 0) sb.Append("\n\n");
                sb.Append(p);
            }
        }
        return sb.ToString();
    }

    [GeneratedRegex(@"<\s*(br|/p|/div|/li|/tr|/h[1-6])\b[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex BlockTags();

    [GeneratedRegex(@"<[^>]*>")]
    private static partial Regex Tags();

    [GeneratedRegex(@"[ \t\r\f\v\u00a0]+")]
    private static partial Regex Spaces();

    [GeneratedRegex(@"\p{L}+(?:['\u2019-]\p{L}+)*")]
    private static partial Regex WordPattern();

    [GeneratedRegex(@"(?<=[.!?;])\s+|\n+")]
    private static partial Regex SentenceBreak();
}
