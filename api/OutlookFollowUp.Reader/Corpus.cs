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

    public static List<CorpusItem> Replies(string corpusRoot, string split) => split == "heldout"
        ? Load(corpusRoot, "heldout", "replies")
        : Load(corpusRoot, "published", "replies").Where(i => Split(i.SourceKey) == split).ToList();

    private static CorpusItem Parse(string line)
    {
        var e = JsonDocument.Parse(line).RootElement;
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
