using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using AngleSharp.Html;
using AngleSharp.Html.Parser;
using AngleSharp.Text;

namespace OutlookFollowUp.Engine;

internal static partial class Text
{
    /// <summary>
    /// How much of a body is read at all: anything past it is left unread, before any parsing. Mail is written by
    /// anyone, and an employer's answer or an invitation says what matters in its first pages.
    /// </summary>
    public const int MaxBodyChars = 64 * 1024;

    /// <summary>How much plain text the rules read of one body or one subject-and-body.</summary>
    public const int MaxTextChars = 32 * 1024;

    /// <summary>
    /// Plain text of a Graph body: HTML (by the body's content type, never by the presence of a '&lt;') read by an HTML5
    /// parser, text kept as it is; white space folded; both bounded.
    /// </summary>
    public static string Plain(ItemBody? body, string? fallback = null)
    {
        // A plan reads one body several times (detection, rounds, dates); bodies are immutable records, so the text
        // of each is kept as long as the body itself lives.
        if (body?.Content is null) return Read(body, fallback);
        return PlainOf.GetValue(body, static b => Read(b, null));
    }

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<ItemBody, string> PlainOf = new();

    private static string Read(ItemBody? body, string? fallback)
    {
        var content = body?.Content ?? fallback ?? "";
        if (content.Length > MaxBodyChars) content = content[..MaxBodyChars];
        var html = body?.Content is not null && string.Equals(body.ContentType, "html", StringComparison.OrdinalIgnoreCase);
        var text = html ? HtmlToText(content) : content;
        return Cap(Fold(text));
    }

    /// <summary>A subject as the rules read it: at most 2,000 characters (Outlook shows 255).</summary>
    public static string Subject(string? subject) => subject is null ? "" : subject.Length > 2000 ? subject[..2000] : subject;

    /// <summary>At most <see cref="MaxTextChars"/> characters, cut where a word ends when one does nearby.</summary>
    public static string Cap(string text)
    {
        if (text.Length <= MaxTextChars) return text;
        var cut = text.LastIndexOf(' ', MaxTextChars - 1, Math.Min(200, MaxTextChars));
        return text[..(cut > 0 ? cut : MaxTextChars)];
    }

    private static readonly HashSet<string> Blocks = new(StringComparer.Ordinal)
    {
        "br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "blockquote", "pre", "hr", "section", "article",
        "header", "footer", "dd", "dt", "body",
    };

    /// <summary>
    /// The text a reader sees, with a line break where a block starts or ends. HTML5's own tokenizer (AngleSharp's)
    /// reads the markup, entities and comments as a browser does ("&lt;5 candidates" stays text), but no tree is
    /// built: a tree builder is quadratic on deep nesting and unclosed formatting tags (measured: 70 s for 256 KB of
    /// nested divs), while the tokens alone cost time in proportion to the input.
    /// </summary>
    private static string HtmlToText(string html)
    {
        using var source = new TextSource(html);
        var tokenizer = new HtmlTokenizer(source, HtmlEntityProvider.Resolver) { IsAcceptingCharacterData = true };
        var sb = new StringBuilder(Math.Min(html.Length, MaxTextChars * 2));
        string? skipping = null; // inside script or style: nothing is text until it ends
        while (sb.Length < MaxTextChars * 2)
        {
            var token = tokenizer.Get();
            switch (token.Type)
            {
                case HtmlTokenType.EndOfFile:
                    return sb.ToString();
                case HtmlTokenType.Character when skipping is null:
                    sb.Append(token.Data);
                    break;
                case HtmlTokenType.StartTag:
                    var start = token.Name.ToLowerInvariant();
                    switch (start)
                    {
                        case "script" or "style" or "template" or "noscript" or "xmp" or "iframe" or "noembed" or "noframes":
                            // The tree builder would switch the tokenizer to raw text here; without one, this does.
                            skipping = start;
                            tokenizer.State = start == "script" ? HtmlParseMode.Script : HtmlParseMode.Rawtext;
                            break;
                        case "title" or "textarea":
                            tokenizer.State = HtmlParseMode.RCData;
                            if (start == "title") skipping = start;
                            break;
                        case "plaintext":
                            tokenizer.State = HtmlParseMode.Plaintext;
                            break;
                        case "td" or "th":
                            sb.Append(' ');
                            break;
                        default:
                            if (Blocks.Contains(start)) sb.Append('\n');
                            break;
                    }
                    break;
                case HtmlTokenType.EndTag:
                    var end = token.Name.ToLowerInvariant();
                    if (end == skipping) skipping = null;
                    else if (Blocks.Contains(end)) sb.Append('\n');
                    break;
            }
        }
        return sb.ToString();
    }

    /// <summary>Runs of spaces and tabs (and non-breaking spaces) made one space; line breaks kept, one per run.</summary>
    private static string Fold(string text)
    {
        var sb = new StringBuilder(text.Length);
        var space = false;
        var newline = false;
        foreach (var c in text)
        {
            if (c == '\n')
            {
                newline = true;
                space = false;
                continue;
            }
            if (c is ' ' or '\t' or '\r' or '\f' or '\v' or '\u00a0')
            {
                space = true;
                continue;
            }
            if (sb.Length > 0)
            {
                if (newline) sb.Append('\n');
                else if (space) sb.Append(' ');
            }
            newline = space = false;
            sb.Append(c);
        }
        return sb.ToString();
    }

    /// <summary>How much of a message a learned reader is given: the verdict of a reply is in its first lines, and an
    /// encoder's cost grows with the square of its input (MiniLM: 86 ms for 800 characters, 268 ms for 1,600).</summary>
    public const int MaxReadingChars = 1000;

