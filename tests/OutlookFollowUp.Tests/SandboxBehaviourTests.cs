using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using OutlookFollowUp.GraphSandbox;

namespace OutlookFollowUp.Tests;

/// <summary>What the sandbox promises the product's tests: Graph's limits, isolation, keyed items, never a send.</summary>
public class SandboxBehaviourTests(SandboxFixture fixture) : IClassFixture<SandboxFixture>
{
    private const string KeyProperty = "String {6b1f3c2e-8d4a-4f7e-9a51-0c2d7e9b4f18} Name OutlookFollowUpStepKey";

    private HttpClient Mailbox(out string address)
    {
        address = $"u{Guid.NewGuid():N}@contoso.com";
        fixture.Sandbox.AddMailbox(address, "Alex Rivera", "Pacific Standard Time");
        return fixture.ClientFor(address);
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task<JsonNode> Body(HttpResponseMessage response) => JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

    [Fact]
    public async Task AKeyedDraftCanBeFoundByItsKey()
    {
        var client = Mailbox(out _);
        var draft = new JsonObject
        {
            ["subject"] = "Thank you",
            ["toRecipients"] = new JsonArray(new JsonObject { ["emailAddress"] = new JsonObject { ["address"] = "dana@fabrikam.com" } }),
            ["singleValueExtendedProperties"] = new JsonArray(new JsonObject { ["id"] = KeyProperty, ["value"] = "ofu1-ty-abc" }),
        };
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsync("me/messages", Json(draft.ToJsonString()))).StatusCode);
        await client.PostAsync("me/messages", Json("{\"subject\": \"unrelated\"}"));

