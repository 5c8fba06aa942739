using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using OutlookFollowUp.GraphSandbox;
using Xunit.Abstractions;
using static OutlookFollowUp.Tests.ServiceEndToEndTests;

namespace OutlookFollowUp.Tests;

/// <summary>
/// Several instances of the service over one PostgreSQL, as an operator scales it out: each mailbox is swept by one
/// instance at a time, and whatever happens to an instance (here a SIGKILL in the middle of a pass) every step is
/// written once, never twice and never not at all.
/// </summary>
public sealed class ScaleOutTests(ITestOutputHelper output)
{
    private const int Users = 200;
    private const string Zone = "UTC";

    private sealed record Round(string Company, string Domain, Func<int, int> Interviewers);

    private static readonly Round Contoso = new("Contoso", "contoso.com", i => 1 + i % 3);
    private static readonly Round Fabrikam = new("Fabrikam", "fabrikam.com", i => 1 + (i + 1) % 3);

    private static string Address(int i) => $"seeker{i:D3}@outlook.com";

    [Fact]
    public async Task TwoInstancesWriteEveryThankYouOnceEvenWhenOneIsKilledMidSweep()
    {
        // Latency both ways, as from a real service: a pass takes long enough to be cut, and a write done by Graph
        // spends a while on its way back, when a killed instance never hears of it.
        var latency = TimeSpan.FromMilliseconds(20);
        await using var graph = await SandboxServer.StartAsync(TimeProvider.System, new SandboxOptions { Latency = latency, ResponseLatency = latency });
        for (var i = 0; i < Users; i++) graph.Sandbox.AddMailbox(Address(i), $"Seeker {i}", Zone);
        DeliverInterviews(graph.Sandbox, Contoso, endedAgo: TimeSpan.FromHours(2));

        var settings = new Dictionary<string, string>
        {
            ["Database:ConnectionString"] = await PostgresServer.CreateDatabaseAsync("scaleout"),
            ["Graph:BaseUrl"] = graph.BaseUrl + "/v1.0",
            ["Graph:Tokens"] = "sandbox",
            ["LocalIssuer:Issuer"] = TestTokens.Issuer,
            ["LocalIssuer:Audience"] = TestTokens.Audience,
            ["LocalIssuer:SigningKey"] = Convert.ToBase64String(TestTokens.Key),
            ["Sweep:Interval"] = "00:00:02",
            ["Sweep:Tick"] = "00:00:00.250",
            // Longer than any one mailbox's pass on a loaded machine (the suite runs beside it), or two instances would
            // sweep one mailbox at once after a lease ran out and trip its concurrency limit; short enough that the killed
            // instance's mailboxes pass to the others within the test.
            ["Sweep:Lease"] = "00:00:10",
            ["Sweep:Parallelism"] = "4",
            ["Sweep:BatchSize"] = "8",
        };
        // Both start at once on an empty database: the migrations run once, under the service's advisory lock.
        var starting = new[] { ServiceProcess.StartAsync("A", settings), ServiceProcess.StartAsync("B", settings) };
        var a = await starting[0];
        await using var b = await starting[1];
        ServiceProcess? restarted = null;
        try
        {
            // Users sign up through either instance (the pane's first request); half let reminders be created too.
            await Task.WhenAll(Enumerable.Range(0, Users).Select(i => SignUpAsync(i % 2 == 0 ? a : b, i)));

            // 1. Two instances sweep the same users together.
            await SettledAsync(graph.Sandbox, [Contoso]);
            AssertEveryStepWrittenOnce(graph.Sandbox, [Contoso]);
            Assert.True(Passes(a) > 0 && Passes(b) > 0, $"both instances should have swept: A {Passes(a)}, B {Passes(b)}");

            // 2. Second interviews for everyone; A is killed while the pass that writes their thank-yous runs.
            DeliverInterviews(graph.Sandbox, Fabrikam, endedAgo: TimeSpan.FromHours(1));
            var expected = Enumerable.Range(0, Users).Sum(i => Fabrikam.Interviewers(i) + 1);
            var atKill = await WaitForAsync(() => Written(graph.Sandbox, Fabrikam), n => n >= expected / 10, TimeSpan.FromSeconds(60));
            await a.KillAsync();
            output.WriteLine($"killed A with {atKill} of {expected} Fabrikam thank-yous written");
            Assert.True(atKill < expected, "the kill should land in the middle of the pass");
            restarted = await ServiceProcess.StartAsync("A again", settings);

            await SettledAsync(graph.Sandbox, [Contoso, Fabrikam]);
            AssertEveryStepWrittenOnce(graph.Sandbox, [Contoso, Fabrikam]);
            Assert.Equal(0, graph.Sandbox.SendAttempts);
            // Not asserted: on a loaded CI machine a few requests (2 to 6 of ~8,000) were throttled around the kill, with
            // nothing doubled or lost; the cause is not found yet (see the session note). Reported for the next look.
            var throttled = graph.Sandbox.Log.Where(e => e.Status == 429).Select(e => $"{e.At:HH:mm:ss.fff} {e.Mailbox} {e.Method} {e.Path}").ToList();
            output.WriteLine($"passes logged: A {Passes(a)}, B {Passes(b)}, A again {Passes(restarted)}; "
                + $"writes found already done after the kill: {Found(b) + Found(restarted)}; throttled: {throttled.Count} {string.Join("; ", throttled.Take(10))}");
        }
        catch
        {
            foreach (var s in new[] { a, b, restarted }.OfType<ServiceProcess>()) output.WriteLine($"--- {s.Name} ---\n{s.Log}");
            throw;
        }
        finally
        {
            await a.DisposeAsync();
            if (restarted is not null) await restarted.DisposeAsync();
        }
    }

