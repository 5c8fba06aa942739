using System.Text.Json;
using OutlookFollowUp.Engine;

namespace OutlookFollowUp.Tests;

/// <summary>The labeled texts in tests/corpus, and the precision and recall the rules reach on them.</summary>
internal static class Corpus
{
    public sealed record Figures(string Label, int TruePositives, int FalsePositives, int FalseNegatives)
    {
        public double Precision => TruePositives + FalsePositives == 0 ? 1 : (double)TruePositives / (TruePositives + FalsePositives);
        public double Recall => TruePositives + FalseNegatives == 0 ? 1 : (double)TruePositives / (TruePositives + FalseNegatives);
        public override string ToString() => $"{Label}: precision {Precision:P1} ({TruePositives}/{TruePositives + FalsePositives}), recall {Recall:P1} ({TruePositives}/{TruePositives + FalseNegatives})";
    }

    public static IEnumerable<JsonElement> Lines(string file) =>
        File.ReadLines(Path.Combine(AppContext.BaseDirectory, "corpus", file))
            .Where(l => l.Trim().Length > 0)
            .Select(l => JsonDocument.Parse(l).RootElement.Clone());

    public static string Str(this JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "";

    public static bool Flag(this JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.True;

    /// <summary>A corpus line as the event and mailbox owner it stands for (the reader's corpus builds it, for training and tests alike).</summary>
    public static (UserProfile User, GraphEvent Event) EventCase(JsonElement e)
    {
        var invite = OutlookFollowUp.Reader.Corpus.InviteOf(e);
        return (invite.User, invite.Event);
    }

    public static GraphMessage ReplyCase(JsonElement e) => new()
    {
        Id = "corpus",
        Subject = e.Str("subject"),
        Body = new ItemBody("text", e.Str("body")),
        From = new Recipient(new EmailAddress("Employer", "someone@fabrikam.com")),
        ReceivedDateTime = new DateTimeOffset(2026, 3, 12, 17, 0, 0, TimeSpan.Zero),
        InternetMessageHeaders = e.TryGetProperty("headers", out var h)
            ? h.EnumerateArray().Select(x => new MessageHeader(x[0].GetString(), x[1].GetString())).ToList()
            : null,
    };

    public static Figures Score(string label, IEnumerable<(string Expected, string Actual)> results)
    {
        var list = results.ToList();
        return new Figures(label,
            list.Count(r => r.Expected == label && r.Actual == label),
            list.Count(r => r.Expected != label && r.Actual == label),
            list.Count(r => r.Expected == label && r.Actual != label));
    }
}