    /// <summary>
    /// A message as a learned reader reads it: the subject, then the fresh text (<see cref="WithoutQuoted"/>) on one
    /// line, at most <see cref="MaxReadingChars"/> characters.
    /// </summary>
    public static string ForReading(string? subject, string plain)
    {
        var sb = new StringBuilder(Math.Min(MaxReadingChars + 16, (subject?.Length ?? 0) + plain.Length + 2));
        var s = Subject(subject).Trim();
        if (s.Length > 0) sb.Append(s.Length > 200 ? s[..200] : s).Append(". ");
        var space = false;
        foreach (var c in WithoutQuoted(plain))
        {
            if (sb.Length >= MaxReadingChars) break;
            if (char.IsWhiteSpace(c)) { space = sb.Length > 0; continue; }
            if (space) sb.Append(' ');
            space = false;
            sb.Append(c);
        }
        return sb.ToString();
    }

    /// <summary>
    /// The text someone wrote in this message, without what it quotes: cut at the first reply or forward header
    /// ("On ... wrote:", "-----Original Message-----", "From: ... Sent:", their German, French and Spanish forms) or
    /// signature separator ("-- "), and without lines quoted with '&gt;'. Line by line, no pattern over the whole.
    /// </summary>
    public static string WithoutQuoted(string text)
    {
        var lines = text.Split('\n');
        var kept = new StringBuilder(text.Length);
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (StartsQuote(line, lines, i)) break;
            if (line.StartsWith('>')) continue;
            if (kept.Length > 0) kept.Append('\n');
            kept.Append(lines[i]);
        }
        return kept.ToString();
    }

    private static bool StartsQuote(string line, string[] lines, int i)
    {
        if (line is "--" or "-- " or "__" || line.StartsWith("-----Original Message", StringComparison.OrdinalIgnoreCase)
            || line.StartsWith("----- Original Message", StringComparison.OrdinalIgnoreCase)
            || line.StartsWith("---------- Forwarded message", StringComparison.OrdinalIgnoreCase)
            || line.StartsWith("Begin forwarded message", StringComparison.OrdinalIgnoreCase)
            || line.StartsWith("-----Ursprüngliche Nachricht", StringComparison.OrdinalIgnoreCase)
            || line.StartsWith("-----Message d'origine", StringComparison.OrdinalIgnoreCase)
            || line.StartsWith("-----Mensaje original", StringComparison.OrdinalIgnoreCase))
            return true;
        // "On Tue, Mar 3, 2026 at 10:00 AM Dana <dana@contoso.com> wrote:" (Gmail wraps it over two lines at times).
        var joined = i + 1 < lines.Length && line.Length < 200 ? line + " " + lines[i + 1].Trim() : line;
        foreach (var (start, word) in QuoteHeaders)
        {
            // The header ends with a colon, after the sender: "... <dana@contoso.com> wrote:", "... schrieb Dana <...>:".
            if (line.StartsWith(start, StringComparison.OrdinalIgnoreCase)
                && (Ends(line, word) || Ends(joined, word)))
                return true;
        }
        // Outlook's header block: "From: ..." with "Sent:" or "Date:" in the next lines.
        if (line.StartsWith("From:", StringComparison.OrdinalIgnoreCase) || line.StartsWith("Von:", StringComparison.OrdinalIgnoreCase)
            || line.StartsWith("De :", StringComparison.OrdinalIgnoreCase) || line.StartsWith("De:", StringComparison.OrdinalIgnoreCase))
        {
            for (var j = i + 1; j < Math.Min(lines.Length, i + 4); j++)
            {
                var next = lines[j].TrimStart();
                if (next.StartsWith("Sent:", StringComparison.OrdinalIgnoreCase) || next.StartsWith("Date:", StringComparison.OrdinalIgnoreCase)
                    || next.StartsWith("Gesendet:", StringComparison.OrdinalIgnoreCase) || next.StartsWith("Envoyé :", StringComparison.OrdinalIgnoreCase)
                    || next.StartsWith("Enviado:", StringComparison.OrdinalIgnoreCase) || next.StartsWith("Fecha:", StringComparison.OrdinalIgnoreCase))
                    return true;
            }
        }
        return false;
    }

    private static bool Ends(string line, string word) =>
        line.EndsWith(':') && line.Contains(word, StringComparison.OrdinalIgnoreCase);

    private static readonly (string Start, string Word)[] QuoteHeaders =
    [
        ("On ", " wrote"), ("Am ", " schrieb"), ("Le ", " a écrit"), ("El ", " escribió"),
    ];

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

    public static int WordCount(string text) => WordPattern().Count(text);

    public static string Capitalize(string word) =>
        word.Length == 0 ? word : char.ToUpperInvariant(word[0]) + word[1..];

    public static string JoinNames(IReadOnlyList<string> names) => names.Count switch
    {
        0 => "",
        1 => names[0],
        2 => $"{names[0]} and {names[1]}",
        _ => string.Join(", ", names.Take(names.Count - 1)) + " and " + names[^1],
    };

    /// <summary>
    /// Sentence-ish pieces, so that a date is read only next to the words that give it its meaning: a break after
    /// '.', '!', '?' or ';' followed by white space, and at every line break.
    /// </summary>
    public static IEnumerable<string> Sentences(string text)
    {
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\n' || (char.IsWhiteSpace(c) && i > 0 && text[i - 1] is '.' or '!' or '?' or ';'))
            {
                if (i > start) yield return text[start..i];
                start = i + 1;
                while (start < text.Length && char.IsWhiteSpace(text[start])) start++;
                i = start - 1;
            }
        }
        if (start < text.Length) yield return text[start..];
    }

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

    [GeneratedRegex(@"\p{L}+(?:['\u2019-]\p{L}+)*", RegexOptions.NonBacktracking | RegexOptions.CultureInvariant)]
    private static partial Regex WordPattern();
}
