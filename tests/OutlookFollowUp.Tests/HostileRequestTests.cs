using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace OutlookFollowUp.Tests;

/// <summary>
/// A thousand requests a careless or hostile client could send (bodies built to be slow to read, zone ids long and
/// unknown, the calendar's first and last years, facts full of nulls, tokens with empty claims): every answer is a
/// client error or a plan, never a 5xx or a stack trace, and the service keeps no memory of them.
/// </summary>
[Collection(Alone.Name)]
public class HostileRequestTests(ITestOutputHelper output)
{
    private static JsonObject Scenario(string zone, string start, string body, string contentType = "html") => new()
    {
        ["now"] = "2026-03-12T17:00:00Z",
        ["user"] = new JsonObject { ["address"] = "sam.lee@outlook.com", ["timeZone"] = zone },
        ["events"] = new JsonArray(new JsonObject
        {
            ["id"] = "e1", ["subject"] = "Interview: Data Engineer",
            ["body"] = new JsonObject { ["contentType"] = contentType, ["content"] = body },
            ["start"] = new JsonObject { ["dateTime"] = start, ["timeZone"] = zone },
            ["end"] = new JsonObject { ["dateTime"] = start, ["timeZone"] = zone },
            ["organizer"] = new JsonObject { ["emailAddress"] = new JsonObject { ["name"] = "Dana", ["address"] = "dana@fabrikam.com" } },
        }),
        ["messages"] = new JsonArray(new JsonObject
        {
            ["id"] = "m1", ["subject"] = new string('<', 5000), ["receivedDateTime"] = "2026-03-12T16:00:00Z",
            ["from"] = new JsonObject { ["emailAddress"] = new JsonObject { ["name"] = "Dana", ["address"] = "dana@fabrikam.com" } },
            ["body"] = new JsonObject { ["contentType"] = contentType, ["content"] = body },
        }),
    };

    private static IEnumerable<(string What, HttpRequestMessage Request, string? Token)> Requests(int round)
    {
        var unique = $"{round}-{Guid.NewGuid():N}";
        string[] bodies =
        [
            new string('<', 300_000),
            string.Concat(Enumerable.Repeat("<div>", 60_000)),
            string.Concat(Enumerable.Repeat("<b><i><u><a href=\"x", 15_000)),
            string.Concat(Enumerable.Repeat("we will decide by march 27 ", 12_000)),
        ];
        var body = bodies[round % bodies.Length];
        yield return ("a body built to be slow", Preview(Scenario("UTC", "2026-03-10T10:00:00", body, round % 2 == 0 ? "html" : "text")), null);
        yield return ("an unknown zone id, new every time", Preview(Scenario("Nowhere/" + unique + new string('z', 300_000), "2026-03-10T10:00:00", "hi")), null);
        yield return ("year 1 in a named zone", Preview(Scenario("Tokyo Standard Time", "0001-01-01T00:30:00", "hi")), null);
        yield return ("year 9999 in a named zone", Preview(Scenario("Pacific Standard Time", "9999-12-31T23:00:00", "hi")), null);
        yield return ("facts full of nulls", new HttpRequestMessage(HttpMethod.Post, "/api/plans/preview")
        {
            Content = Json("""{ "now": null, "user": null, "events": [null], "messages": [null], "facts": { "interviewerNotes": { "a@b.c": null }, "acceptedSteps": [null] } }"""),
        }, null);
        yield return ("facts put with nulls", new HttpRequestMessage(HttpMethod.Put, "/api/processes/p-" + unique + "/facts")
        {
            Content = Json("""{ "interviewerNotes": { "a@b.c": null }, "acceptedSteps": [null], "contactPerson": null }"""),
        }, null);
        yield return ("an empty tenant id", new HttpRequestMessage(HttpMethod.Get, "/api/settings"), TestTokens.For("", "oid-" + unique, "x@outlook.com"));
        yield return ("an empty object id", new HttpRequestMessage(HttpMethod.Get, "/api/processes"), TestTokens.For("tenant-1", "", "x@outlook.com"));
        yield return ("an event id that is no REST id", new HttpRequestMessage(HttpMethod.Get, "/api/events/" + Uri.EscapeDataString("<script>" + unique) + "/plan"), null);
        yield return ("a person that is no address", new HttpRequestMessage(HttpMethod.Get, "/api/people/" + Uri.EscapeDataString(new string('@', 400)) + "/process"), null);
    }

    private static HttpRequestMessage Preview(JsonObject scenario) =>
        new(HttpMethod.Post, "/api/plans/preview") { Content = Json(scenario.ToJsonString()) };

    private static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");

    [Fact]
    public async Task AThousandHostileRequestsGetClearAnswersAndLeaveNoMemoryBehind()
    {
        await using var server = await SandboxServer.StartAsync(TimeProvider.System);
        await using var service = new ServiceFactory(server.BaseUrl + "/v1.0", new Dictionary<string, string?>
        {
            ["RateLimits:Burst"] = "5000", ["RateLimits:PerMinute"] = "100000",
            // The test runner keeps all the console output of its process in one string: what the service logs is
            // shipped away in a real deployment, and would be counted here as the service's memory.
            ["Logging:LogLevel:Default"] = "Warning",
        });
        var client = service.ClientFor("hostile@outlook.com");
        var http = service.CreateClient();

        async Task<int> RunAsync(int rounds, Dictionary<string, List<int>>? statuses)
        {
            var sent = 0;
            for (var round = 0; round < rounds; round++)
                foreach (var (what, request, token) in Requests(round))
                {
                    using var response = await (token is null ? client : Signed(http, token)).SendAsync(request);
                    var text = await response.Content.ReadAsStringAsync();
                    Assert.True((int)response.StatusCode < 500, $"{what}: {(int)response.StatusCode} {text[..Math.Min(300, text.Length)]}");
                    Assert.DoesNotContain("   at ", text);
                    statuses?.TryAdd(what, []);
                    statuses?[what].Add((int)response.StatusCode);
                    sent++;
                }
            return sent;
        }

        // Warm: the first requests load what every later one shares. The shared buffer pools keep some of what such
        // bodies needed, more in one run than another (per core), so a leak is what grows in each of two windows of a
        // thousand requests, not a pool that filled up during one of them.
        await RunAsync(30, null);
        var statuses = new Dictionary<string, List<int>>();
        var windows = new List<long>();
        var sent = 0;
        for (var window = 0; window < 2; window++)
        {
            var before = Heap();
            sent = await RunAsync(100, window == 0 ? statuses : null);
            windows.Add(Heap() - before);
        }
        var grown = windows.Min();
        foreach (var (what, codes) in statuses) output.WriteLine($"{what}: {string.Join(", ", codes.GroupBy(c => c).Select(g => $"{g.Count()} x {g.Key}"))}");
        output.WriteLine($"{sent} requests a window; managed heap grew {string.Join(" and ", windows.Select(w => $"{w / 1e6:F1} MB"))}");
        Assert.Equal(1000, sent);
        Assert.True(grown < 50_000_000, $"the heap grew {grown / 1e6:F1} MB over {sent} requests");
        Assert.All(statuses["an unknown zone id, new every time"], c => Assert.Equal(400, c));
        Assert.All(statuses["year 9999 in a named zone"], c => Assert.Equal(400, c));
    }

    private static HttpClient Signed(HttpClient http, string token)
    {
        http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return http;
    }

    private static long Heap()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}

/// <summary>Tests that measure the whole process (its heap) run with no other test beside them.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class Alone
{
    public const string Name = "alone";
}
