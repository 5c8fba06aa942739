using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using OutlookFollowUp.Api.Data;
using OutlookFollowUp.GraphSandbox;
using OutlookFollowUp.Tests;

namespace OutlookFollowUp.Benchmarks;

/// <summary>
/// How big a run is: the full one the issue names, or a smoke run with tiny inputs (tests/run.sh). <paramref name="Repeat"/>:
/// how many times figure 3's pass runs (fresh mailboxes and database each time); the report gives the median and every run.
/// </summary>
public sealed record BenchOptions(int Mailboxes, int Opens, int PaneLoads, bool Smoke, string Out, string? Only = null, int Repeat = 1)
{
    public static readonly TimeSpan Latency = TimeSpan.FromMilliseconds(50);
    public const int Parallelism = 16;

    public static BenchOptions? Parse(string[] args, TextWriter error)
    {
        var o = new BenchOptions(10_000, 1_000, 30, false, Path.Combine(Report.FindRoot(), "artifacts", "bench"));
        for (var i = 0; i < args.Length; i++)
        {
            string? Next() => i + 1 < args.Length ? args[++i] : null;
            switch (args[i])
            {
                case "--smoke": o = o with { Mailboxes = 12, Opens = 12, PaneLoads = 2, Smoke = true }; break;
                case "--mailboxes" when int.TryParse(Next(), out var n) && n > 0: o = o with { Mailboxes = n }; break;
                case "--opens" when int.TryParse(Next(), out var n) && n > 0: o = o with { Opens = n }; break;
                case "--pane-loads" when int.TryParse(Next(), out var n) && n > 0: o = o with { PaneLoads = n }; break;
                case "--out" when Next() is { } dir: o = o with { Out = Path.GetFullPath(dir) }; break;
                case "--repeat" when int.TryParse(Next(), out var n) && n is > 0 and <= 20: o = o with { Repeat = n }; break;
                case "--only" when Next() is "pane" or "sweeps" or "pass" or "pass3" or "instances" or "busy" or "engine" or "hostile" or "reader" or "push": o = o with { Only = args[i] }; break;
                default:
                    error.WriteLine("usage: [--smoke] [--mailboxes N] [--opens N] [--pane-loads N] [--repeat N (1-20)] [--out DIR] [--only pane|sweeps|pass|pass3|instances|busy|engine|hostile|reader|push]");
                    return null;
            }
        }
        ServiceRuns.ServiceEnvironment(out var bad);
        if (bad is not null)
        {
            error.WriteLine($"OFU_BENCH_SERVICE_ENV: '{bad}' is not NAME=value (pairs are separated by ';')");
            return null;
        }
        if (Environment.GetEnvironmentVariable("OFU_BENCH_PERF") is { Length: > 0 } perf && !Directory.Exists(perf))
        {
            error.WriteLine($"OFU_BENCH_PERF: {perf} is not a folder");
            return null;
        }
        return o;
    }
}

/// <summary>Median and spread of a sample.</summary>
public sealed record Stats(double Median, double P5, double P95, double Min, double Max, int Count)
{
    public static Stats Of(IEnumerable<double> values)
    {
        var v = values.Order().ToArray();
        double At(double q) => v.Length == 0 ? double.NaN : v[Math.Clamp((int)Math.Ceiling(q * v.Length) - 1, 0, v.Length - 1)];
        return new(At(0.5), At(0.05), At(0.95), v.FirstOrDefault(), v.LastOrDefault(), v.Length);
    }
}

/// <summary>Runs of the built service as its own process: a pass of `sweep --once`, with its wall time and peak memory.</summary>
public static class ServiceRuns
{
    public static Dictionary<string, string> Settings(string database, string graph) => new()
    {
        ["Database:ConnectionString"] = database,
        ["Graph:BaseUrl"] = graph + "/v1.0",
        ["Graph:Tokens"] = "sandbox",
        ["LocalIssuer:Issuer"] = TestTokens.Issuer,
        ["LocalIssuer:Audience"] = TestTokens.Audience,
        ["LocalIssuer:SigningKey"] = Convert.ToBase64String(TestTokens.Key),
        ["Sweep:Parallelism"] = BenchOptions.Parallelism.ToString(CultureInfo.InvariantCulture),
        ["RateLimits:Burst"] = "10000",
        ["RateLimits:PerMinute"] = "100000",
    };

