using System.Text.Json;
using OutlookFollowUp.Engine;
using Xunit.Abstractions;

namespace OutlookFollowUp.Tests;

/// <summary>
/// The corpus of published wording (tests/corpus/published, tests/corpus/heldout5; see tests/corpus/README.md): well
/// formed, its splits kept apart by source, and the current rules measured on it. The held-out set is not read here:
/// it is scored once, by the reader that issue 12 trains.
/// </summary>
public class PublishedCorpusTests(ITestOutputHelper output)
{
    private static readonly string[] ReplyLabels = OutlookFollowUp.Reader.Corpus.ReplyLabels;

    internal static List<JsonElement> Items(string folder, string prefix) =>
        Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "corpus", folder), prefix + "*.jsonl").Order()
            .SelectMany(f => File.ReadLines(f).Where(l => l.Trim().Length > 0).Select(l => JsonDocument.Parse(l).RootElement.Clone()))
            .ToList();

    /// <summary>Train or dev, by the source family alone: no site or repository lends wording to both.</summary>
    internal static string Split(string sourceKey) => OutlookFollowUp.Reader.Corpus.Split(sourceKey);

    [Fact]
    public void EveryItemHasItsSourceAndLabelAndNoSourceCrossesTheSplits()
    {
        var replies = Items("published", "replies");
        var invites = Items("published", "invites");
        var heldOut = Items(OutlookFollowUp.Reader.Corpus.HeldOut[0], "");
        // Issue 12's sizes: 600 employer messages and 400 invites to learn from, 60 replies and 40 invites held out.
        Assert.True(replies.Count >= 600 && invites.Count >= 400, $"{replies.Count} replies, {invites.Count} invites");
        Assert.True(heldOut.Count(i => !i.TryGetProperty("organizer", out _)) >= 60 && heldOut.Count(i => i.TryGetProperty("organizer", out _)) >= 40,
            $"{heldOut.Count} held out");
        foreach (var item in replies.Concat(invites).Concat(heldOut))
        {
            var id = item.Str("id");
            Assert.False(string.IsNullOrWhiteSpace(item.Str("source")), id);
            Assert.False(string.IsNullOrWhiteSpace(item.Str("sourceKey")), id);
            Assert.False(string.IsNullOrWhiteSpace(item.Str("body")), id);
            Assert.Contains(item.Str("lang"), new[] { "en", "de", "fr", "es", "it", "nl", "pt", "id", "th", "ja", "ar", "ru", "uk" });
            if (item.TryGetProperty("organizer", out _)) Assert.Contains(item.Str("label"), new[] { "interview", "not" });
            else Assert.Contains(item.Str("label"), ReplyLabels);
            if (item.Str("datePhrase") is { Length: > 0 } phrase) Assert.Contains(phrase, item.Str("body"));
        }
        var all = replies.Concat(invites).Concat(heldOut).ToList();
        Assert.Equal(all.Count, all.Select(i => i.Str("id")).Distinct().Count());
        Assert.Equal(all.Count, all.Select(i => i.Str("body").Trim()).Distinct().Count());
        // The held-out set's sources are used nowhere else: not for training, not for dev.
        var held = heldOut.Select(i => i.Str("sourceKey")).ToHashSet();
        Assert.Empty(replies.Concat(invites).Where(i => held.Contains(i.Str("sourceKey"))).Select(i => i.Str("id")));

        var lines = new List<string>();
        foreach (var (name, set) in new[] { ("replies", replies), ("invites", invites) })
        {
            var bySplit = set.GroupBy(i => Split(i.Str("sourceKey"))).ToDictionary(g => g.Key, g => g.ToList());
            Assert.True(bySplit.ContainsKey("train") && bySplit.ContainsKey("dev"), name);
            foreach (var (split, items) in bySplit.OrderBy(kv => kv.Key))
                lines.Add($"- {name}, {split}: {items.Count} items from {items.Select(i => i.Str("sourceKey")).Distinct().Count()} sources ("
                          + string.Join(", ", items.GroupBy(i => i.Str("label")).OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Count()}")) + ")");
        }
        lines.Add($"- held out: {heldOut.Count} items from {held.Count} sources");
        foreach (var l in lines) output.WriteLine(l);
        Report.Write("corpus", "The published corpus:\n" + string.Join('\n', lines));
    }

    [Fact]
    public void TheRulesAreMeasuredOnWordingNobodyHereWrote()
    {
        var calendar = new UserCalendar("UTC", null, null);
        var lines = new List<string>();
        // Dev only: the train split is for the reader to learn from, so a figure on it would not be an estimate.
        foreach (var split in new[] { "dev" })
        {
            var replies = Items("published", "replies").Where(i => Split(i.Str("sourceKey")) == split).ToList();
            var readings = replies.Select(c =>
            {
                var message = Corpus.ReplyCase(c);
                if (c.TryGetProperty("from", out var from) && from.ValueKind == JsonValueKind.Array && from.GetArrayLength() == 2)
                    message = message with { From = new Recipient(new EmailAddress(from[0].GetString(), from[1].GetString())) };
                var actual = JsonSerializer.Serialize(ReplyClassifier.Classify(message, new DateOnly(2026, 3, 12), calendar).Class).Trim('"');
                return (Expected: c.Str("label"), Actual: actual);
            }).ToList();
            var correct = readings.Count(r => r.Expected == r.Actual);
            lines.Add($"Replies, {split} ({replies.Count}): {(double)correct / replies.Count:P0} read right");
            lines.AddRange(ReplyLabels.Select(l => "- " + Corpus.Score(l, readings)));
            lines.Add("- confusion (expected -> read as): " + string.Join("; ", readings.Where(r => r.Expected != r.Actual)
                .GroupBy(r => $"{r.Expected} -> {r.Actual}").OrderByDescending(g => g.Count()).Select(g => $"{g.Key} {g.Count()}")));

            var invites = Items("published", "invites").Where(i => Split(i.Str("sourceKey")) == split).ToList();
            var detected = invites.Select(c =>
            {
                var (user, ev) = Corpus.EventCase(c);
                return (Expected: c.Str("label"), Actual: InterviewDetector.Detect(ev, user).Verdict == DetectionVerdict.Interview ? "interview" : "not");
            }).ToList();
            lines.Add($"Invites, {split} ({invites.Count}): detection {Corpus.Score("interview", detected)}");
            Assert.NotEmpty(readings);
            Assert.NotEmpty(detected);
        }
        foreach (var l in lines) output.WriteLine(l);
        Report.Write("published-corpus", "The rules on the published corpus's dev split (measured, not tuned on; the held-out set is not read):\n" + string.Join('\n', lines));
    }
}
