using System.Text.Json;
using OutlookFollowUp.Engine;
using Xunit.Abstractions;

namespace OutlookFollowUp.Tests;

/// <summary>R0 and R5 on the labeled corpus: at least 95% precision and 90% recall, figures printed for the README.</summary>
public class CorpusTests(ITestOutputHelper output)
{
    [Fact]
    public void R0DetectionReachesNinetyFivePercentPrecisionAndNinetyPercentRecall()
    {
        var cases = Corpus.Lines("events.jsonl").ToList();
        Assert.True(cases.Count >= 60, $"the corpus holds {cases.Count} events; at least 60 are needed");
        var results = new List<(string, string)>();
        foreach (var c in cases)
        {
            var (user, ev) = Corpus.EventCase(c);
            var verdict = InterviewDetector.Detect(ev, user).Verdict;
            var actual = verdict == DetectionVerdict.Interview ? "interview" : "not";
            results.Add((c.Str("label"), actual));
            if (actual != c.Str("label")) output.WriteLine($"miss: expected {c.Str("label")}, got {verdict}: {c.Str("subject")}");
        }
        var figures = Corpus.Score("interview", results);
        output.WriteLine($"R0 on {cases.Count} events: {figures}");
        Report.Write("detection", $"R0 detection on {cases.Count} labeled events: {figures}");
        Assert.True(figures.Precision >= 0.95, figures.ToString());
        Assert.True(figures.Recall >= 0.90, figures.ToString());
    }

    [Fact]
    public void R5ReplyClassificationReachesNinetyFivePercentPrecisionAndNinetyPercentRecallForEveryClass()
    {
        var cases = Corpus.Lines("replies.jsonl").ToList();
        Assert.True(cases.Count >= 60, $"the corpus holds {cases.Count} replies; at least 60 are needed");
        var calendar = new UserCalendar("UTC", null, null);
        var results = new List<(string, string)>();
        foreach (var c in cases)
        {
            var reading = ReplyClassifier.Classify(Corpus.ReplyCase(c), new DateOnly(2026, 3, 12), calendar);
            var actual = JsonSerializer.Serialize(reading.Class).Trim('"');
            results.Add((c.Str("label"), actual));
            if (actual != c.Str("label")) output.WriteLine($"miss: expected {c.Str("label")}, got {actual} ({reading.Reason}): {c.Str("body")}");
        }
        var labels = results.Select(r => r.Item1).Distinct().Order().ToList();
        var figures = labels.Select(l => Corpus.Score(l, results)).ToList();
        var tp = figures.Sum(f => f.TruePositives);
        var overall = new Corpus.Figures("all classes (micro)", tp, figures.Sum(f => f.FalsePositives), figures.Sum(f => f.FalseNegatives));
        foreach (var f in figures.Append(overall)) output.WriteLine(f.ToString());
        Report.Write("replies", $"R5 reply classification on {cases.Count} labeled replies:\n" + string.Join('\n', figures.Append(overall).Select(f => "- " + f)));
        Assert.All(figures, f =>
        {
            Assert.True(f.Precision >= 0.95, f.ToString());
            Assert.True(f.Recall >= 0.90, f.ToString());
        });
    }

    /// <summary>
    /// When the rules misread a rejection, they must fail safe: "other" pauses every follow-up. Read as an offer, a next
    /// round, a new date or a reference request, it would prompt the user to chase or to prepare for nothing.
    /// </summary>
    [Fact]
    public void ARejectionIsNeverMistakenForSomethingThatKeepsTheProcessGoing()
    {
        var calendar = new UserCalendar("UTC", null, null);
        foreach (var c in Corpus.Lines("replies.jsonl").Where(c => c.Str("label") == "rejection"))
        {
            var reading = ReplyClassifier.Classify(Corpus.ReplyCase(c), new DateOnly(2026, 3, 12), calendar);
            Assert.True(reading.Class is ReplyClass.Rejection or ReplyClass.Other, $"{reading.Class}: {c.Str("body")}");
        }
    }
}

/// <summary>Figures the tests measure, written under artifacts/ for the README and the notes.</summary>
public static class Report
{
    public static void Write(string name, string text)
    {
        var dir = Path.Combine(FindRoot(), "artifacts", "figures");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, name + ".txt"), text + "\n");
    }

    public static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "OutlookFollowUp.sln"))) dir = dir.Parent;
        return dir?.FullName ?? AppContext.BaseDirectory;
    }
}
