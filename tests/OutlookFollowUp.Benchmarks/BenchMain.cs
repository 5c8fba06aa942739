using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Playwright;

namespace OutlookFollowUp.Benchmarks;

/// <summary>
/// The benchmark suite: every figure of issue 6 in one run, written to report.md (and chart.png) in the output folder.
/// Figures are reported, never asserted: a target that is not met is said so in the report.
/// </summary>
public static class BenchMain
{
    public static async Task<int> Main(string[] args)
    {
        var o = BenchOptions.Parse(args, Console.Error);
        if (o is null) return 2;
        Directory.CreateDirectory(o.Out);
        var figures = new List<Figure>();
        var notes = new List<string>();
        await using var postgres = await LocalPostgres.EnsureAsync(notes);
        var started = DateTimeOffset.UtcNow;
        Console.Error.WriteLine($"benchmarks: {o.Mailboxes:N0} mailboxes, {o.Opens:N0} pane opens, {o.PaneLoads} pane loads{(o.Smoke ? " (smoke)" : "")}");
        if (o.Only is null or "pane") { Console.Error.WriteLine("1, 6: the pane"); await PaneFigures.RunAsync(o, figures, notes); }
        if (o.Only is null or "sweeps" or "pass" or "pass3" or "instances") { Console.Error.WriteLine(o.Only switch { "pass" => "3: the pass", "pass3" => "3: the pass (without 3b)", "instances" => "4: two instances", _ => "2-4: sweeps" }); await SweepFigures.RunAsync(o, figures, notes); }
        if (o.Only is null or "busy") { Console.Error.WriteLine("7: a busy mailbox"); await BusyInboxFigures.RunAsync(o, figures, notes); }
        if (o.Only is null or "engine") { Console.Error.WriteLine("5: the engine"); EngineBenchmarks.Run(o, figures, notes); }
        if (o.Only is null or "hostile") { Console.Error.WriteLine("8: hostile bodies"); HostileBodyFigures.Run(o, figures, notes); }
        if (o.Only is null or "reader") { Console.Error.WriteLine("9: the mail reader"); ReaderFigures.Run(o, figures, notes); }
        if (o.Only is null or "push") { Console.Error.WriteLine("10: push"); await PushFigures.RunAsync(o, figures, notes); }
        var report = Write(o, figures, notes, started);
        await ChartAsync(o, figures);
        Console.WriteLine(report);
        return 0;
    }

