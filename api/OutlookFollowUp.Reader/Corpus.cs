using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace OutlookFollowUp.Reader;

/// <summary>One item of the published corpus (tests/corpus/README.md).</summary>
public sealed record CorpusItem(string Id, string Label, string Kind, string Lang, string Subject, string Body, string Source, string SourceKey)
{
    /// <summary>The text a reader reads, as the engine gives it for a live message.</summary>
    public string Text => Engine.Text.ForReading(Subject, Body);
}

/// <summary>An invite of the corpus: the item, the event it stands for, and whose mailbox it is in.</summary>
public sealed record InviteItem(CorpusItem Item, Engine.GraphEvent Event, Engine.UserProfile User)
{
    private (Engine.Detection Rules, IReadOnlyList<string> Signals, bool ReaderReads)? _evidence;
    private (Engine.Detection Rules, IReadOnlyList<string> Signals, bool ReaderReads) Evidence => _evidence ??= Engine.InterviewDetector.Evidence(Event, User);

    public string Id => Item.Id;
    public string Label => Item.Label;
    public string Text => Engine.InterviewDetector.ForReading(Event);
    public IReadOnlyList<string> Signals => Evidence.Signals;
    /// <summary>The rules' verdict, which the detection keeps for an invite the reader does not read.</summary>
    public Engine.Detection Rules => Evidence.Rules;
    public bool ReaderReads => Evidence.ReaderReads;
}

/// <summary>The published corpus: replies and invites, split train/dev by source, and the held-out set.</summary>
public static class Corpus
{
    public static readonly string[] ReplyLabels = ["rejection", "on-hold", "offer", "next-round", "in-process", "references", "auto-reply", "other"];

    /// <summary>Train or dev, by the source family alone (the first byte of the key's SHA-256, one in four to dev).</summary>
    public static string Split(string sourceKey) => SHA256.HashData(Encoding.UTF8.GetBytes(sourceKey))[0] % 4 == 0 ? "dev" : "train";

    /// <summary>Every item of <paramref name="folder"/> whose file name starts with <paramref name="prefix"/>, in file order.</summary>
    public static List<CorpusItem> Load(string corpusRoot, string folder, string prefix) =>
        Directory.GetFiles(Path.Combine(corpusRoot, folder), prefix + "*.jsonl").Order(StringComparer.Ordinal)
            .SelectMany(File.ReadLines).Where(l => l.Trim().Length > 0).Select(Parse).ToList();

    /// <summary>
    /// The held-out set: a folder of its own with sources used nowhere else, collected before the model it scores was
    /// trained, and scored once before anything was chosen on it. The four sets before it, each scored once with the
    /// model of its day, were then added to the published corpus (published/*-h1 to *-h4) for training and dev.
    /// </summary>
    public static readonly string[] HeldOut = ["heldout5"];

    public static List<CorpusItem> Replies(string corpusRoot, string split) => HeldOut.Contains(split)
        ? Load(corpusRoot, split, "replies")
        : Load(corpusRoot, "published", "replies").Where(i => Split(i.SourceKey) == split).ToList();

    /// <summary>The published invites of a split (or the held-out ones), each with the event and mailbox owner it stands for.</summary>
    public static List<InviteItem> Invites(string corpusRoot, string split)
    {
        var heldOut = HeldOut.Contains(split);
        var files = Directory.GetFiles(Path.Combine(corpusRoot, heldOut ? split : "published"), "invites*.jsonl");
        return files.Order(StringComparer.Ordinal).SelectMany(File.ReadLines).Where(l => l.Trim().Length > 0)
            .Select(l => InviteOf(JsonDocument.Parse(l).RootElement)).Where(x => heldOut || Split(x.Item.SourceKey) == split).ToList();
    }

    /// <summary>An invite of the corpus as the calendar event a mailbox would hold (the organizer, attendees, flags it records).</summary>
    public static InviteItem InviteOf(CorpusItem item, JsonElement e)
    {
        string S(string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "";
        bool Flag(string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.True;
        var userAddress = S("user") is { Length: > 0 } u ? u : "sam.lee@outlook.com";
        Engine.Recipient? organizer = e.TryGetProperty("organizer", out var o) && o.ValueKind == JsonValueKind.Array && o.GetArrayLength() == 2
            ? new Engine.Recipient(new Engine.EmailAddress(o[0].GetString(), o[1].GetString()))
            : null;
        var attendees = e.TryGetProperty("attendees", out var a) && a.ValueKind == JsonValueKind.Array
            ? a.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.Array && x.GetArrayLength() == 2)
                .Select(x => new Engine.Attendee("required", new Engine.ResponseStatus("accepted", null), new Engine.EmailAddress(x[0].GetString(), x[1].GetString())))
                .ToList()
            : [];
        var ev = new Engine.GraphEvent
        {
            Id = item.Id,
            Subject = item.Subject,
            Body = new Engine.ItemBody("html", item.Body),
            Start = new Engine.DateTimeTimeZone("2026-03-10T10:00:00.0000000", "UTC"),
            End = new Engine.DateTimeTimeZone("2026-03-10T11:00:00.0000000", "UTC"),
            Organizer = organizer,
            Attendees = attendees,
            IsOrganizer = Flag("isOrganizer"),
            IsAllDay = Flag("isAllDay"),
            IsCancelled = Flag("isCancelled"),
            ResponseStatus = new Engine.ResponseStatus(S("response") is { Length: > 0 } r ? r : "accepted", null),
        };
        return new InviteItem(item, ev, new Engine.UserProfile { Address = userAddress, DisplayName = "Sam Lee", TimeZone = "UTC" });
    }

    /// <summary>Any corpus line as an invite (the kept corpus's events too, which have no id or source).</summary>
    public static InviteItem InviteOf(JsonElement e) => InviteOf(ItemOf(e), e);

    private static CorpusItem Parse(string line) => ItemOf(JsonDocument.Parse(line).RootElement);

    private static CorpusItem ItemOf(JsonElement e)
    {
        string S(string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "";
        return new CorpusItem(S("id"), S("label"), S("kind"), S("lang"), S("subject"), S("body"), S("source"), S("sourceKey"));
    }

    /// <summary>The hash a model records of the items it was trained on.</summary>
    public static string Hash(IEnumerable<CorpusItem> items)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var i in items)
            sha.AppendData(Encoding.UTF8.GetBytes($"{i.Id}\u0001{i.Label}\u0001{i.Text}\u0002"));
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }
}
