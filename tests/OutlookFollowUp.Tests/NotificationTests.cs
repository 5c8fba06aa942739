using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OutlookFollowUp.Api.Data;
using OutlookFollowUp.Api.Sweep;
using OutlookFollowUp.GraphSandbox;
using static OutlookFollowUp.Tests.ServiceEndToEndTests;

namespace OutlookFollowUp.Tests;

/// <summary>
/// Graph change notifications (issue 15), the service against the sandbox over HTTP: the sweep subscribes each
/// mailbox (the sandbox's validation request reaches the service's endpoint), a change marks the mailbox due, forged
/// notifications are refused, subscriptions are renewed before Graph's expiry and remade when Graph drops them.
/// </summary>
public sealed class NotificationTests
{
    private const string Jordan = "jordan.lee@outlook.com";

    /// <summary>Jordan's mailbox after an interview, signed up to a service that subscribes to Graph's notifications, swept once.</summary>
    private sealed record Watched(SandboxServer Server, ServiceFactory Service, ManualClock Clock, Sweeper Sweeper) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Service.DisposeAsync();
            await Server.DisposeAsync();
        }

        /// <summary>Maya's rejection arrives, and the notifications it causes are delivered.</summary>
        public async Task RejectionArrivesAsync()
        {
            Server.Sandbox.Deliver(Jordan, new JsonObject
            {
                ["subject"] = "Your application for Data Engineer",
                ["from"] = Person("Maya Patel", "maya.patel@contoso.com"),
                ["toRecipients"] = new JsonArray(Person("Jordan Lee", Jordan)),
                ["body"] = new JsonObject { ["contentType"] = "text", ["content"] = "Hi Jordan, unfortunately we have decided to move forward with other candidates." },
            });
            await Server.Sandbox.FlushNotificationsAsync();
        }
    }

    private static async Task<Watched> WatchedAsync(SandboxOptions? graph = null, Dictionary<string, string?>? settings = null)
    {
        var clock = new ManualClock(DateTimeOffset.Parse("2026-11-17T20:00:00Z"));
        var server = await SandboxServer.StartAsync(clock, graph);
        server.Sandbox.AddMailbox(Jordan, "Jordan Lee", "Pacific Standard Time");
        server.Sandbox.DeliverEvent(Jordan, Interview("Interview: Data Engineer at Contoso", "2026-11-17T09:00:00", "2026-11-17T11:00:00", "Pacific Standard Time",
            Person("Maya Patel", "maya.patel@contoso.com"), Person("Jordan Lee", Jordan), Person("Sam Ortiz", "sam.ortiz@contoso.com")));
        var values = new Dictionary<string, string?>
        {
            // No debounce: the test's clock stands still, and each pass is the test's own.
            ["Notifications:PublicUrl"] = "http://localhost/", ["Notifications:Debounce"] = "00:00:00",
        };
        foreach (var (key, value) in settings ?? []) values[key] = value;
        var service = new ServiceFactory(server.BaseUrl + "/v1.0", values).WithClock(clock);
        // Graph posts to the service's public URL; here that is the in-process service.
        server.Sandbox.NotificationClient = service.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await service.ClientFor(Jordan).GetAsync("/api/me")).StatusCode); // signs Jordan up
        var sweeper = service.Services.GetRequiredService<Sweeper>();
        await sweeper.RunOnceAsync(clock.GetUtcNow());
        return new Watched(server, service, clock, sweeper);
    }

    private static async Task<T> InDbAsync<T>(ServiceFactory service, Func<AppDb, Task<T>> read)
    {
        await using var scope = service.Services.CreateAsyncScope();
        return await read(scope.ServiceProvider.GetRequiredService<AppDb>());
    }

    [Fact]
    public async Task TheSweepSubscribesEachMailboxAndThenOnlyTheBackstopPolls()
    {
        await using var watched = await WatchedAsync();
        var (server, service, clock, sweeper) = watched;

        Assert.Equal(3, server.Sandbox.Subscriptions.Count);
        var stored = await InDbAsync(service, db => db.Subscriptions.ToListAsync());
        Assert.Equal(server.Sandbox.Subscriptions.Select(s => s.Id).Order(), stored.Select(s => s.Id).Order());
        Assert.All(stored, s => Assert.Equal(32, s.ClientStateHash.Length)); // the secret itself is not kept
        var user = await InDbAsync(service, db => db.Users.SingleAsync());
        Assert.True(user.NextSweepUtc >= clock.GetUtcNow().UtcDateTime.AddHours(2), $"next sweep {user.NextSweepUtc:O}: the backstop, not the 5-minute poll");

        // Another pass within the day asks Graph for no subscription again.
        var requests = server.Sandbox.Log.Count(l => l.Path.Contains("subscriptions", StringComparison.OrdinalIgnoreCase));
        clock.Advance(TimeSpan.FromHours(3));
        await sweeper.RunOnceAsync(clock.GetUtcNow());
        Assert.Equal(requests, server.Sandbox.Log.Count(l => l.Path.Contains("subscriptions", StringComparison.OrdinalIgnoreCase)));
    }

    [Fact]
    public async Task StoppingTheServiceEndsTheSubscriptionsAndForgetsTheUserButLeavesTheMailboxAlone()
    {
        await using var watched = await WatchedAsync();
        var (server, service, clock, sweeper) = watched;
        var drafts = Folder(server.Sandbox.Find(Jordan)!, "drafts").Count;
        Assert.True(drafts > 0);
        Assert.NotEmpty(await InDbAsync(service, db => db.Events.ToListAsync()));

        var stopped = await service.ClientFor(Jordan).DeleteAsync("/api/me");
        Assert.Equal(HttpStatusCode.NoContent, stopped.StatusCode);

        Assert.Empty(server.Sandbox.Subscriptions);
        Assert.Equal(0, await InDbAsync(service, async db => await db.Users.CountAsync() + await db.Mail.CountAsync() + await db.Events.CountAsync()
            + await db.Processes.CountAsync() + await db.Steps.CountAsync() + await db.Audit.CountAsync() + await db.Subscriptions.CountAsync()));
        // The drafts it wrote are the user's: they stay. A notification for an ended subscription is refused.
        Assert.Equal(drafts, Folder(server.Sandbox.Find(Jordan)!, "drafts").Count);
        await watched.RejectionArrivesAsync();
        var report = await sweeper.RunOnceAsync(clock.GetUtcNow());
        Assert.Equal(0, report.Users);
    }

    [Fact]
    public async Task ANotificationWakesTheRunningSweepRatherThanWaitingForItsNextTick()
    {
        var clock = new ManualClock(DateTimeOffset.Parse("2026-11-17T20:00:00Z"));
        await using var server = await SandboxServer.StartAsync(clock);
        server.Sandbox.AddMailbox(Jordan, "Jordan Lee", "Pacific Standard Time");
        server.Sandbox.DeliverEvent(Jordan, Interview("Interview: Data Engineer at Contoso", "2026-11-17T09:00:00", "2026-11-17T11:00:00", "Pacific Standard Time",
            Person("Maya Patel", "maya.patel@contoso.com"), Person("Jordan Lee", Jordan), Person("Sam Ortiz", "sam.ortiz@contoso.com")));
        // The service's own sweep runs, on a clock that never reaches its next tick: only a wake can start a pass.
        await using var service = new ServiceFactory(server.BaseUrl + "/v1.0", new Dictionary<string, string?>
        {
            ["Notifications:PublicUrl"] = "http://localhost/", ["Notifications:Debounce"] = "00:00:00", ["Sweep:Enabled"] = "true", ["Sweep:Tick"] = "01:00:00",
        }).WithClock(clock);
        server.Sandbox.NotificationClient = service.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await service.ClientFor(Jordan).GetAsync("/api/me")).StatusCode);
        async Task<bool> Within(TimeSpan limit, Func<bool> done)
        {
            for (var waited = TimeSpan.Zero; waited < limit; waited += TimeSpan.FromMilliseconds(100))
            {
                if (done()) return true;
                await Task.Delay(100);
            }
            return done();
        }
        // The first pass (at start, or woken by the sign-up) subscribes the mailbox.
        service.Services.GetRequiredService<Api.Sweep.SweepSignal>().Wake();
        Assert.True(await Within(TimeSpan.FromSeconds(20), () => server.Sandbox.Subscriptions.Count == 3), "the first pass did not subscribe");

        server.Sandbox.Deliver(Jordan, new JsonObject
        {
            ["subject"] = "Your application for Data Engineer",
            ["from"] = Person("Maya Patel", "maya.patel@contoso.com"),
            ["toRecipients"] = new JsonArray(Person("Jordan Lee", Jordan)),
            ["body"] = new JsonObject { ["contentType"] = "text", ["content"] = "Hi Jordan, unfortunately we have decided to move forward with other candidates." },
        });
        await server.Sandbox.FlushNotificationsAsync();
        Assert.True(await Within(TimeSpan.FromSeconds(20), () => Folder(server.Sandbox.Find(Jordan)!, "drafts").Any(d => Key(d)?.StartsWith("ofu1-rr-") == true)),
            "the notification did not wake the sweep");
    }

    [Fact]
    public async Task ANewMessageMarksTheMailboxDueAndTheNextPassReadsIt()
    {
        await using var watched = await WatchedAsync();
        var (server, service, clock, sweeper) = watched;
        clock.Advance(TimeSpan.FromMinutes(30));

        await watched.RejectionArrivesAsync();

        var user = await InDbAsync(service, db => db.Users.SingleAsync());
        Assert.True(user.NextSweepUtc <= clock.GetUtcNow().UtcDateTime, "the notification made the mailbox due now");
        var report = await sweeper.RunOnceAsync(clock.GetUtcNow());
        Assert.Equal(1, report.Planned);
        Assert.Contains(Folder(server.Sandbox.Find(Jordan)!, "drafts"), d => Key(d)?.StartsWith("ofu1-rr-") == true);
    }

    [Fact]
    public async Task TheValidationTokenIsEchoedAsTextAndForgedNotificationsAreRefused()
    {
        await using var watched = await WatchedAsync();
        var (server, service, clock, sweeper) = watched;
        var http = service.CreateClient();

        var validation = await http.PostAsync("/api/notifications?validationToken=" + Uri.EscapeDataString("Validation: abc <123>"), new StringContent("", Encoding.UTF8, "text/plain"));
        Assert.Equal(HttpStatusCode.OK, validation.StatusCode);
        Assert.Equal("text/plain", validation.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Validation: abc <123>", await validation.Content.ReadAsStringAsync());

        var id = server.Sandbox.Subscriptions.First().Id;
        clock.Advance(TimeSpan.FromMinutes(30));
        var forged = new JsonObject { ["value"] = new JsonArray(new JsonObject { ["subscriptionId"] = id, ["clientState"] = "guessed", ["changeType"] = "created" }) };
        var refused = await http.PostAsync("/api/notifications", new StringContent(forged.ToJsonString(), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        var unknown = new JsonObject { ["value"] = new JsonArray(new JsonObject { ["subscriptionId"] = "nope", ["clientState"] = "x" }) };
        Assert.Equal(HttpStatusCode.Forbidden, (await http.PostAsync("/api/notifications", new StringContent(unknown.ToJsonString(), Encoding.UTF8, "application/json"))).StatusCode);
        var malformed = await http.PostAsync("/api/notifications", new StringContent("{\"value\": 3", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Equal("application/problem+json", malformed.Content.Headers.ContentType?.MediaType);

        var user = await InDbAsync(service, db => db.Users.SingleAsync());
        Assert.True(user.NextSweepUtc > clock.GetUtcNow().UtcDateTime, "nothing forged made the mailbox due");
    }

    [Fact]
    public async Task SubscriptionsAreRenewedBeforeGraphsExpiryAndRemadeWhenGraphRemovesThem()
    {
        await using var watched = await WatchedAsync();
        var (server, service, clock, sweeper) = watched;
        var first = server.Sandbox.Subscriptions.ToDictionary(s => s.Id, s => s.Expiration);

        // Two and a half days on, under a day is left of the three asked for: the same subscriptions, later expiries.
        clock.Advance(TimeSpan.FromDays(2.5));
        await sweeper.RunOnceAsync(clock.GetUtcNow());
        Assert.All(server.Sandbox.Subscriptions, s => Assert.True(first.TryGetValue(s.Id, out var was) && s.Expiration > was, $"{s.Id} was not renewed"));

        // Graph removes one and says so: the mailbox is due, and its next pass subscribes that resource again.
        var removed = server.Sandbox.Subscriptions.First();
        Assert.True(server.Sandbox.SendLifecycleNotification(removed.Id, "subscriptionRemoved"));
        await server.Sandbox.FlushNotificationsAsync();
        Assert.DoesNotContain(await InDbAsync(service, db => db.Subscriptions.Select(s => s.Id).ToListAsync()), id => id == removed.Id);
        await sweeper.RunOnceAsync(clock.GetUtcNow());
        Assert.Equal(3, server.Sandbox.Subscriptions.Count);
        Assert.Contains(server.Sandbox.Subscriptions, s => s.Resource == removed.Resource && s.Id != removed.Id);
    }

    [Fact]
    public async Task AnIdleWatchedMailboxCostsNoGraphRequestUntilTheBackstop()
    {
        await using var watched = await WatchedAsync();
        var (server, service, clock, sweeper) = watched;
        var before = server.Sandbox.Log.Count;
        for (var i = 0; i < 12; i++)
        {
            clock.Advance(TimeSpan.FromMinutes(10)); // two hours of 10-minute ticks, nothing changing
            await sweeper.RunOnceAsync(clock.GetUtcNow());
        }
        Assert.Equal(before, server.Sandbox.Log.Count);
    }

    [Fact]
    public async Task WithEveryNotificationLostTheBackstopStillFindsTheChange()
    {
        await using var watched = await WatchedAsync();
        var (server, service, clock, sweeper) = watched;
        server.Sandbox.DropNotificationsAt(1.0);
        await watched.RejectionArrivesAsync();
        Assert.True(server.Sandbox.NotificationsDropped > 0);
        clock.Advance(TimeSpan.FromHours(3.1));
        await sweeper.RunOnceAsync(clock.GetUtcNow());
        Assert.Contains(Folder(server.Sandbox.Find(Jordan)!, "drafts"), d => Key(d)?.StartsWith("ofu1-rr-") == true);
    }

    [Fact]
    public async Task ABurstOfNotificationsWithDuplicatesAndForgeriesMakesOneSweepAndNoServerError()
    {
        await using var watched = await WatchedAsync();
        var (server, service, clock, sweeper) = watched;
        clock.Advance(TimeSpan.FromMinutes(30));
        // The genuine client state is only in the sandbox (the service keeps a hash): take it from there.
        var genuine = server.Sandbox.Subscriptions.First();
        var http = service.CreateClient();
        var statuses = await Task.WhenAll(Enumerable.Range(0, 50).Select(async batch =>
        {
            var value = new JsonArray(Enumerable.Range(0, 100).Select(i => (JsonNode)new JsonObject
            {
                ["subscriptionId"] = genuine.Id,
                ["clientState"] = (batch * 100 + i) % 10 == 0 ? "forged" : genuine.ClientState,
                ["changeType"] = "updated",
            }).ToArray());
            using var response = await http.PostAsync("/api/notifications", new StringContent(new JsonObject { ["value"] = value }.ToJsonString(), Encoding.UTF8, "application/json"));
            return (int)response.StatusCode;
        }));
        Assert.All(statuses, s => Assert.Equal(202, s));
        var report = await sweeper.RunOnceAsync(clock.GetUtcNow());
        Assert.Equal(1, report.Users);
        Assert.Equal(0, (await sweeper.RunOnceAsync(clock.GetUtcNow())).Users); // swept once, not once per notification
    }

    [Fact]
    public async Task ANotificationRefusedForTheRateLimitIsTakenWhenGraphPostsItAgain()
    {
        // Six notification requests a second (the handshakes of three subscriptions, each with its lifecycle URL, fit), and Graph posting a refused
        // one again 200 ms later, then 400 ms after that, and so on.
        await using var watched = await WatchedAsync(new SandboxOptions { NotificationRetryFirst = TimeSpan.FromMilliseconds(200) },
            new() { ["Notifications:PerSecond"] = "6" });
        var (server, service, clock, sweeper) = watched;
        clock.Advance(TimeSpan.FromMinutes(30));
        var http = service.CreateClient();
        var forged = new JsonObject { ["value"] = new JsonArray(new JsonObject { ["subscriptionId"] = "nope", ["clientState"] = "x" }) }.ToJsonString();
        // A forger takes this second's requests; the rejection's notification finds the limit reached.
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 8; i++)
        {
            using var response = await http.PostAsync("/api/notifications", new StringContent(forged, Encoding.UTF8, "application/json"));
            statuses.Add(response.StatusCode);
        }
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);

        await watched.RejectionArrivesAsync();

        for (var i = 0; i < 100 && (await InDbAsync(service, db => db.Users.SingleAsync())).NextSweepUtc > clock.GetUtcNow().UtcDateTime; i++)
            await Task.Delay(100);
        Assert.True(server.Sandbox.NotificationsRetried > 0, "the first delivery was refused (429) and posted again");
        Assert.True((await InDbAsync(service, db => db.Users.SingleAsync())).NextSweepUtc <= clock.GetUtcNow().UtcDateTime, "the retried notification made the mailbox due");
        await sweeper.RunOnceAsync(clock.GetUtcNow());
        Assert.Contains(Folder(server.Sandbox.Find(Jordan)!, "drafts"), d => Key(d)?.StartsWith("ofu1-rr-") == true);
    }
}
