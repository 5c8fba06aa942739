using System.Text.Json;
using OutlookFollowUp.Engine;
using Xunit.Abstractions;
using Published = OutlookFollowUp.Reader.Corpus;

namespace OutlookFollowUp.Tests;

/// <summary>
/// R2 on published wording: the decision date a "still in process" message states, as the product reads it
/// (<see cref="DatePhrases.ReadDecisionDate"/>, the body alone, as the engine passes it). Every published and held-out
/// in-process message carries a label in tests/corpus/dates.jsonl: the date it states for a decision or an answer,
/// read as the product's conventions read it ("next week" is that week's Friday, "within two weeks" 14 days on), as
/// if written on Tuesday 2026-03-10 (the corpus keeps no sent dates), or none. After the labels were made the date
/// rules gained three words, chosen on the train split's misses alone ("follow-up", "picked", "fill the position": 9 of
/// 13 train dates read before, 12 after); dev and the held-out set were not tuned on (dev 4 of 6 before, 5 after; the
/// held-out set's one date, in French, missed both times). Figures by split.
/// </summary>
public class StatedDateCorpusTests(ITestOutputHelper output)
{
    private static readonly string CorpusRoot = Path.Combine(Report.FindRoot(), "tests", "corpus");
    private static readonly UserCalendar Utc = new("UTC", null, null);

    private sealed record Label(string Id, DateOnly Written, DateOnly? DecisionDate, string Says);

    private static Dictionary<string, Label> Labels() => File.ReadLines(Path.Combine(CorpusRoot, "dates.jsonl"))
        .Where(l => l.Trim().Length > 0)
        .Select(l => JsonDocument.Parse(l).RootElement)
        .Select(e => new Label(e.GetProperty("id").GetString()!, DateOnly.Parse(e.GetProperty("written").GetString()!),
            e.GetProperty("decisionDate").GetString() is { } d ? DateOnly.Parse(d) : null, e.GetProperty("says").GetString() ?? ""))
        .ToDictionary(l => l.Id);

    [Fact]
    public void TheDecisionDatesStatedInPublishedStillInProcessMailAreReadAndNoneIsInvented()
    {
        var labels = Labels();
        var lines = new List<string>();
        var totals = (Stated: 0, Right: 0, Wrong: 0, Missed: 0, None: 0, Invented: 0);
        foreach (var split in new[] { "train", "dev", Published.HeldOut[0] })
        {
            var items = Published.Replies(CorpusRoot, split).Where(i => i.Label == "in-process").ToList();
            var (stated, right, wrong, missed, none, invented) = (0, 0, 0, 0, 0, 0);
            var wrongs = new List<string>();
            foreach (var item in items)
            {
                Assert.True(labels.TryGetValue(item.Id, out var label), $"{item.Id} (in-process) has no label in dates.jsonl");
                var read = DatePhrases.ReadDecisionDate(item.Body, label.Written, Utc)?.Date;
                if (label.DecisionDate is { } expected)
                {
                    stated++;
                    if (read == expected) right++;
                    else if (read is null) { missed++; wrongs.Add($"{item.Id} missed {expected:yyyy-MM-dd} ({label.Says})"); }
                    else { wrong++; wrongs.Add($"{item.Id} read {read:yyyy-MM-dd}, says {expected:yyyy-MM-dd} ({label.Says})"); }
                }
                else
                {
                    none++;
                    if (read is not null) { invented++; wrongs.Add($"{item.Id} read {read:yyyy-MM-dd}, states none ({label.Says})"); }
                }
            }
            lines.Add($"- {split}: {items.Count} in-process messages, {stated} state a date: {right} read right, {wrong} read as another date, "
                      + $"{missed} missed; {none} state none: {invented} given a date anyway" + (wrongs.Count > 0 ? "\n  - " + string.Join("\n  - ", wrongs) : ""));
            totals = (totals.Stated + stated, totals.Right + right, totals.Wrong + wrong, totals.Missed + missed, totals.None + none, totals.Invented + invented);
        }
        var text = $"R2 stated decision dates in published still-in-process mail ({totals.Stated} state one: {totals.Right} read right, "
                   + $"{totals.Wrong} another date, {totals.Missed} missed; {totals.None} state none: {totals.Invented} given one):\n" + string.Join('\n', lines);
        output.WriteLine(text);
        Report.Write("stated-dates", text);
        Assert.Equal(labels.Count, totals.Stated + totals.None); // every label names a corpus item
        // Held to what was measured when the labels were made (2026-12-04): a change to the date rules may not read fewer.
        Assert.True(totals.Right >= MeasuredRight, $"{totals.Right} stated dates read right, {MeasuredRight} before");
        Assert.True(totals.Invented <= MeasuredInvented, $"{totals.Invented} dates invented, {MeasuredInvented} before");
    }

    private const int MeasuredRight = 17, MeasuredInvented = 0;
}
