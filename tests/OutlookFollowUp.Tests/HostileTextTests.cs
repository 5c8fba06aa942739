using System.Reflection;
using System.Text.RegularExpressions;
using OutlookFollowUp.Engine;

namespace OutlookFollowUp.Tests;

/// <summary>
/// Mail is written by anyone: every body the engine reads is bounded before it is parsed, HTML is read by its content
/// type with an HTML5 tokenizer, and every pattern runs in time linear in its input. What these bodies cost is reported
/// by the benchmarks (figure "hostile bodies"); these tests hold the bounds that make the cost finite.
/// </summary>
public class HostileTextTests
{
    private static readonly UserCalendar Utc = new("UTC", null, null);

    private static GraphMessage Message(string contentType, string content, string subject = "Update") => new()
    {
        Id = "m1",
        Subject = subject,
        Body = new ItemBody(contentType, content),
        From = new Recipient(new EmailAddress("Dana Whitfield", "dana@fabrikam.com")),
        ReceivedDateTime = A.Utc("2026-03-12T17:00:00Z"),
    };

    [Fact]
    public void APlainTextBodyKeepsItsAngleBracketsAndTheDateAfterThem()
    {
        var reading = ReplyClassifier.Classify(Message("text", "Thanks for your patience. We have <5 candidates left and will decide by March 27."),
            new DateOnly(2026, 3, 12), Utc);
        Assert.Equal(new DateOnly(2026, 3, 27), reading.Date?.Date);
    }

    [Fact]
    public void AnHtmlBodyIsReadAsABrowserShowsIt()
    {
        var text = Text.Plain(new ItemBody("html",
            "<html><head><title>x</title><style>p{color:red}</style></head><body><p>Hello&nbsp;Sam &amp; team</p><script>alert(1)</script>"
            + "<div>We will decide by <b>Friday</b>.</div><!-- <p>hidden</p> --></body></html>"));
        Assert.Equal("Hello Sam & team\nWe will decide by Friday.", text);
    }

    // Named here and built in the test: theory data is serialized into the test case, and ten megabytes there would
    // sit in the runner's memory for the whole run.
    private static readonly Dictionary<string, Func<string>> Hostile = new()
    {
        ["a megabyte of unclosed '<'"] = () => new string('<', 1 << 20),
        ["unclosed tags"] = () => string.Concat(Enumerable.Repeat("<a href=\"x", 100_000)),
        ["deep nesting"] = () => string.Concat(Enumerable.Repeat("<div>", 200_000)),
        ["unclosed formatting tags"] = () => string.Concat(Enumerable.Repeat("<b><i><u><s><em><font>", 40_000)),
        ["nested tables"] = () => string.Concat(Enumerable.Repeat("<table><tr><td>", 60_000)),
        ["ten megabytes of text"] = () => string.Concat(Enumerable.Repeat("we will decide by march 27 and ", 340_000)),
    };

    public static TheoryData<string> HostileBodies => new(Hostile.Keys);

    [Theory]
    [MemberData(nameof(HostileBodies))]
    public void AHostileBodyIsCutToABoundBeforeItIsReadAndStillReads(string what)
    {
        var body = Hostile[what]();
        foreach (var type in new[] { "html", "text" })
        {
            var text = Text.Plain(new ItemBody(type, body));
            Assert.True(text.Length <= Text.MaxTextChars, $"{what} as {type}: {text.Length} characters of text");
            var reading = ReplyClassifier.Classify(Message(type, body, subject: new string('<', 100_000)), new DateOnly(2026, 3, 12), Utc);
            Assert.NotNull(reading.Reason);
            var detection = InterviewDetector.Detect(new GraphEvent
            {
                Id = "e1", Subject = "Interview " + body[..Math.Min(body.Length, 300_000)], Body = new ItemBody(type, body),
                Start = new DateTimeTimeZone("2026-03-10T10:00:00", "UTC"), End = new DateTimeTimeZone("2026-03-10T11:00:00", "UTC"),
                Organizer = new Recipient(new EmailAddress("Recruiting", "recruiting@contoso.com")),
            }, new UserProfile { Address = "sam.lee@outlook.com", TimeZone = "UTC" });
            Assert.NotEmpty(detection.Reasons);
        }
    }