    // What the service's processes run with: its runtimeconfig.json properties and any runtime DOTNET_ variable (the SDK's own left out).
    private static string ServiceRuntime()
    {
        var config = Path.ChangeExtension(OutlookFollowUp.Tests.ServiceProcess.Dll, ".runtimeconfig.json");
        var properties = File.Exists(config)
            ? (System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(config))?["runtimeOptions"]?["configProperties"]?.AsObject()
                .Where(p => p.Key.StartsWith("System.GC.", StringComparison.Ordinal) || p.Key.StartsWith("System.Runtime.Tiered", StringComparison.Ordinal))
                .Select(p => $"{p.Key}={p.Value}") ?? [])
            : [];
        var overrides = Environment.GetEnvironmentVariables().Keys.Cast<string>().Where(k => k.StartsWith("DOTNET_", StringComparison.Ordinal)
            && !k.StartsWith("DOTNET_CLI_", StringComparison.Ordinal) && !k.StartsWith("DOTNET_ROOT", StringComparison.Ordinal)
            && k is not ("DOTNET_NOLOGO" or "DOTNET_GENERATE_ASPNET_CERTIFICATE")).Order();
        var published = Environment.GetEnvironmentVariable("OFU_SERVICE") is { Length: > 0 } p ? $"; the service run: {p} (OFU_SERVICE)" : "";
        return $"{string.Join(", ", properties.DefaultIfEmpty("defaults"))}; runtime DOTNET_ variables: {string.Join(", ", overrides.DefaultIfEmpty("none"))}{published}";
    }

    private static string Write(BenchOptions o, List<Figure> figures, List<string> notes, DateTimeOffset started)
    {
        var md = new StringBuilder();
        md.AppendLine("# OutlookFollowUp benchmarks").AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Run {started:yyyy-MM-dd HH:mm} UTC, {(DateTimeOffset.UtcNow - started).TotalMinutes:0.0} minutes{(o.Smoke ? "; **smoke run with tiny inputs: not a measurement**" : "")}.");
        md.AppendLine(CultureInfo.InvariantCulture, $"Machine: {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, {RuntimeInformation.ProcessArchitecture}, .NET {Environment.Version}, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 1073741824.0:0} GiB.");
        md.AppendLine(CultureInfo.InvariantCulture, $"The service's runtime settings: {ServiceRuntime()}.");
        md.AppendLine(CultureInfo.InvariantCulture, $"Inputs: {o.Mailboxes:N0} mailboxes with the demo's five processes each (thank-yous due, a follow-up due, a rejection, a next round, a look-alike), "
            + $"the sandbox at {BenchOptions.Latency.TotalMilliseconds:0} ms per request, sweep parallelism {BenchOptions.Parallelism}; {o.Opens:N0} pane opens; {o.PaneLoads} pane loads in Chromium.");
        md.AppendLine().AppendLine("| figure | measured | against | target | met |").AppendLine("| --- | --- | --- | --- | --- |");
        foreach (var section in figures.GroupBy(f => f.Section))
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| **{section.Key}** | | | | |");
            foreach (var f in section)
                md.AppendLine(CultureInfo.InvariantCulture, $"| {f.Name} | {f.Value} | {f.Against} | {f.Target} | {f.Met switch { true => "yes", false => "**no**", null => "" }} |");
        }
        if (notes.Count > 0)
        {
            md.AppendLine().AppendLine("## Notes").AppendLine();
            foreach (var n in notes) md.AppendLine(CultureInfo.InvariantCulture, $"- {n}");
        }
        md.AppendLine().AppendLine("Definitions: a Graph round trip is one HTTP request to Graph (a `$batch` counts once); the ideal sweep time is every "
            + "HTTP request of the pass at the sandbox's latency, divided by the mailboxes the service sweeps at once; Graph's own time counts a "
            + "`$batch` as the rounds its items need, four at a time as Graph runs them (what a client with no overhead would take for "
            + "those requests one after another); the API time beyond the "
            + "sandbox is the open's wall time minus its round trips at 50 ms. ![chart](chart.png)");
        var text = md.ToString();
        File.WriteAllText(Path.Combine(o.Out, "report.md"), text);
        return text;
    }

    /// <summary>Each target as measured / target (1 = on the line), drawn by Chromium from an SVG.</summary>
    private static async Task ChartAsync(BenchOptions o, List<Figure> figures)
    {
        var rows = figures.Where(f => f.Ratio is not null && f.Met is not null).ToList();
        if (rows.Count == 0 || !File.Exists("/usr/bin/chromium")) return;
        const int width = 760, barLeft = 330, rowHeight = 30;
        var height = rows.Count * rowHeight + 60;
        double max = Math.Max(2, rows.Max(r => r.Ratio!.Value));
        double X(double v) => barLeft + (width - barLeft - 30) * Math.Min(v, max) / max;
        var svg = new StringBuilder($"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' font-family='sans-serif' font-size='12'>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x='10' y='20' font-size='14' font-weight='bold'>Measured / target (left of the line is better; for the speed-up, target / measured)</text>");
        for (var i = 0; i < rows.Count; i++)
        {
            var r = rows[i];
            var y = 40 + i * rowHeight;
            svg.Append(CultureInfo.InvariantCulture, $"<text x='10' y='{y + 15}'>{WebUtility.HtmlEncode(Short(r))}</text>");
            svg.Append(CultureInfo.InvariantCulture, $"<rect x='{barLeft}' y='{y + 3}' width='{Math.Max(1, X(r.Ratio!.Value) - barLeft):0.0}' height='18' fill='{(r.Met == true ? "#0f6cbd" : "#b10e1c")}'/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x='{X(r.Ratio!.Value) + 4:0.0}' y='{y + 16}'>{r.Ratio:0.00}</text>");
        }
        svg.Append(CultureInfo.InvariantCulture, $"<line x1='{X(1):0.0}' y1='30' x2='{X(1):0.0}' y2='{height - 10}' stroke='#242424' stroke-dasharray='4 3'/></svg>");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await OutlookFollowUp.Tests.BrowserFixture.LaunchAsync(playwright);
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = width, Height = height } });
        await page.SetContentAsync($"<html><body style='margin:0;background:#fff'>{svg}</body></html>");
        await page.ScreenshotAsync(new() { Path = Path.Combine(o.Out, "chart.png") });
    }

    private static string Short(Figure f) => f.Section[..2] + " " + (f.Name.Length > 44 ? f.Name[..43] + "…" : f.Name);
}