    private static void DeliverInterviews(GraphSandbox.GraphSandbox sandbox, Round round, TimeSpan endedAgo)
    {
        var end = DateTime.UtcNow - endedAgo;
        string Local(DateTime t) => t.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture);
        for (var i = 0; i < Users; i++)
        {
            var people = Enumerable.Range(1, round.Interviewers(i)).Select(n => ServiceEndToEndTests.Person($"Interviewer {n}", $"interviewer{n}@{round.Domain}")).ToArray();
            var invite = ServiceEndToEndTests.Interview($"Interview: Data Engineer at {round.Company}", Local(end.AddHours(-1)), Local(end), Zone,
                ServiceEndToEndTests.Person("Recruiter", $"recruiter@{round.Domain}"), [ServiceEndToEndTests.Person($"Seeker {i}", Address(i)), .. people]);
            Assert.NotNull(sandbox.DeliverEvent(Address(i), invite));
        }
    }

    private static async Task SignUpAsync(ServiceProcess service, int i)
    {
        using var http = new HttpClient { BaseAddress = new Uri(service.BaseUrl) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestTokens.For("tenant-scale", $"oid-{i:D3}", Address(i)));
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/me")).StatusCode);
        if (i % 2 == 1)
            Assert.Equal(HttpStatusCode.OK, (await http.PutAsJsonAsync("/api/settings", new { autoAcceptReminders = true })).StatusCode);
    }

    private static List<(string Mailbox, string Kind, string Key, string? To)> Items(GraphSandbox.GraphSandbox sandbox)
    {
        var items = new List<(string, string, string, string?)>();
        foreach (var box in sandbox.Mailboxes)
            lock (box.Gate)
            {
                foreach (var m in box.Messages.Values)
                    if (Key(m) is { } key) items.Add((box.Address, "message", key, (string?)m["toRecipients"]?[0]?["emailAddress"]?["address"]));
                foreach (var e in box.Events.Values)
                    if (Key(e) is { } key) items.Add((box.Address, "event", key, null));
            }
        return items;
    }

    private static int Written(GraphSandbox.GraphSandbox sandbox, Round round) =>
        Items(sandbox).Count(x => x.Key.StartsWith("ofu1-ty-") && x.To?.EndsWith("@" + round.Domain) == true);

    private static void AssertEveryStepWrittenOnce(GraphSandbox.GraphSandbox sandbox, Round[] rounds)
    {
        var items = Items(sandbox);
        var duplicates = items.GroupBy(x => (x.Mailbox, x.Key)).Where(g => g.Count() > 1).Select(g => $"{g.Key.Mailbox} {g.Key.Key} x{g.Count()}").ToList();
        Assert.True(duplicates.Count == 0, $"{duplicates.Count} step(s) written more than once: {string.Join(", ", duplicates.Take(10))}");

        var missing = new List<string>();
        for (var i = 0; i < Users; i++)
        {
            var mine = items.Where(x => x.Mailbox == Address(i)).ToList();
            foreach (var round in rounds)
            {
                var want = Enumerable.Range(1, round.Interviewers(i)).Select(n => $"interviewer{n}@{round.Domain}").Append($"recruiter@{round.Domain}");
                var got = mine.Where(x => x.Key.StartsWith("ofu1-ty-")).Select(x => x.To).ToHashSet();
                missing.AddRange(want.Where(w => !got.Contains(w)).Select(w => $"{Address(i)} -> {w}"));
            }
            if (i % 2 == 1 && !mine.Any(x => x.Kind == "event")) missing.Add($"{Address(i)}: no reminder accepted in advance");
            if (i % 2 == 0 && mine.Any(x => x.Kind == "event")) Assert.Fail($"{Address(i)} did not ask for reminders, yet has one");
        }
        Assert.True(missing.Count == 0, $"{missing.Count} step(s) never written: {string.Join(", ", missing.Take(10))}");
    }

    /// <summary>Waits until what the product wrote stops changing: every due step written and nothing more coming.</summary>
    private static async Task SettledAsync(GraphSandbox.GraphSandbox sandbox, Round[] rounds)
    {
        var want = Enumerable.Range(0, Users).Sum(i => rounds.Sum(r => r.Interviewers(i) + 1));
        await WaitForAsync(() => rounds.Sum(r => Written(sandbox, r)), n => n >= want, TimeSpan.FromSeconds(120));
        // A few more passes over every mailbox (the interval is two seconds): anything still to come would show.
        var count = Items(sandbox).Count;
        for (var quiet = 0; quiet < 6; quiet++)
        {
            await Task.Delay(1000);
            var now = Items(sandbox).Count;
            if (now != count) (count, quiet) = (now, -1);
        }
    }

    private static async Task<int> WaitForAsync(Func<int> read, Func<int, bool> done, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (true)
        {
            var value = read();
            if (done(value) || DateTime.UtcNow > until) return value;
            await Task.Delay(25);
        }
    }

    private static int Found(ServiceProcess service) =>
        Regex.Matches(service.Log, @"(\d+) already there").Sum(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));

    private static int Passes(ServiceProcess service) =>
        Regex.Matches(service.Log, @"Sweep: swept (\d+) mailbox").Sum(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
}
