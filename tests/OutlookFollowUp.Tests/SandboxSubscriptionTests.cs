using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using OutlookFollowUp.GraphSandbox;

namespace OutlookFollowUp.Tests;

/// <summary>
/// The sandbox's /subscriptions (issue 15), held to Microsoft's documented example and to the subscription entity of
/// Graph's v1.0 schema: the validation handshake, notifications on change, renewal, deletion, expiry and lost
/// notifications.
/// </summary>
public sealed class SandboxSubscriptionTests(SandboxFixture fixture) : IClassFixture<SandboxFixture>
{
    private static readonly string Shared = Path.Combine(Path.GetDirectoryName(Report.FindRoot())!, "shared");

    /// <summary>A notification endpoint in the test: echoes validation tokens (or not), refuses the first notifications it is asked to, keeps what it takes.</summary>
    private sealed class Receiver(bool validates = true, int refuse = 0) : HttpMessageHandler
    {
        private int _refused;
        public ConcurrentQueue<JsonObject> Received { get; } = new();
        public int Refused => Volatile.Read(ref _refused);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var query = System.Web.HttpUtility.ParseQueryString(request.RequestUri!.Query);
            if (query["validationToken"] is { } token)
                return validates ? new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(token, Encoding.UTF8, "text/plain") }
                    : new HttpResponseMessage(HttpStatusCode.NotFound);
            if (Interlocked.Increment(ref _refused) <= refuse) return new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
            Interlocked.Decrement(ref _refused);
            foreach (var n in ((JsonArray)JsonNode.Parse(await request.Content!.ReadAsStringAsync(cancellationToken))!["value"]!).OfType<JsonObject>())
                Received.Enqueue((JsonObject)n.DeepClone());
            return new HttpResponseMessage(HttpStatusCode.Accepted);
        }
    }

    private (HttpClient Client, string Address, Receiver Receiver) NewMailbox(bool validates = true)
    {
        var address = $"s{Guid.NewGuid():N}@contoso.com";
        var box = fixture.Sandbox.AddMailbox(address, "Alex Rivera", "Pacific Standard Time");
        var receiver = new Receiver(validates);
        fixture.Sandbox.NotificationClient = new HttpClient(receiver);
        return (fixture.ClientFor(address), address, receiver);
    }

    private static JsonObject Body(string resource, DateTimeOffset expires, string changeType = "created,updated,deleted") => new()
    {
        ["changeType"] = changeType,
        ["notificationUrl"] = "https://webhook.example.com/api/notifications",
        ["lifecycleNotificationUrl"] = "https://webhook.example.com/api/notifications/lifecycle",
        ["resource"] = resource,
        ["expirationDateTime"] = expires.UtcDateTime.ToString("o"),
        ["clientState"] = "secretClientValue",
    };

    private static async Task<(HttpStatusCode Status, JsonObject? Body)> SendAsync(HttpClient client, HttpMethod method, string url, JsonObject? body = null)
    {
        using var request = new HttpRequestMessage(method, url);
        if (body is not null) request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length > 0 ? (JsonObject)JsonNode.Parse(text)! : null);
    }

    [Fact]
    public async Task CreatingASubscriptionAnswersAsTheDocumentedExampleWithOnlyTheSchemasProperties()
    {
        var (client, _, _) = NewMailbox();
        var example = (JsonObject)JsonNode.Parse(File.ReadAllText(Path.Combine(Shared, "graph-docs-examples", "subscription-post-subscriptions.json")))!;
        var body = (JsonObject)example["requestBody"]!.DeepClone();
        body["expirationDateTime"] = DateTimeOffset.UtcNow.AddDays(2).UtcDateTime.ToString("o"); // the docs' 2016 date is past

        var (status, created) = await SendAsync(client, HttpMethod.Post, "subscriptions", body);

        Assert.Equal((HttpStatusCode)(int)example["status"]!, status);
        var schema = XDocument.Load(Path.Combine(Shared, "graph-metadata", "v1.0-Prod.csdl")).Descendants()
            .Single(e => e.Name.LocalName == "EntityType" && (string?)e.Attribute("Name") == "subscription")
            .Elements().Where(e => e.Name.LocalName == "Property").Select(e => (string)e.Attribute("Name")!).Append("id").ToHashSet();
        // The example (2021) shows notificationContentType, which the v1.0 schema does not define: the schema wins.
        var documented = (JsonObject)example["responseBody"]!.DeepClone();
        foreach (var key in documented.Select(kv => kv.Key).Where(k => !k.StartsWith('@') && !schema.Contains(k)).ToList()) documented.Remove(key);
        Assert.True(documented.Count >= 10, "the example keeps its properties but one");
        SandboxContractTests.AssertSameShape(documented, created);
        Assert.Empty(GraphSchema.V1.Value.Check(created, "subscription"));
        Assert.Equal("secretClientValue", (string?)created!["clientState"]);
    }

    [Fact]
    public async Task AnEndpointThatDoesNotEchoTheValidationTokenGetsNoSubscription()
    {
        var (client, _, _) = NewMailbox(validates: false);
        var (status, error) = await SendAsync(client, HttpMethod.Post, "subscriptions", Body("me/mailFolders('Inbox')/messages", DateTimeOffset.UtcNow.AddDays(1)));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("validation", (string?)error!["error"]!["message"], StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task AnExpirationBeyondOutlooksLimitIsRefused()
    {
        var (client, _, _) = NewMailbox();
        var (status, _) = await SendAsync(client, HttpMethod.Post, "subscriptions", Body("me/events", DateTimeOffset.UtcNow.AddDays(8)));
        Assert.Equal(HttpStatusCode.BadRequest, status);
    }

    [Fact]
    public async Task ANewMessageInTheFolderIsNotifiedWithTheClientStateAndOthersAreNot()
    {
        var (client, address, receiver) = NewMailbox();
        var (_, inbox) = await SendAsync(client, HttpMethod.Post, "subscriptions", Body("me/mailFolders('Inbox')/messages", DateTimeOffset.UtcNow.AddDays(1), "created"));
        fixture.Sandbox.Deliver(address, new JsonObject
        {
            ["subject"] = "Next steps",
            ["from"] = new JsonObject { ["emailAddress"] = new JsonObject { ["name"] = "Dana", ["address"] = "dana@fabrikam.com" } },
            ["body"] = new JsonObject { ["contentType"] = "text", ["content"] = "Hello" },
        });
        await client.PostAsync("me/events", new StringContent(new JsonObject { ["subject"] = "Lunch", ["start"] = new JsonObject { ["dateTime"] = "2026-03-10T12:00:00", ["timeZone"] = "UTC" }, ["end"] = new JsonObject { ["dateTime"] = "2026-03-10T13:00:00", ["timeZone"] = "UTC" } }.ToJsonString(), Encoding.UTF8, "application/json"));
        await fixture.Sandbox.FlushNotificationsAsync();

        var n = Assert.Single(receiver.Received);
        Assert.Equal((string?)inbox!["id"], (string?)n["subscriptionId"]);
        Assert.Equal("created", (string?)n["changeType"]);
        Assert.Equal("secretClientValue", (string?)n["clientState"]);
        Assert.StartsWith("Users/", (string?)n["resource"]);
        Assert.Equal("#Microsoft.Graph.Message", (string?)n["resourceData"]!["@odata.type"]);
    }

    [Fact]
    public async Task ARenewedSubscriptionKeepsItsIdAndADeletedOneIsGone()
    {
        var (client, _, _) = NewMailbox();
        var (_, created) = await SendAsync(client, HttpMethod.Post, "subscriptions", Body("me/events", DateTimeOffset.UtcNow.AddHours(1)));
        var id = (string)created!["id"]!;
        var later = DateTimeOffset.UtcNow.AddDays(3);
        var (status, renewed) = await SendAsync(client, HttpMethod.Patch, $"subscriptions/{id}", new JsonObject { ["expirationDateTime"] = later.UtcDateTime.ToString("o") });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(id, (string?)renewed!["id"]);
        Assert.Equal(later.UtcDateTime, DateTimeOffset.Parse((string)renewed["expirationDateTime"]!).UtcDateTime, TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(client, HttpMethod.Delete, $"subscriptions/{id}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(client, HttpMethod.Get, $"subscriptions/{id}")).Status);
    }

    [Fact]
    public async Task LostNotificationsAreCountedNotSent()
    {
        var (client, address, receiver) = NewMailbox();
        await SendAsync(client, HttpMethod.Post, "subscriptions", Body("me/mailFolders('Inbox')/messages", DateTimeOffset.UtcNow.AddDays(1), "created"));
        fixture.Sandbox.DropNotificationsAt(1.0);
        try
        {
            fixture.Sandbox.Deliver(address, new JsonObject { ["subject"] = "Lost", ["body"] = new JsonObject { ["contentType"] = "text", ["content"] = "x" } });
            await fixture.Sandbox.FlushNotificationsAsync();
            Assert.Empty(receiver.Received);
            Assert.True(fixture.Sandbox.NotificationsDropped > 0);
        }
        finally
        {
            fixture.Sandbox.DropNotificationsAt(0);
        }
    }

    /// <summary>A sandbox of the test's own (its retry timings), with a mailbox subscribed to its Inbox and a message delivered.</summary>
    private static async Task<(SandboxServer Server, Receiver Receiver)> RefusingAsync(SandboxOptions options, int refuse)
    {
        var server = await SandboxServer.StartAsync(TimeProvider.System, options);
        var address = "refusing@contoso.com";
        server.Sandbox.AddMailbox(address, "Alex Rivera", "Pacific Standard Time");
        var receiver = new Receiver(refuse: refuse);
        server.Sandbox.NotificationClient = new HttpClient(receiver);
        using var client = server.ClientFor(address);
        Assert.Equal(HttpStatusCode.Created, (await SendAsync(client, HttpMethod.Post, "subscriptions", Body("me/mailFolders('Inbox')/messages", DateTimeOffset.UtcNow.AddDays(1), "created"))).Status);
        server.Sandbox.Deliver(address, new JsonObject { ["subject"] = "Next steps", ["body"] = new JsonObject { ["contentType"] = "text", ["content"] = "Hello" } });
        await server.Sandbox.FlushNotificationsAsync();
        return (server, receiver);
    }

    private static async Task UntilAsync(Func<bool> done)
    {
        for (var i = 0; i < 100 && !done(); i++) await Task.Delay(100);
    }

    [Fact]
    public async Task ANotificationTheEndpointRefusesIsPostedAgainUntilItIsTaken()
    {
        var (server, receiver) = await RefusingAsync(new SandboxOptions { NotificationRetryFirst = TimeSpan.FromMilliseconds(50) }, refuse: 2);
        await using var _ = server;
        await UntilAsync(() => !receiver.Received.IsEmpty);
        Assert.Single(receiver.Received);
        Assert.Equal(2, receiver.Refused);
        Assert.Equal(2, server.Sandbox.NotificationsRetried);
        Assert.Equal(0, server.Sandbox.NotificationsGivenUp);
    }

    [Fact]
    public async Task ANotificationNeverTakenIsGivenUpWhenGraphsRetryPeriodEnds()
    {
        // Graph retries for four hours; here for 500 ms: posted at 0, 100 and 300 ms; the next, at 700 ms, would pass the end.
        var (server, receiver) = await RefusingAsync(new SandboxOptions
        {
            NotificationRetryFirst = TimeSpan.FromMilliseconds(100), NotificationRetryFor = TimeSpan.FromMilliseconds(500),
        }, refuse: int.MaxValue);
        await using var _ = server;
        await UntilAsync(() => server.Sandbox.NotificationsGivenUp > 0);
        Assert.Equal(1, server.Sandbox.NotificationsGivenUp);
        Assert.Equal(2, server.Sandbox.NotificationsRetried);
        Assert.Empty(receiver.Received);
    }

    [Fact]
    public async Task DelayedNotificationsArriveOnlyAfterTheirDelay()
    {
        var (client, address, receiver) = NewMailbox();
        await SendAsync(client, HttpMethod.Post, "subscriptions", Body("me/mailFolders('Inbox')/messages", DateTimeOffset.UtcNow.AddDays(1), "created"));
        fixture.Sandbox.DelayNotifications = TimeSpan.FromSeconds(1);
        try
        {
            fixture.Sandbox.Deliver(address, new JsonObject { ["subject"] = "Late", ["body"] = new JsonObject { ["contentType"] = "text", ["content"] = "x" } });
            Assert.Empty(receiver.Received);
            await fixture.Sandbox.FlushNotificationsAsync();
            Assert.Single(receiver.Received);
        }
        finally
        {
            fixture.Sandbox.DelayNotifications = TimeSpan.Zero;
        }
    }
}
