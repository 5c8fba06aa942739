using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OutlookFollowUp.Api.Data;
using OutlookFollowUp.Api.Sweep;
using static OutlookFollowUp.Tests.ServiceEndToEndTests;

namespace OutlookFollowUp.Tests;

/// <summary>
/// The mail index: kept from the delta feeds, headers only; replans read it and fetch the text of what they read by
/// id, so a replan's Graph traffic does not grow with the mailbox's age or its unrelated mail.
/// </summary>
public class MailIndexTests
{
    private const string Jordan = "jordan.lee@outlook.com";

    private sealed record Setup(SandboxServer Server, ServiceFactory Service, Sweeper Sweeper, ManualClock Clock) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Service.DisposeAsync();
            await Server.DisposeAsync();
        }

        public async Task<List<MailRecord>> IndexAsync()
        {
            using var scope = Service.Services.CreateScope();
            return await scope.ServiceProvider.GetRequiredService<AppDb>().Mail.AsNoTracking().ToListAsync();
        }

        /// <summary>The user deleting a message in Outlook (through Graph, as any client does).</summary>
        public async Task DeleteAsync(string messageId)
        {
            using var http = new HttpClient { BaseAddress = new Uri(Server.BaseUrl + "/v1.0/") };
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "sandbox:" + Jordan);
            Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync($"me/messages/{Uri.EscapeDataString(messageId)}")).StatusCode);
        }

        /// <summary>The ids whose text Graph was asked for (GET me/messages/{id} inside a $batch) since <paramref name="from"/>.</summary>
        public List<string> TextsAsked(int from) => Server.Sandbox.Log.Skip(from)
            .Where(l => l.InBatch && l.Method == "GET" && l.Path.StartsWith("/me/messages/", StringComparison.Ordinal))
            .Select(l => Uri.UnescapeDataString(l.Path["/me/messages/".Length..])).ToList();
    }

    /// <summary>An interview a week ago at Contoso, a reply from its recruiter, and a busy inbox of unrelated job alerts.</summary>
    private static async Task<(Setup Setup, string Reply)> BusyAsync(int alerts)
    {
        var clock = new ManualClock(DateTimeOffset.Parse("2026-11-24T20:00:00Z"));
        var server = await SandboxServer.StartAsync(clock);
        server.Sandbox.AddMailbox(Jordan, "Jordan Lee", "Pacific Standard Time");
        server.Sandbox.DeliverEvent(Jordan, Interview("Interview: Data Engineer at Contoso", "2026-11-17T09:00:00", "2026-11-17T11:00:00", "Pacific Standard Time",
            Person("Maya Patel", "maya.patel@contoso.com"), Person("Jordan Lee", Jordan), Person("Sam Ortiz", "sam.ortiz@contoso.com")));
        for (var i = 0; i < alerts; i++)
            server.Sandbox.Deliver(Jordan, new JsonObject
            {
                ["subject"] = $"Job alert {i}: 25 new jobs for you",
                ["body"] = new JsonObject { ["contentType"] = "text", ["content"] = "New jobs matching your search." },
                ["from"] = Person("Jobs", "alerts@jobs.example.com"),
                ["toRecipients"] = new JsonArray(Person("Jordan Lee", Jordan)),
                ["receivedDateTime"] = DateTimeOffset.Parse("2026-11-23T00:00:00Z").AddDays(-i % 300).ToString("yyyy-MM-ddTHH:mm:ssZ"),
            });
        var reply = server.Sandbox.Deliver(Jordan, new JsonObject
        {
            ["subject"] = "Re: Data Engineer",
            ["body"] = new JsonObject { ["contentType"] = "text", ["content"] = "Thanks Jordan, we are still interviewing and will be in touch by December 4." },
            ["from"] = Person("Maya Patel", "maya.patel@contoso.com"),
            ["toRecipients"] = new JsonArray(Person("Jordan Lee", Jordan)),
            ["receivedDateTime"] = "2026-11-20T18:00:00Z",
        })!;
        var service = new ServiceFactory(server.BaseUrl + "/v1.0").WithClock(clock);
        Assert.Equal(HttpStatusCode.OK, (await service.ClientFor(Jordan).GetAsync("/api/me")).StatusCode);
        return (new Setup(server, service, service.Services.GetRequiredService<Sweeper>(), clock), (string)reply["id"]!);
    }

    [Fact]
    public async Task TheIndexKeepsHeadersAndNeverTheTextOfAnyMessage()
    {
        var (setup, reply) = await BusyAsync(alerts: 30);
        await using var _ = setup;
        await setup.Sweeper.RunOnceAsync(setup.Clock.GetUtcNow());

        var index = await setup.IndexAsync();
        Assert.Equal(31, index.Count(r => r.Folder == "inbox"));
        Assert.Contains(index, r => r.MessageId == reply);
        Assert.All(index, r =>
        {
            var json = JsonNode.Parse(r.Json)!.AsObject();
            Assert.False(json.ContainsKey("subject") && json["subject"] is not null, r.Json);
            Assert.False(json.ContainsKey("body") && json["body"] is not null, r.Json);
            Assert.False(json.ContainsKey("bodyPreview") && json["bodyPreview"] is not null, r.Json);
            Assert.DoesNotContain("New jobs matching", r.Json);
            Assert.DoesNotContain("still interviewing", r.Json);
        });
    }

    [Fact]
    public async Task AReplanReadsTheIndexAndFetchesTheTextOfTheEmployersMailAloneWhateverTheInboxHolds()
    {
        var (setup, reply) = await BusyAsync(alerts: 300);
        await using var _ = setup;
        await setup.Sweeper.RunOnceAsync(setup.Clock.GetUtcNow());

        // A day on, the plans wake by time alone: the feeds (one $batch), then the texts the plans read (one more).
        setup.Clock.Advance(TimeSpan.FromDays(1));
        var before = setup.Server.Sandbox.Log.Count;
        var requestsBefore = setup.Server.Sandbox.Log.Count(l => !l.InBatch);
        var pass = await setup.Sweeper.RunOnceAsync(setup.Clock.GetUtcNow());
        Assert.Equal(1, pass.Planned);
        Assert.True(setup.Server.Sandbox.Log.Count(l => !l.InBatch) - requestsBefore <= 2 + (pass.Writes.Created > 0 ? 1 : 0),
            string.Join("\n", setup.Server.Sandbox.Log.Skip(before).Select(l => $"{l.Method} {l.Path} {(l.InBatch ? "(in batch)" : "")}")));
        Assert.Equal([reply], setup.TextsAsked(before));
    }

    [Fact]
    public async Task OpeningThePaneOnAKeptInterviewIsOneRoundTripThatReadsNoUnrelatedBody()
    {
        var (setup, reply) = await BusyAsync(alerts: 300);
        await using var _ = setup;
        await setup.Sweeper.RunOnceAsync(setup.Clock.GetUtcNow());
        string eventId;
        var box = setup.Server.Sandbox.Find(Jordan)!;
        lock (box.Gate) eventId = (string)box.Events.Values.Single(e => (string?)e["subject"] == "Interview: Data Engineer at Contoso")["id"]!;

        setup.Clock.Advance(TimeSpan.FromMinutes(1));
        var before = setup.Server.Sandbox.Log.Count;
        var requestsBefore = setup.Server.Sandbox.Log.Count(l => !l.InBatch);
        var open = await setup.Service.ClientFor(Jordan).GetAsync($"/api/events/{Uri.EscapeDataString(eventId)}/plan");
        Assert.Equal(HttpStatusCode.OK, open.StatusCode);
        Assert.Equal(1, setup.Server.Sandbox.Log.Count(l => !l.InBatch) - requestsBefore);
        Assert.Equal([reply], setup.TextsAsked(before));
        var plan = JsonNode.Parse(await open.Content.ReadAsStringAsync())!;
        // The reply was read from its text (without it, a reply reads as "other").
        Assert.NotEqual("other", (string?)plan["plan"]!["process"]!["lastReply"]!["class"]);
    }

    /// <summary>Each top-level $batch of the log since <paramref name="from"/>, with its items' paths (one mailbox: nothing interleaves).</summary>
    private static List<(List<string> Items, int Rounds)> Batches(Setup setup, int from)
    {
        var batches = new List<(List<string>, int)>();
        var items = new List<string>();
        foreach (var l in setup.Server.Sandbox.Log.Skip(from))
        {
            if (l.InBatch) { items.Add(l.Path); continue; }
            if (l.Path == "/$batch") batches.Add((items, l.Rounds));
            items = [];
        }
        return batches;
    }

    [Fact]
    public async Task AFirstSweepReadsTheProfileWithTheTextsSoTheFeedsTakeOneRoundOfGraphs()
    {
        var (setup, reply) = await BusyAsync(alerts: 3);
        await using var _ = setup;
        var before = setup.Server.Sandbox.Log.Count;
        var pass = await setup.Sweeper.RunOnceAsync(setup.Clock.GetUtcNow());
        Assert.Equal(1, pass.Planned);

        var batches = Batches(setup, before);
        // Graph runs four items of a mailbox's $batch at a time: the four feeds alone take one round, a fifth a second.
        Assert.Equal(["/me/calendarView/delta", "/me/mailFolders/drafts/messages/delta", "/me/mailFolders/inbox/messages/delta", "/me/mailFolders/sentitems/messages/delta"],
            batches[0].Items.Order(StringComparer.Ordinal));
        Assert.Equal(1, batches[0].Rounds);
        Assert.Equal(["/me", "/me/mailboxSettings", "/me/messages/" + Uri.EscapeDataString(reply)], batches[1].Items.Order(StringComparer.Ordinal));
        using var scope = setup.Service.Services.CreateScope();
        var user = await scope.ServiceProvider.GetRequiredService<AppDb>().Users.AsNoTracking().SingleAsync(u => u.Address == Jordan);
        Assert.Equal("Pacific Standard Time", user.TimeZone);
        Assert.NotNull(user.ProfileReadUtc);

        // The next day's replan reads the day-old profile again, with its texts: no request of its own.
        setup.Clock.Advance(TimeSpan.FromDays(1.5));
        var next = setup.Server.Sandbox.Log.Count;
        Assert.Equal(1, (await setup.Sweeper.RunOnceAsync(setup.Clock.GetUtcNow())).Planned);
        var later = Batches(setup, next);
        Assert.Equal(4, later[0].Items.Count);
        Assert.Contains("/me/mailboxSettings", later[1].Items);
        Assert.Contains("/me/messages/" + Uri.EscapeDataString(reply), later[1].Items);
    }

    [Fact]
    public async Task OpeningThePaneWhenTheProfileIsADayOldReadsItInTheSameRoundTrip()
    {
        var (setup, reply) = await BusyAsync(alerts: 3);
        await using var _ = setup;
        await setup.Sweeper.RunOnceAsync(setup.Clock.GetUtcNow());
        string eventId;
        var box = setup.Server.Sandbox.Find(Jordan)!;
        lock (box.Gate) eventId = (string)box.Events.Values.Single(e => (string?)e["subject"] == "Interview: Data Engineer at Contoso")["id"]!;

        setup.Clock.Advance(TimeSpan.FromDays(1.5));
        var before = setup.Server.Sandbox.Log.Count;
        var requestsBefore = setup.Server.Sandbox.Log.Count(l => !l.InBatch);
        var open = await setup.Service.ClientFor(Jordan).GetAsync($"/api/events/{Uri.EscapeDataString(eventId)}/plan");
        Assert.Equal(HttpStatusCode.OK, open.StatusCode);
        Assert.Equal(1, setup.Server.Sandbox.Log.Count(l => !l.InBatch) - requestsBefore);
        Assert.Contains("/me/mailboxSettings", Batches(setup, before).Single().Items);
        using var scope = setup.Service.Services.CreateScope();
        var user = await scope.ServiceProvider.GetRequiredService<AppDb>().Users.AsNoTracking().SingleAsync(u => u.Address == Jordan);
        Assert.Equal(setup.Clock.GetUtcNow().UtcDateTime, user.ProfileReadUtc);
    }

    [Fact]
    public async Task AMessageDeletedFromTheMailboxLeavesTheIndex()
    {
        var (setup, reply) = await BusyAsync(alerts: 3);
        await using var _ = setup;
        await setup.Sweeper.RunOnceAsync(setup.Clock.GetUtcNow());
        Assert.Contains(await setup.IndexAsync(), r => r.MessageId == reply);

        await setup.DeleteAsync(reply);
        setup.Clock.Advance(TimeSpan.FromMinutes(10));
        await setup.Sweeper.RunOnceAsync(setup.Clock.GetUtcNow());
        Assert.DoesNotContain(await setup.IndexAsync(), r => r.MessageId == reply);
    }

    [Fact]
    public async Task AFeedThatStartsOverDropsWhatTheFolderNoLongerHolds()
    {
        var (setup, reply) = await BusyAsync(alerts: 3);
        await using var _ = setup;
        await setup.Sweeper.RunOnceAsync(setup.Clock.GetUtcNow());

        // Deleted while the sync state expired: the restarted feed never reports the deletion, it just lacks the message.
        await setup.DeleteAsync(reply);
        setup.Server.Sandbox.ExpireDeltaTokens(Jordan);
        setup.Clock.Advance(TimeSpan.FromMinutes(10));
        await setup.Sweeper.RunOnceAsync(setup.Clock.GetUtcNow());
        var index = await setup.IndexAsync();
        Assert.DoesNotContain(index, r => r.MessageId == reply);
        Assert.Equal(3, index.Count(r => r.Folder == "inbox"));
    }
}