    private static List<(string Name, Regex Regex)> EnginePatterns()
    {
        var patterns = typeof(Planner).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic))
            .Where(m => m.ReturnType == typeof(Regex) && m.GetParameters().Length == 0 && !m.ContainsGenericParameters)
            .Select(m => (Name: m.DeclaringType!.Name + "." + m.Name, Regex: (Regex)m.Invoke(null, null)!))
            .ToList();
        Assert.True(patterns.Count >= 30, $"found {patterns.Count} patterns");
        return patterns;
    }

    // Without an unbounded quantifier (or a backreference) the backtracking engine tries a number of paths at each
    // position that depends on the pattern alone, so its time is linear in the text; a pattern with one runs on the
    // non-backtracking engine, which is linear whatever the pattern.
    [Fact]
    public void EveryPatternTheEngineRunsOverMailTakesTimeLinearInTheText()
    {
        var backtracking = 0;
        foreach (var (name, regex) in EnginePatterns())
        {
            if (regex.Options.HasFlag(RegexOptions.NonBacktracking)) continue;
            backtracking++;
            var unbounded = Unbounded(regex.ToString());
            Assert.True(unbounded is null, $"{name} can backtrack without a bound: '{unbounded}' in {regex}");
        }
        Assert.True(backtracking >= 30, $"{backtracking} patterns on the backtracking engine");
    }

    [Theory]
    [InlineData(@"\b(?:a|b)[ ]c?\d{1,3}[*+]\+\*\{2,\}", null)]
    [InlineData(@"\ba\s+b", "+")]
    [InlineData(@"a[^.]*b", "*")]
    [InlineData(@"(?:ab){2,}", "{2,}")]
    [InlineData(@"(a)\1", @"\1")]
    public void AnUnboundedQuantifierIsFoundOutsideCharacterClassesAndEscapes(string pattern, string? found) =>
        Assert.Equal(found, Unbounded(pattern));

    private static string? Unbounded(string pattern)
    {
        var backreference = Regex.Match(pattern, @"\\[1-9]|\\k<", RegexOptions.NonBacktracking);
        if (backreference.Success) return backreference.Value;
        var bare = Regex.Replace(Regex.Replace(pattern, @"\\.", "e", RegexOptions.NonBacktracking), @"\[[^\]]*\]", "c", RegexOptions.NonBacktracking);
        var quantifier = Regex.Match(bare, @"[*+]|\{[0-9]+,\}", RegexOptions.NonBacktracking);
        return quantifier.Success ? quantifier.Value : null;
    }

    // Moving a pattern off the non-backtracking engine must not change what it finds: every pattern, over every
    // published text of the corpus (as written and in lower case, as the rules read it), against its twin there.
    [Fact]
    public void EveryPatternFindsOnEveryCorpusTextWhatTheNonBacktrackingEngineFinds()
    {
        var dir = Path.Combine(AppContext.BaseDirectory, "corpus");
        var texts = Directory.EnumerateFiles(dir, "*.jsonl", SearchOption.AllDirectories)
            .SelectMany(File.ReadLines)
            .Where(l => l.Trim().Length > 0)
            .SelectMany(l => Strings(System.Text.Json.JsonDocument.Parse(l).RootElement))
            .Where(t => t.Length > 0)
            .SelectMany(t => new[] { t, t.ToLowerInvariant() })
            .Distinct()
            .ToList();
        Assert.True(texts.Count > 1000, $"{texts.Count} texts");

        var compared = 0;
        var matched = 0;
        foreach (var (name, regex) in EnginePatterns().Where(p => !p.Regex.Options.HasFlag(RegexOptions.NonBacktracking)))
        {
            var twin = new Regex(regex.ToString(), regex.Options | RegexOptions.NonBacktracking);
            foreach (var text in texts)
            {
                var mine = Describe(regex.Matches(text));
                var theirs = Describe(twin.Matches(text));
                Assert.True(mine == theirs, $"{name} on \"{text[..Math.Min(text.Length, 200)]}\": {mine} against {theirs}");
                compared++;
                if (mine.Length > 0) matched++;
            }
        }
        Assert.True(matched > 1000, $"{matched} of {compared} texts matched");

        static string Describe(MatchCollection matches) => string.Join(";", matches.Select(m =>
            string.Join(",", m.Groups.Cast<Group>().Select(g => g.Success ? $"{g.Index}+{g.Length}" : "-"))));

        static IEnumerable<string> Strings(System.Text.Json.JsonElement e) => e.ValueKind switch
        {
            System.Text.Json.JsonValueKind.String => [e.GetString()!],
            System.Text.Json.JsonValueKind.Object => e.EnumerateObject().SelectMany(p => Strings(p.Value)),
            System.Text.Json.JsonValueKind.Array => e.EnumerateArray().SelectMany(Strings),
            _ => [],
        };
    }

    [Fact]
    public void UnknownTimeZoneIdsAreRefusedAndNotRemembered()
    {
        UserCalendar.ResolveZone("Europe/Berlin", "test");
        var before = UserCalendar.CachedZones;
        for (var i = 0; i < 500; i++)
            Assert.Throws<PlanInputException>(() => UserCalendar.ResolveZone($"Nowhere/Zone{i}-{Guid.NewGuid():N}", "user.timeZone"));
        Assert.Equal(before, UserCalendar.CachedZones);

        var e = Assert.Throws<PlanInputException>(() => UserCalendar.ResolveZone(new string('x', 100_000), "user.timeZone"));
        Assert.True(e.Message.Length < 200, e.Message);
    }

    [Theory]
    [InlineData("0001-01-01T00:30:00", "Tokyo Standard Time")]
    [InlineData("9999-12-31T23:00:00", "Pacific Standard Time")]
    public void AWallClockTimeAtTheEdgeOfTheCalendarIsBadInputNotACrash(string local, string zone)
    {
        var tz = UserCalendar.ResolveZone(zone, "test");
        Assert.Throws<PlanInputException>(() => UserCalendar.ToUtc(DateTime.Parse(local, System.Globalization.CultureInfo.InvariantCulture), tz));
        Assert.Throws<PlanInputException>(() => UserCalendar.ParseGraphDateTime(new DateTimeTimeZone(local, zone), "start"));
    }

    [Theory]
    [InlineData("0001-01-01T00:30:00", "Tokyo Standard Time")]
    [InlineData("9999-12-31T23:00:00", "Pacific Standard Time")]
    [InlineData("0001-01-01T00:00:00+05:00", "UTC")]
    public void ThePlanCommandAnswersAnEventAtTheEdgeOfTheCalendarWithOneLine(string start, string zone)
    {
        var scenario = $$"""
            { "now": "2026-03-12T17:00:00Z", "user": { "address": "sam.lee@outlook.com", "timeZone": "{{zone}}" },
              "events": [ { "id": "e1", "subject": "Interview", "start": { "dateTime": "{{start}}", "timeZone": "{{zone}}" },
                            "end": { "dateTime": "{{start}}", "timeZone": "{{zone}}" } } ] }
            """;
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var status = Api.Cli.PlanCommand.Run(["plan", "-"], new StringReader(scenario), stdout, stderr);
        Assert.Equal(Api.Cli.PlanCommand.BadInput, status);
        Assert.Equal("", stdout.ToString());
        var line = Assert.Single(stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: ", line);
    }

    [Fact]
    public void APlanStopsWhenItsCallerHasGone()
    {
        using var gone = new CancellationTokenSource();
        gone.Cancel();
        var input = new PlanInput
        {
            Now = A.Utc("2026-03-12T17:00:00Z"),
            User = new UserProfile { Address = "sam.lee@outlook.com", TimeZone = "UTC" },
            Events = [new GraphEvent { Id = "e1", Subject = "Interview", Start = new DateTimeTimeZone("2026-03-10T10:00:00", "UTC"), End = new DateTimeTimeZone("2026-03-10T11:00:00", "UTC") }],
        };
        Assert.NotNull(Planner.Build(input));
        Assert.ThrowsAny<OperationCanceledException>(() => Planner.Build(input, null, gone.Token));
    }
}
