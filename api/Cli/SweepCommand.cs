using System.Globalization;
using OutlookFollowUp.Api.Sweep;

namespace OutlookFollowUp.Api.Cli;

/// <summary>
/// <c>sweep --once [--now INSTANT]</c>: one pass over every mailbox due, with the service's own configuration; prints
/// what it did. The web host runs too (on a free loopback port) because the demo's Graph sandbox is served by it.
/// </summary>
public static class SweepCommand
{
    public static bool Handles(string[] args) => args.Length > 0 && args[0] == "sweep";

    /// <summary>The arguments the web host reads: everything after the verb's own options.</summary>
    public static (DateTimeOffset? Now, string[] HostArgs, string? Error) Parse(string[] args)
    {
        DateTimeOffset? now = null;
        var once = false;
        var rest = new List<string>
        {
            "--urls", "http://127.0.0.1:0", "--Sweep:Enabled", "false",
            // The pass's own summary is the output; the host's start-up chatter is not.
            "--Logging:LogLevel:Default", "Warning", "--Logging:LogLevel:Microsoft.Hosting.Lifetime", "Warning",
            "--Logging:Console:LogToStandardErrorThreshold", "Trace",
        };
        for (var i = 1; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--once":
                    once = true;
                    break;
                case "--now" when i + 1 < args.Length:
                    if (!DateTimeOffset.TryParse(args[++i], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
                        return (null, [], $"--now '{args[i]}' is not an instant (for example 2026-11-23T17:00:00Z)");
                    now = parsed.ToUniversalTime();
                    break;
                case "--now":
                    return (null, [], "--now needs an instant (for example 2026-11-23T17:00:00Z)");
                case "-h" or "--help":
                    return (null, [], "usage: sweep --once [--now INSTANT]");
                default:
                    rest.Add(args[i]);
                    break;
            }
        }
        return once ? (now, rest.ToArray(), null) : (null, [], "usage: sweep --once [--now INSTANT]   (the service sweeps continuously by itself)");
    }

    public static async Task<int> RunAsync(WebApplication app, DateTimeOffset? now, TextWriter stdout, TextWriter stderr)
    {
        await app.StartAsync();
        try
        {
            var sweeper = app.Services.GetRequiredService<Sweeper>();
            var at = now ?? app.Services.GetRequiredService<TimeProvider>().GetUtcNow();
            // Progress goes to a terminal only; piped output stays one summary line.
            var progress = Console.IsErrorRedirected ? null : new Progress<int>(n => stderr.Write($"\rswept {n} mailbox(es)..."));
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var report = await sweeper.RunOnceAsync(at, progress);
            if (progress is not null) stderr.Write("\r");
            stdout.WriteLine($"{at:yyyy-MM-ddTHH:mm:ssZ}: {report}; {clock.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s");
            return report.Failed > 0 ? 1 : 0;
        }
        finally
        {
            await app.StopAsync();
        }
    }
}