        var filter = Uri.EscapeDataString($"singleValueExtendedProperties/any(ep: ep/id eq '{KeyProperty}' and ep/value eq 'ofu1-ty-abc')");
        var expand = Uri.EscapeDataString($"singleValueExtendedProperties($filter=id eq '{KeyProperty}')");
        var found = await Body(await client.GetAsync($"me/messages?$filter={filter}&$expand={expand}"));
        var item = Assert.Single(found["value"]!.AsArray())!;
        Assert.Equal("Thank you", (string?)item["subject"]);
        Assert.Equal("ofu1-ty-abc", (string?)item["singleValueExtendedProperties"]![0]!["value"]);
        // Without $expand, Graph does not return extended properties.
        var plain = await Body(await client.GetAsync($"me/messages?$filter={filter}"));
        Assert.Null(plain["value"]![0]!["singleValueExtendedProperties"]);
    }

    [Fact]
    public async Task AFifthConcurrentRequestToOneMailboxIsThrottledAndCounted()
    {
        var sandbox = new GraphSandbox.GraphSandbox(new SandboxOptions { Latency = TimeSpan.FromMilliseconds(300) }, TimeProvider.System);
        sandbox.AddMailbox("alex@contoso.com", "Alex");
        sandbox.AddMailbox("sam@contoso.com", "Sam");
        SandboxRequest Get(string who) => new("GET", "/me/messages", new Dictionary<string, string>(),
            new Dictionary<string, string> { ["Authorization"] = "Bearer sandbox:" + who }, null, "http://sandbox/v1.0");
        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => sandbox.HandleAsync(Get("alex@contoso.com")))
            .Append(sandbox.HandleAsync(Get("sam@contoso.com"))));
        Assert.Equal(5, responses.Count(r => r.Status == 200)); // four for Alex, one for Sam: limits are per mailbox
        var throttled = responses.Where(r => r.Status == 429).ToList();
        Assert.Equal(2, throttled.Count);
        Assert.All(throttled, r =>
        {
            Assert.Equal("1.5", r.Headers["Retry-After"]);
            Assert.Equal("TooManyRequests", (string?)r.Body!["error"]!["code"]);
            Assert.Equal("Application is over its MailboxConcurrency limit.", (string?)r.Body["error"]!["innerError"]!["message"]);
            SandboxContractTests.AssertSameShape(JsonNode.Parse(File.ReadAllText(Path.Combine(Path.GetDirectoryName(Report.FindRoot())!,
                "shared", "graph-docs-examples", "throttling.429.json")))!["responseBody"], r.Body);
        });
        Assert.Equal(2, sandbox.ThrottleViolations);
    }

    [Fact]
    public async Task TheRateLimitCountsRequestsPerMailboxInItsWindow()
    {
        var sandbox = new GraphSandbox.GraphSandbox(new SandboxOptions { RequestsPerWindow = 3 }, TimeProvider.System);
        sandbox.AddMailbox("alex@contoso.com", "Alex");
        var get = new SandboxRequest("GET", "/me", new Dictionary<string, string>(), new Dictionary<string, string> { ["Authorization"] = "Bearer sandbox:alex@contoso.com" }, null, "http://sandbox/v1.0");
        var statuses = new List<int>();
        for (var i = 0; i < 5; i++) statuses.Add((await sandbox.HandleAsync(get)).Status);
        Assert.Equal([200, 200, 200, 429, 429], statuses);
    }

    [Fact]
    public async Task SendingMailIsRefusedAndCounted()
    {
        var client = Mailbox(out _);
        var before = fixture.Sandbox.SendAttempts;
        var draft = await Body(await client.PostAsync("me/messages", Json("{\"subject\": \"hi\"}")));
        var send = await client.PostAsync($"me/messages/{Uri.EscapeDataString((string)draft["id"]!)}/send", null);
        var sendMail = await client.PostAsync("me/sendMail", Json("{\"message\": {\"subject\": \"hi\"}}"));
        Assert.Equal(HttpStatusCode.Forbidden, send.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, sendMail.StatusCode);
        Assert.True(fixture.Sandbox.SendAttempts >= before + 2);
    }

    [Fact]
    public async Task TheUserPressingSendMovesTheDraftToSentItems()
    {
        var client = Mailbox(out var address);
        var draft = await Body(await client.PostAsync("me/messages", Json("{\"subject\": \"Thank you\"}")));
        Assert.NotNull(fixture.Sandbox.SendAsUser(address, (string)draft["id"]!));
        var sent = await Body(await client.GetAsync("me/mailFolders/sentitems/messages"));
        var item = Assert.Single(sent["value"]!.AsArray())!;
        Assert.False((bool)item["isDraft"]!);
        Assert.Empty((await Body(await client.GetAsync("me/mailFolders/drafts/messages")))["value"]!.AsArray());
    }

    [Fact]
    public async Task OneMailboxNeverSeesAnothersItems()
    {
        var alex = Mailbox(out _);
        var sam = Mailbox(out _);
        var draft = await Body(await alex.PostAsync("me/messages", Json("{\"subject\": \"private\"}")));
        Assert.Empty((await Body(await sam.GetAsync("me/messages")))["value"]!.AsArray());
        Assert.Equal(HttpStatusCode.NotFound, (await sam.GetAsync($"me/messages/{Uri.EscapeDataString((string)draft["id"]!)}")).StatusCode);
    }

    [Fact]
    public async Task ListsArePagedWithANextLink()
    {
        var client = Mailbox(out _);
        for (var i = 0; i < 5; i++) await client.PostAsync("me/messages", Json($"{{\"subject\": \"m{i}\"}}"));
        var first = await Body(await client.GetAsync("me/messages?$top=2"));
        Assert.Equal(2, first["value"]!.AsArray().Count);
        var seen = first["value"]!.AsArray().Select(m => (string?)m!["id"]).ToList();
        var next = (string?)first["@odata.nextLink"];
        while (next is not null)
        {
            var page = await Body(await client.GetAsync(next));
            seen.AddRange(page["value"]!.AsArray().Select(m => (string?)m!["id"]));
            next = (string?)page["@odata.nextLink"];
        }
        Assert.Equal(5, seen.Distinct().Count());
    }

    [Fact]
    public async Task ABatchOfMoreThanTwentyIsRefusedAndDependsOnOrdersItems()
    {
        var client = Mailbox(out _);
        var tooMany = new JsonObject { ["requests"] = new JsonArray(Enumerable.Range(1, 21).Select(i => (JsonNode?)new JsonObject { ["id"] = $"{i}", ["method"] = "GET", ["url"] = "/me" }).ToArray()) };
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsync("$batch", Json(tooMany.ToJsonString()))).StatusCode);

        var ordered = new JsonObject
        {
            ["requests"] = new JsonArray(
                new JsonObject { ["id"] = "1", ["method"] = "GET", ["url"] = "/me/messages/AAMkMissing" },
                new JsonObject { ["id"] = "2", ["method"] = "POST", ["url"] = "/me/messages", ["body"] = new JsonObject { ["subject"] = "x" }, ["headers"] = new JsonObject { ["Content-Type"] = "application/json" }, ["dependsOn"] = new JsonArray("1") },
                new JsonObject { ["id"] = "3", ["method"] = "GET", ["url"] = "/me/mailboxSettings" }),
        };
        var result = await Body(await client.PostAsync("$batch", Json(ordered.ToJsonString())));
        var byId = result["responses"]!.AsArray().ToDictionary(r => (string)r!["id"]!, r => (int)r!["status"]!);
        Assert.Equal(404, byId["1"]);
        Assert.Equal(424, byId["2"]); // its dependency failed, so it never ran
        Assert.Equal(200, byId["3"]);
    }

    [Fact]
    public async Task ABatchRunsItsItemsFourAtATimeAndTheLogSaysInHowManyRounds()
    {
        // The benchmarks measure a sweep against Graph's own time for its requests: a batch of six is two rounds.
        var client = Mailbox(out var address);
        var six = new JsonObject { ["requests"] = new JsonArray(Enumerable.Range(1, 6).Select(i => (JsonNode?)new JsonObject { ["id"] = $"{i}", ["method"] = "GET", ["url"] = "/me" }).ToArray()) };
        var before = fixture.Sandbox.Log.Count;
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("$batch", Json(six.ToJsonString()))).StatusCode);
        var logged = fixture.Sandbox.Log.Skip(before).ToList();
        Assert.Equal(6, logged.Count(e => e.InBatch && e.Mailbox == address));
        Assert.Equal(2, logged.Single(e => !e.InBatch && e.Path == "/$batch").Rounds);
    }

    [Fact]
    public async Task BadRequestsGetGraphsErrorBodyNeverA500()
    {
        var client = Mailbox(out _);
        var noToken = new HttpClient { BaseAddress = new Uri(fixture.BaseUrl + "/v1.0/") };
        Assert.Equal(HttpStatusCode.Unauthorized, (await noToken.GetAsync("me/messages")).StatusCode);
        foreach (var response in new[]
                 {
                     await client.PostAsync("me/messages", Json("{ not json")),
                     await client.GetAsync("me/messages?$filter=" + Uri.EscapeDataString("subject eq 'unterminated")),
                     await client.GetAsync("me/messages?$filter=" + Uri.EscapeDataString("subject has 'x'")),
                     await client.GetAsync("me/messages?$top=0"),
                     await client.GetAsync("me/messages?$skiptoken=%%%"),
                     await client.GetAsync("me/calendarView"),
                     await client.PostAsync("$batch", Json("{\"requests\": 5}")),
                 })
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.NotNull((await Body(response))["error"]!["code"]);
        }
    }
}

