using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace OutlookFollowUp.Tests;

/// <summary>Who can see what, how much they can ask, and what a bad request gets: never someone else's data, never a 5xx.</summary>
public class GuardTests : IAsyncLifetime
{
    private const string Ann = "ann@outlook.com";
    private const string Ben = "ben@outlook.com";
    private SandboxServer? _graph;
    private ServiceFactory? _service;
    private string _annEvent = "";

    public async Task InitializeAsync()
    {
        _graph = await SandboxServer.StartAsync(TimeProvider.System);
        _graph.Sandbox.AddMailbox(Ann, "Ann", "UTC");
        _graph.Sandbox.AddMailbox(Ben, "Ben", "UTC");
        _annEvent = (string)_graph.Sandbox.DeliverEvent(Ann, ServiceEndToEndTests.Interview("Interview: Analyst at Fabrikam", "2026-11-17T09:00:00", "2026-11-17T10:00:00",
            "UTC", ServiceEndToEndTests.Person("Dana", "dana@fabrikam.com"), ServiceEndToEndTests.Person("Lee", "lee@fabrikam.com")))!["id"]!;
        _service = new ServiceFactory(_graph.BaseUrl + "/v1.0", new Dictionary<string, string?> { ["RateLimits:Burst"] = "40", ["RateLimits:PerMinute"] = "60" });
    }

    public async Task DisposeAsync()
    {
        if (_service is not null) await _service.DisposeAsync();
        if (_graph is not null) await _graph.DisposeAsync();
    }

    private static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");

    [Fact]
    public async Task AUserCannotReachAnotherUsersProcessByAnyId()
    {
        var ann = _service!.ClientFor(Ann);
        var plan = JsonNode.Parse(await ann.GetStringAsync($"/api/events/{_annEvent}/plan"))!;
        var key = (string)plan["processKey"]!;
        var ben = _service.ClientFor(Ben);
        var escaped = Uri.EscapeDataString(key);
        Assert.Equal(HttpStatusCode.NotFound, (await ben.GetAsync($"/api/processes/{escaped}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await ben.GetAsync($"/api/processes/{escaped}/facts")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await ben.PutAsync($"/api/processes/{escaped}/facts", Json("""{"fitLine":"mine now"}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await ben.PostAsync($"/api/processes/{escaped}/drafts", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await ben.PostAsync($"/api/processes/{escaped}/reminders/x/accept", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await ben.GetAsync($"/api/events/{_annEvent}/plan")).StatusCode);
        Assert.Equal("[]", await ben.GetStringAsync("/api/processes"));
        // Ann's facts are untouched.
        var facts = JsonNode.Parse(await ann.GetStringAsync($"/api/processes/{escaped}/facts"))!;
        Assert.Null(facts["fitLine"]);
    }

    [Fact]
    public async Task ABurstOverTheLimitGets429WithRetryAfter()
    {
        var client = _service!.ClientFor("burst@outlook.com");
        var statuses = new List<HttpResponseMessage>();
        for (var i = 0; i < 60; i++) statuses.Add(await client.GetAsync("/api/settings"));
        var refused = statuses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.NotEmpty(refused);
        Assert.True(refused[0].Headers.RetryAfter is not null);
        Assert.Equal("application/problem+json", refused[0].Content.Headers.ContentType?.MediaType);
        // Another user is not held back by the first one's burst.
        Assert.Equal(HttpStatusCode.OK, (await _service.ClientFor("calm@outlook.com").GetAsync("/api/settings")).StatusCode);
    }

    public static TheoryData<string, string, string?> MalformedRequests => new()
    {
        { "PUT", "/api/settings", "{ not json" },
        { "PUT", "/api/settings", "[]" },
        { "PUT", "/api/settings", """{"maxFollowUps": 9}""" },
        { "PUT", "/api/settings", """{"maxFollowUps": "three"}""" },
        { "PUT", "/api/settings", """{"holidays": ["not a date"]}""" },
        { "PUT", "/api/processes/x/facts", """{"decisionDate": "soon"}""" },
        { "PUT", "/api/processes/x/facts", """{"channel": "carrier pigeon"}""" },
        { "PUT", "/api/processes/x/facts", "" },
        { "GET", "/api/events/%01%02%7F/plan", null },
        { "GET", "/api/events/" + new string('a', 5000) + "/plan", null },
        { "GET", "/api/events/..%2F..%2Fme/plan", null },
        { "GET", "/api/processes/%E2%98%83", null },
        { "POST", "/api/processes/'%3B drop table Users;--/drafts", null },
        { "POST", "/api/processes/x/reminders/%FF%FE/accept", null },
    };

    [Theory]
    [MemberData(nameof(MalformedRequests))]
    public async Task MalformedRequestsGetAClearClientErrorNeverA5xx(string method, string path, string? body)
    {
        var client = _service!.ClientFor("fuzz-" + Guid.NewGuid().ToString("N")[..6] + "@outlook.com");
        var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = body is null ? null : Json(body) };
        var response = await client.SendAsync(request);
        Assert.InRange((int)response.StatusCode, 400, 499);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("   at ", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ApiResponsesCarrySecurityHeaders()
    {
        var response = await _service!.ClientFor(Ann).GetAsync("/api/settings");
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        Assert.Contains("frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
    }

    [Fact]
    public async Task TheOpenApiDocumentDescribesThePanesEndpoints()
    {
        var doc = JsonNode.Parse(await _service!.CreateClient().GetStringAsync("/openapi/v1.json"))!;
        var paths = doc["paths"]!.AsObject().Select(p => p.Key).ToList();
        Assert.Contains("/api/events/{eventId}/plan", paths);
        Assert.Contains("/api/processes/{processKey}/facts", paths);
        Assert.Contains("/api/settings", paths);
    }
}
