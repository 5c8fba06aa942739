using System.Text.Json;
using OutlookFollowUp.Engine;
using Xunit.Abstractions;
using Published = OutlookFollowUp.Reader.Corpus;

namespace OutlookFollowUp.Tests;

/// <summary>
/// R2 and R5 on published wording: the date a message states, as the product reads it (the body alone, as the engine
/// passes it). Every published and held-out "still in process" reply carries a label in tests/corpus/dates.jsonl
/// (<c>decisionDate</c>: the date it states for a decision or an answer), and every auto-reply (<c>returnDate</c>: the
/// last day away or the day back, as it says), or none. Labels are read as the product's conventions read dates
/// ("next week" is that week's Friday, "within two weeks" 14 days on, a date without a year more than two weeks past
/// is next year's), as if written on Tuesday 2026-03-10 (the corpus keeps no sent dates). After the decision labels
/// were made the date rules gained three answer words, chosen on the train split's misses alone ("follow-up",
/// "picked", "fill the position": 9 of 13 train dates read before, 12 after); dev and the held-out set were not tuned
/// on (dev 4 of 6 before, 5 after; the held-out set's one date, in French, missed both times). The return dates were
/// labelled after that, and nothing was changed for them. Figures by split.
/// </summary>
public class StatedDateCorpusTests(ITestOutputHelper output)
{
    private static readonly string CorpusRoot = Path.Combine(Report.FindRoot(), "tests", "corpus");
    private static readonly UserCalendar Utc = new("UTC", null, null);

    private sealed record Label(string Id, DateOnly Written, DateOnly? Date, string Says);

    private static Dictionary<string, Label> Labels(string field) => File.ReadLines(Path.Combine(CorpusRoot, "dates.jsonl"))
        .Where(l => l.Trim().Length > 0)
        .Select(l => JsonDocument.Parse(l).RootElement)
        .Where(e => e.TryGetProperty(field, out _))
        .Select(e => new Label(e.GetProperty("id").GetString()!, DateOnly.Parse(e.GetProperty("written").GetString()!),
            e.GetProperty(field).GetString() is { } d ? DateOnly.Parse(d) : null, e.GetProperty("says").GetString() ?? ""))
        .ToDictionary(l => l.Id);

    private sealed record Tally(int Stated, int Right, int Wrong, int Missed, int None, int Invented);

    /// <summary>Reads every item of <paramref name="label"/> in each split; writes the figures; returns the totals.</summary>
    private Tally Measure(string label, string field, Func<string, DateOnly, DateOnly?> read, string title, string figure)
    {
        var labels = Labels(field);
        var lines = new List<string>();
        var total = new Tally(0, 0, 0, 0, 0, 0);
        foreach (var split in new[] { "train", "dev", Published.HeldOut[0] })
        {
            var items = Published.Replies(CorpusRoot, split).Where(i => i.Label == label).ToList();
            var (stated, right, wrong, missed, none, invented) = (0, 0, 0, 0, 0, 0);
            var misses = new List<string>();
            foreach (var item in items)
            {
                Assert.True(labels.TryGetValue(item.Id, out var l), $"{item.Id} ({label}) has no {field} label in dates.jsonl");
                var found = read(item.Body, l.Written);
                if (l.Date is { } expected)
                {
                    stated++;
                    if (found == expected) right++;
                    else if (found is null) { missed++; misses.Add($"{item.Id} missed {expected:yyyy-MM-dd} ({l.Says})"); }
                    else { wrong++; misses.Add($"{item.Id} read {found:yyyy-MM-dd}, says {expected:yyyy-MM-dd} ({l.Says})"); }
                }
                else
                {
                    none++;
                    if (found is not null) { invented++; misses.Add($"{item.Id} read {found:yyyy-MM-dd}, states none ({l.Says})"); }
                }
            }
            lines.Add($"- {split}: {items.Count} messages, {stated} state a date: {right} read right, {wrong} read as another date, {missed} missed; "
                      + $"{none} state none: {invented} given a date anyway" + (misses.Count > 0 ? "\n  - " + string.Join("\n  - ", misses) : ""));
            total = new(total.Stated + stated, total.Right + right, total.Wrong + wrong, total.Missed + missed, total.None + none, total.Invented + invented);
        }
        var text = $"{title} ({total.Stated} state one: {total.Right} read right, {total.Wrong} another date, {total.Missed} missed; "
                   + $"{total.None} state none: {total.Invented} given one):\n" + string.Join('\n', lines);
        output.WriteLine(text);
        Report.Write(figure, text);
        Assert.Equal(labels.Count, total.Stated + total.None); // every label names a corpus item
        return total;
    }

    [Fact]
    public void TheDecisionDatesStatedInPublishedStillInProcessMailAreReadAndNoneIsInvented()
    {
        var t = Measure("in-process", "decisionDate", (body, written) => DatePhrases.ReadDecisionDate(body, written, Utc)?.Date,
            "R2 stated decision dates in published still-in-process mail", "stated-dates");
        // Held to what was measured when the labels were made (2026-12-04): a change to the date rules may not read fewer.
        Assert.True(t.Right >= 17, $"{t.Right} stated dates read right, 17 before");
        Assert.True(t.Invented == 0, $"{t.Invented} dates invented, none before");
    }

    [Fact]
    public void TheReturnDatesPublishedAutoRepliesStateAreRead()
    {
        var t = Measure("auto-reply", "returnDate", (body, written) => DatePhrases.ReadReturnDate(body, written, Utc)?.Date,
            "R5 return dates in published auto-replies", "return-dates");
        // Held to what was measured when the labels were made (2026-12-04), nothing tuned: 35 of 58, none invented.
        Assert.True(t.Right >= 35, $"{t.Right} return dates read right, 35 before");
        Assert.True(t.Invented == 0, $"{t.Invented} return dates invented, none before");
    }
}
