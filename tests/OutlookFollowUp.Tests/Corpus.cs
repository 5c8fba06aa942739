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

    public static (UserProfile User, GraphEvent Event) EventCase(JsonElement e)
    {
        var userAddress = e.Str("user") is { Length: > 0 } u ? u : "sam.lee@outlook.com";
        var organizer = e.GetProperty("organizer");
        var attendees = e.GetProperty("attendees").EnumerateArray()
            .Select(a => new Attendee("required", new ResponseStatus("accepted", null), new EmailAddress(a[0].GetString(), a[1].GetString())))
            .ToList();
        var ev = new GraphEvent
        {
            Id = "corpus",
            Subject = e.Str("subject"),
            Body = new ItemBody("html", e.Str("body")),
            Start = new DateTimeTimeZone("2026-03-10T10:00:00.0000000", "UTC"),
            End = new DateTimeTimeZone("2026-03-10T11:00:00.0000000", "UTC"),
            Organizer = new Recipient(new EmailAddress(organizer[0].GetString(), organizer[1].GetString())),
            Attendees = attendees,
            IsOrganizer = e.Flag("isOrganizer"),
            IsAllDay = e.Flag("isAllDay"),
            IsCancelled = e.Flag("isCancelled"),
            ResponseStatus = new ResponseStatus(e.Str("response") is { Length: > 0 } r ? r : "accepted", null),
        };
        return (new UserProfile { Address = userAddress, DisplayName = "Sam Lee", TimeZone = "UTC" }, ev);
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
