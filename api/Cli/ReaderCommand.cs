using OutlookFollowUp.Reader;

namespace OutlookFollowUp.Api.Cli;

/// <summary>
/// <c>reader train [--invites] [--corpus DIR] [--out FILE]</c>: trains the reply (or invite) reader on the corpus's train split, chooses its
/// settings and thresholds on dev, and writes the model file (checked in at api/OutlookFollowUp.Reader/Model).
/// <c>reader score [--invites] [--split dev|heldout5] [--rules] [--corpus DIR]</c>: the product's readings against the labels, per class.
/// </summary>
public static class ReaderCommand
{
    private static readonly string Usage =
        $"usage: reader train [--invites] [--corpus DIR] [--out FILE] | reader score [--invites] [--split dev|{string.Join('|', Corpus.HeldOut)}] [--rules] [--corpus DIR]";

    public static bool Handles(string[] args) => args.Length > 0 && args[0] == "reader";

    /// <param name="environment">Reads <c>Reader__LanguageModel__Endpoint</c>, <c>__Model</c>, <c>__ApiKey</c>: with an endpoint, the
    /// score also reads the split with that language model (the embedded reader as its fallback).</param>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, Func<string, string?>? environment = null)
    {
        if (args.Length < 2 || args[1] is not ("train" or "score"))
        {
            stderr.WriteLine(Usage);
            return PlanCommand.BadInput;
        }
        string? corpus = null, output = null;
        var split = "dev";
        var rules = false;
        var invites = false;
        for (var i = 2; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--corpus" when value is not null: corpus = value; i++; break;
                case "--out" when value is not null && args[1] == "train": output = value; i++; break;
                case "--split" when (value is "dev" or "train" || (value is not null && Corpus.HeldOut.Contains(value))) && args[1] == "score": split = value; i++; break;
                case "--rules" when args[1] == "score": rules = true; break;
                case "--invites": invites = true; break;
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
        if (Corpus.HeldOut.Contains(split) && !Directory.Exists(Path.Combine(corpus, split)))
        {
            stderr.WriteLine($"no held-out set at '{Path.Combine(corpus, split)}'");
            return PlanCommand.BadInput;
        }
        if (args[1] == "train")
        {
            var model = invites ? Training.TrainInvites(corpus, stderr) : Training.TrainReplies(corpus, stderr);
            output ??= Path.Combine(Path.GetDirectoryName(corpus.TrimEnd('/'))!, "..", "api", "OutlookFollowUp.Reader", "Model", model.Kind + ".json");
            File.WriteAllText(output, model.ToJson() + "\n");
            stdout.WriteLine($"wrote {Path.GetFullPath(output)} ({model.Examples.Count} examples, corpus {model.CorpusHash[..12]})");
            return 0;
        }
        if (invites)
        {
            var both = rules ? null : new MailReader(ReaderModel.Embedded("replies"), ReaderModel.Embedded("invites"));
            stdout.Write(Scoring.ReportInvites($"interview detection, {(rules ? "the rules alone" : "the rules and the reader")}, on {split}",
                Scoring.DetectAll(Corpus.Invites(corpus, split), both)));
            if (split == "train") stdout.WriteLine("  (train is what the reader learned from: this figure is no estimate)");
            return 0;
        }
        var items = Corpus.Replies(corpus, split);
        var reader = rules ? null : new MailReader(ReaderModel.Embedded("replies"));
        var title = $"{(rules ? "the pattern rules" : "the reader")} on {split}";
        stdout.Write(Scoring.Report(title, Scoring.ReadAll(items, reader)));
        if (split == "train") stdout.WriteLine("  (train is what the reader learned from: this figure is no estimate)");
        var llm = new Reading.LanguageModelOptions
        {
            Endpoint = environment?.Invoke("Reader__LanguageModel__Endpoint"),
            Model = environment?.Invoke("Reader__LanguageModel__Model"),
            ApiKey = environment?.Invoke("Reader__LanguageModel__ApiKey"),
        };
        if (llm.Configured && !rules)
        {
            if (llm.Problem() is { } problem)
            {
                stderr.WriteLine(problem);
                return PlanCommand.BadInput;
            }
            var chat = new Reading.Reading(null, null).WithChat(llm, TimeProvider.System).Chat!;
            chat.PrimeAsync(items.Select(i => i.Text), CancellationToken.None).GetAwaiter().GetResult();
            var (asked, failed) = chat.Counts;
            stdout.Write(Scoring.Report($"the language model {llm.Model} on {split} ({asked - failed} of {items.Count} answered; the rest read by the embedded reader)",
                Scoring.ReadAll(items, chat.Over(reader))));
        }
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
