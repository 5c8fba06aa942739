using OutlookFollowUp.Reader;

namespace OutlookFollowUp.Api.Cli;

/// <summary>
/// <c>reader train [--corpus DIR] [--out FILE]</c>: trains the reply reader on the corpus's train split, chooses its
/// settings and thresholds on dev, and writes the model file (checked in at api/OutlookFollowUp.Reader/Model).
/// <c>reader score [--split dev|heldout|rules] [--corpus DIR]</c>: the product's readings against the labels, per class.
/// </summary>
public static class ReaderCommand
{
    private const string Usage = "usage: reader train [--corpus DIR] [--out FILE] | reader score [--split dev|heldout] [--rules] [--corpus DIR]";

    public static bool Handles(string[] args) => args.Length > 0 && args[0] == "reader";

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Length < 2 || args[1] is not ("train" or "score"))
        {
            stderr.WriteLine(Usage);
            return PlanCommand.BadInput;
        }
        string? corpus = null, output = null;
        var split = "dev";
        var rules = false;
        for (var i = 2; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--corpus" when value is not null: corpus = value; i++; break;
                case "--out" when value is not null && args[1] == "train": output = value; i++; break;
                case "--split" when value is "dev" or "heldout" or "train" && args[1] == "score": split = value; i++; break;
                case "--rules" when args[1] == "score": rules = true; break;
                default:
                    stderr.WriteLine(Usage);
                    return PlanCommand.BadInput;
            }
        }
        corpus ??= FindCorpus();
        if (corpus is null || !Directory.Exists(Path.Combine(corpus, "published")))
        {
            stderr.WriteLine($"no corpus at '{corpus ?? "tests/corpus"}': run from the repository, or give --corpus DIR");
            return PlanCommand.BadInput;
        }
        if (args[1] == "train")
        {
            var model = Training.TrainReplies(corpus, stderr);
            output ??= Path.Combine(Path.GetDirectoryName(corpus.TrimEnd('/'))!, "..", "api", "OutlookFollowUp.Reader", "Model", "replies.json");
            File.WriteAllText(output, model.ToJson() + "\n");
            stdout.WriteLine($"wrote {Path.GetFullPath(output)} ({model.Examples.Count} examples, corpus {model.CorpusHash[..12]})");
            return 0;
        }
        var items = Corpus.Replies(corpus, split);
        var reader = rules ? null : new MailReader(ReaderModel.Embedded("replies"));
        var title = $"{(rules ? "the pattern rules" : "the reader")} on {split}";
        stdout.Write(Scoring.Report(title, Scoring.ReadAll(items, reader)));
        if (split == "train") stdout.WriteLine("  (train is what the reader learned from: this figure is no estimate)");
        return 0;
    }

    private static string? FindCorpus()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "corpus");
            if (Directory.Exists(candidate)) return candidate;
        }
        return null;
    }
}