/// <summary>The $filter subset, unit by unit.</summary>
public class ODataFilterTests
{
    private static readonly JsonObject Message = JsonNode.Parse("""
        {"subject": "let's meet for lunch?", "receivedDateTime": "2026-03-10T17:00:00Z", "isRead": false,
         "from": {"emailAddress": {"address": "dana@fabrikam.com"}},
         "singleValueExtendedProperties": [{"id": "String {6b1f3c2e-8d4a-4f7e-9a51-0c2d7e9b4f18} Name OutlookFollowUpStepKey", "value": "ofu1-ty-1"}]}
        """)!.AsObject();

    [Theory]
    [InlineData("receivedDateTime ge 2026-03-10T00:00:00Z", true)]
    [InlineData("receivedDateTime lt 2026-03-10T16:59:59Z", false)]
    [InlineData("receivedDateTime ge 2026-03-01 and receivedDateTime lt 2026-04-01", true)]
    [InlineData("subject eq 'let''s meet for lunch?'", true)]
    [InlineData("from/emailAddress/address eq 'DANA@fabrikam.com'", true)]
    [InlineData("isRead eq false and not (isRead eq true)", true)]
    [InlineData("singleValueExtendedProperties/any(ep: ep/id eq 'String {6b1f3c2e-8d4a-4f7e-9a51-0c2d7e9b4f18} Name OutlookFollowUpStepKey' and ep/value eq 'ofu1-ty-1')", true)]
    [InlineData("singleValueExtendedProperties/any(ep:ep/Value eq 'ofu1-ty-2')", false)]
    [InlineData("contains(subject, 'LUNCH') or startswith(subject, 'x')", true)]
    public void FiltersSelectWhatGraphWouldSelect(string filter, bool matches) =>
        Assert.Equal(matches, ODataFilter.Parse(filter)(Message));

    [Theory]
    [InlineData("subject eq 'unterminated")]
    [InlineData("subject has 'x'")]
    [InlineData("(subject eq 'x'")]
    [InlineData("subject eq")]
    public void AFilterTheSandboxCannotReadIsRefused(string filter) =>
        Assert.Throws<FilterException>(() => ODataFilter.Parse(filter));
}

/// <summary>Regression: an item posted with the SDK's "@odata.type" broke every later delta of its folder (a 500).</summary>
public class SandboxDeltaRegressionTests
{
    [Fact]
    public async Task ADeltaFeedCarriesAnItemPostedWithItsODataType()
    {
        var s = new GraphSandbox.GraphSandbox(new SandboxOptions(), TimeProvider.System);
        s.AddMailbox("a@x.com", "A", "UTC");
        var headers = new Dictionary<string, string> { ["Authorization"] = "Bearer sandbox:a@x.com" };
        var none = new Dictionary<string, string>();
        var created = await s.HandleAsync(new SandboxRequest("POST", "/me/messages", none, headers,
            System.Text.Json.Nodes.JsonNode.Parse("""{"@odata.type":"#microsoft.graph.message","subject":"hi"}"""), "http://x/v1.0"));
        var first = await s.HandleAsync(new SandboxRequest("GET", "/me/mailFolders/sentitems/messages/delta()", none, headers, null, "http://x/v1.0"));
        s.SendAsUser("a@x.com", (string)created.Body!["id"]!);
        var link = (string)first.Body!["@odata.deltaLink"]!;
        var token = link[(link.IndexOf('=') + 1)..];
        var next = await s.HandleAsync(new SandboxRequest("GET", "/me/mailFolders/sentitems/messages/delta()",
            new Dictionary<string, string> { ["$deltatoken"] = token }, headers, null, "http://x/v1.0"));
        Assert.Equal(200, next.Status);
        Assert.Equal("hi", (string?)next.Body!["value"]![0]!["subject"]);
    }
}
