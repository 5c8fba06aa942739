using OutlookFollowUp.Api.Spelling;
using OutlookFollowUp.Engine;

namespace OutlookFollowUp.Api.Cli;

/// <summary><c>plan FILE</c> (or <c>-</c> for standard input): prints the plan for a scenario as JSON.</summary>
public static class PlanCommand
{
    public const int BadInput = 2;

    public static bool Handles(string[] args) => args.Length > 0 && args[0] == "plan";

    public static int Run(string[] args, TextReader stdin, TextWriter stdout, TextWriter stderr)
    {
        if (args.Length != 2 || args[1] is "-h" or "--help")
        {
            stderr.WriteLine("usage: plan FILE   (a scenario as JSON; - reads standard input)");
            return BadInput;
        }
        string json;
        try
        {
            json = args[1] == "-" ? stdin.ReadToEnd() : File.ReadAllText(args[1]);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"error: cannot read {args[1]}: {e.Message}");
            return BadInput;
        }
        var spelling = Spelling.Spelling.Open(new SpellingOptions());
        var reading = Reading.Reading.Open(new Reading.ReaderOptions());
        try
        {
            var plan = Planner.Build(PlanJson.ReadScenario(json), spelling.Checker, CancellationToken.None, reading.Reader);
            stdout.WriteLine(PlanJson.Write(plan));
            if (spelling.UnavailableBecause is { } why) stderr.WriteLine($"note: spell check unavailable: {why}");
            if (reading.UnavailableBecause is { } unread) stderr.WriteLine($"note: mail reader unavailable, the rules read employer mail: {unread}");
            return 0;
        }
        catch (PlanInputException e)
        {
            stderr.WriteLine($"error: {e.Message}");
            return BadInput;
        }
        finally
        {
            (spelling.Checker as IDisposable)?.Dispose();
        }
    }
}