    /// <summary>Wall: from the processes' start to the last exit; Pass: the longest pass as the processes timed it (no start-up).</summary>
    /// <summary>Cpu: processor time the service's processes used; SandboxCpu: what this process (the sandbox) used meanwhile.</summary>
    public sealed record PassResult(TimeSpan Wall, TimeSpan Pass, long PeakBytes, IReadOnlyList<string> Summaries, TimeSpan Cpu, TimeSpan SandboxCpu);

    /// <summary>OFU_BENCH_SERVICE_ENV's pairs; <paramref name="bad"/> names the first that is not NAME=value (then none are given).</summary>
    public static IReadOnlyList<(string Name, string Value)> ServiceEnvironment(out string? bad)
    {
        var pairs = new List<(string, string)>();
        bad = null;
        foreach (var pair in (Environment.GetEnvironmentVariable("OFU_BENCH_SERVICE_ENV") ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = pair.IndexOf('=');
            if (eq <= 0) { bad = pair; return []; }
            pairs.Add((pair[..eq], pair[(eq + 1)..]));
        }
        return pairs;
    }

    /// <summary>Starts <paramref name="instances"/> `sweep --once` processes at once and waits for all.</summary>
    public static async Task<PassResult> SweepOnceAsync(Dictionary<string, string> settings, int instances, DateTimeOffset? now = null)
    {
        var dll = ServiceProcess.Dll;
        var processes = new List<Process>();
        var sandboxCpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < instances; i++)
        {
            string[] command = ["dotnet", dll, "sweep", "--once", .. now is { } at ? new[] { "--now", at.ToString("O", CultureInfo.InvariantCulture) } : []];
            // OFU_BENCH_TRACE=DIR: each pass runs under dotnet-trace (CPU samples, speedscope format) for a profile.
            if (Environment.GetEnvironmentVariable("OFU_BENCH_TRACE") is { Length: > 0 } traces)
                command = ["dotnet-trace", "collect", "--format", "Speedscope", "-o", Path.Combine(traces, $"sweep-{DateTime.UtcNow:HHmmss}-{i}.nettrace"), "--", .. command];
            // OFU_BENCH_PERF=DIR: each pass runs under Linux perf (processor samples of every thread, native frames
            // included, which dotnet-trace's wall-clock samples are not); its processor and memory figures are then perf's too.
            var perf = Environment.GetEnvironmentVariable("OFU_BENCH_PERF") is { Length: > 0 } perfDir ? perfDir : null;
            if (perf is not null)
                command = ["perf", "record", "-F", "999", "-g", "-o", Path.Combine(perf, $"sweep-{DateTime.UtcNow:HHmmss}-{i}.data"), "--", .. command];
            var start = new ProcessStartInfo(command[0], command[1..])
            {
                RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
                Environment = { ["ASPNETCORE_ENVIRONMENT"] = "Development", ["DOTNET_ENVIRONMENT"] = "Development" },
            };
            foreach (var (k, v) in settings) start.Environment[k.Replace(":", "__")] = v;
            // OFU_BENCH_SERVICE_ENV="K=V;K=V": environment for the service's processes only (runtime knobs compared
            // side by side, e.g. DOTNET_TieredCompilation=0), never for the benchmark or the sandbox it hosts.
            foreach (var (name, value) in ServiceEnvironment(out _)) start.Environment[name] = value;
            if (perf is not null)
            {
                // perf reads the JIT's code names from /tmp/perf-PID.map; with W^X on, JIT'd code runs from a double
                // mapping that perf cannot name (it shows as memfd:doublemapper).
                start.Environment["DOTNET_PerfMapEnabled"] = "1";
                start.Environment["DOTNET_EnableWriteXorExecute"] = "0";
            }
            processes.Add(Process.Start(start)!);
        }
        var outputs = processes.Select(p => p.StandardOutput.ReadToEndAsync()).ToList();
        var errors = processes.Select(p => p.StandardError.ReadToEndAsync()).ToList();
        long peak = 0;
        var cpu = new TimeSpan[processes.Count];
        while (processes.Any(p => !p.HasExited))
        {
            for (var i = 0; i < processes.Count; i++)
            {
                var p = processes[i];
                if (p.HasExited) continue;
                peak = Math.Max(peak, PeakRss(p.Id));
                try { cpu[i] = p.TotalProcessorTime; } catch (InvalidOperationException) { /* it just exited */ }
            }
            await Task.Delay(100);
        }
        var wall = clock.Elapsed;
        sandboxCpu = Process.GetCurrentProcess().TotalProcessorTime - sandboxCpu;
        var summaries = new List<string>();
        for (var i = 0; i < processes.Count; i++)
        {
            var text = (await outputs[i]).Trim();
            // OFU_BENCH_SERVICE_LOG=DIR keeps each service process's whole output (with OFU_BENCH_SERVICE_ENV raising a
            // log level, e.g. EF Core's commands, to count what a pass does).
            if (Environment.GetEnvironmentVariable("OFU_BENCH_SERVICE_LOG") is { Length: > 0 } logs)
                await File.WriteAllTextAsync(Path.Combine(logs, $"sweep-{DateTime.UtcNow:HHmmss}-{i}.log"), text + "\n" + await errors[i]);
            if (processes[i].ExitCode != 0) throw new InvalidOperationException($"sweep --once exited {processes[i].ExitCode}: {text} {await errors[i]}");
            summaries.Add(text);
        }
        var pass = summaries.Select(t => System.Text.RegularExpressions.Regex.Match(t, @"; ([0-9.]+) s$"))
            .Select(m => m.Success ? TimeSpan.FromSeconds(double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)) : wall).Max();
        return new PassResult(wall, pass, peak, summaries, cpu.Aggregate(TimeSpan.Zero, (a, b) => a + b), sandboxCpu);
    }

    /// <summary>The most memory the process has held (VmHWM), from /proc.</summary>
    public static long PeakRss(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException)
        {
            return 0;
        }
    }
}

/// <summary>A fresh database of either provider, migrated, with the users the sweep will find due.</summary>
public static class Databases
{
    public static async Task<string> CreateAsync(bool postgres, string purpose)
    {
        var connection = postgres ? await PostgresServer.CreateDatabaseAsync(purpose)
            : $"Data Source={Path.Combine(Path.GetTempPath(), $"ofu-bench-{purpose}-{Guid.NewGuid():N}.db")}";
        await using var db = await TestDatabases.MigratedAsync(Provider(postgres), connection);
        return connection;
    }

    private static string Provider(bool postgres) => postgres ? "postgres" : "sqlite";

    public static async Task AddUsersAsync(bool postgres, string connection, IEnumerable<string> addresses, DateTimeOffset now)
    {
        await using var db = TestDatabases.Context(Provider(postgres), connection);
        var i = 0;
        foreach (var address in addresses)
        {
            db.Users.Add(new UserRecord
            {
                Id = Guid.NewGuid(), TenantId = "bench", ObjectId = $"oid-{i++}", Address = address, CreatedUtc = now.UtcDateTime,
                NextSweepUtc = now.UtcDateTime.AddMinutes(-1),
            });
        }
        await db.SaveChangesAsync();
    }
}

/// <summary>A sandbox with 50 ms of latency per request and <paramref name="count"/> mailboxes of the demo's five processes.</summary>
public static class Mailboxes
{
    public static string Address(int i) => $"seeker{i:D5}@outlook.com";

    /// <summary>The demo's mailbox <paramref name="count"/> times; <paramref name="ownTexts"/>: each with texts of its own (see <see cref="DemoMailbox.Seed"/>).</summary>
    public static async Task<SandboxServer> SeedAsync(int count, DateTimeOffset now, bool ownTexts = false)
    {
        var server = await SandboxServer.StartAsync(TimeProvider.System, new SandboxOptions { Latency = BenchOptions.Latency });
        for (var i = 0; i < count; i++) DemoMailbox.Seed(server.Sandbox, now, Address(i), $"Seeker {i}", ownTexts ? $"JS-{i:D5}" : null);
        return server;
    }
}
