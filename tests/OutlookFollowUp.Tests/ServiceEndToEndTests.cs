using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OutlookFollowUp.Api.Data;
using OutlookFollowUp.Api.Sweep;
using OutlookFollowUp.Engine;

namespace OutlookFollowUp.Tests;

/// <summary>
/// The service as a user lives with it, in process: the sandbox mailbox over HTTP, the real SDK, SQLite, the sweep
/// run pass by pass on a clock the test moves.
/// </summary>
public class ServiceEndToEndTests
{
    private const string Jordan = "jordan.lee@outlook.com";

    internal static JsonObject Person(string name, string address) => new() { ["emailAddress"] = new JsonObject { ["name"] = name, ["address"] = address } };

    internal static JsonObject Interview(string subject, string startLocal, string endLocal, string zone, JsonObject organizer, params JsonObject[] interviewers) => new()
    {
        ["subject"] = subject,
        ["body"] = new JsonObject { ["contentType"] = "text", ["content"] = "Interview for the Data Engineer role. You will meet the team." },
        ["start"] = new JsonObject { ["dateTime"] = startLocal, ["timeZone"] = zone },
        ["end"] = new JsonObject { ["dateTime"] = endLocal, ["timeZone"] = zone },
        ["organizer"] = organizer,
        ["attendees"] = new JsonArray(interviewers.Select(p => (JsonNode)new JsonObject { ["type"] = "required", ["emailAddress"] = p["emailAddress"]!.DeepClone() }).ToArray()),
    };

    internal static List<JsonObject> Folder(GraphSandbox.SandboxMailbox box, string folder)
    {
        lock (box.Gate) return box.Messages.Values.Where(m => (string?)m["_folder"] == folder || (string?)m["parentFolderId"] == folder).Select(m => (JsonObject)m.DeepClone()).ToList();
    }

    /// <summary>The step key the product stamps on what it writes.</summary>
    internal static string? Key(JsonObject item) => (string?)item["singleValueExtendedProperties"]?[0]?["value"];

    /// <summary>
    /// Regression: a pass that outlived its lease saved its plans (the processes' state, the steps' outcomes) before it
    /// found the lease gone, over whatever the new holder had saved. The plans, the outcomes and the lease's release
    /// now commit together or not at all; what Graph did is found again by its key.
    /// </summary>
    [Fact]
    public async Task APassThatLosesItsLeaseWhileWritingSavesNothingOfItsPlansAndTheNextWritesNothingTwice()
    {
        var clock = new ManualClock(DateTimeOffset.Parse("2026-11-17T20:00:00Z")); // noon in Los Angeles, the interview ended at 11:00
        await using var server = await SandboxServer.StartAsync(clock);
        var box = server.Sandbox.AddMailbox(Jordan, "Jordan Lee", "Pacific Standard Time");
        server.Sandbox.DeliverEvent(Jordan, Interview("Interview: Data Engineer at Contoso", "2026-11-17T09:00:00", "2026-11-17T11:00:00", "Pacific Standard Time",
            Person("Maya Patel", "maya.patel@contoso.com"), Person("Jordan Lee", Jordan), Person("Sam Ortiz", "sam.ortiz@contoso.com")));
        await using var service = new ServiceFactory(server.BaseUrl + "/v1.0").WithClock(clock);
        Assert.Equal(HttpStatusCode.OK, (await service.ClientFor(Jordan).GetAsync("/api/processes")).StatusCode); // signs Jordan up
        var sweeper = service.Services.GetRequiredService<Sweeper>();

        // While Graph writes the thank-yous, another instance takes the mailbox over (this one's lease ran out).
        var taken = 0;
        server.Sandbox.Observer = (request, _) =>
        {
            if (request.Method != "POST" || Interlocked.Exchange(ref taken, 1) == 1) return;
            using var scope = service.Services.CreateScope();
            scope.ServiceProvider.GetRequiredService<AppDb>().Users
                .ExecuteUpdate(set => set.SetProperty(u => u.LeaseOwner, "another instance").SetProperty(u => u.LeaseUntilUtc, DateTime.UtcNow.AddHours(1)));
        };
        var stale = await sweeper.RunOnceAsync(clock.GetUtcNow());
        server.Sandbox.Observer = null;
        Assert.Equal(1, stale.LeasesLost);
        var thankYous = Folder(box, "drafts").Where(d => Key(d)?.StartsWith("ofu1-ty-") == true).ToList();
        Assert.Equal(2, thankYous.Count); // Graph wrote them

        using (var scope = service.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDb>();
            var user = await db.Users.AsNoTracking().SingleAsync();
            Assert.Equal("another instance", user.LeaseOwner);
            // Only the intent, saved before the writes, is there: no state, no outcome from the stale pass.
            Assert.All(await db.Processes.AsNoTracking().ToListAsync(), p => Assert.Equal("", p.State));
            var attempted = await db.Steps.AsNoTracking().Where(st => st.AttemptedUtc != null).ToListAsync();
            Assert.Equal(2, attempted.Count(st => st.Key.StartsWith("ofu1-ty-", StringComparison.Ordinal)));
            Assert.All(attempted, st => Assert.Null(st.WrittenUtc));
            // The other instance gives the mailbox back without sweeping it.
            await db.Users.ExecuteUpdateAsync(set => set.SetProperty(u => u.LeaseOwner, (string?)null).SetProperty(u => u.LeaseUntilUtc, (DateTime?)null)
                .SetProperty(u => u.NextSweepUtc, clock.GetUtcNow().UtcDateTime));
        }

        // The next pass sees the thank-yous in Drafts by their keys: planned as written, none written again.
        var next = await sweeper.RunOnceAsync(clock.GetUtcNow());
        Assert.Equal((1, 0, 0), (next.Planned, next.LeasesLost, next.Writes.Created));
        Assert.Equal(2, Folder(box, "drafts").Count(d => Key(d)?.StartsWith("ofu1-ty-") == true));
        using (var scope = service.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDb>();
            Assert.All(await db.Processes.AsNoTracking().ToListAsync(), p => Assert.NotEqual("", p.State));
            Assert.Null((await db.Users.AsNoTracking().SingleAsync()).LeaseOwner);
        }
    }

    /// <summary>
    /// Regression: with the reader trained on 2026-12-03, a sweep read the demo's final round at Litware as a "maybe"
    /// (no gracious reply to its rejection) and Northwind's second round as a follow-up, while the rules alone read
    /// both right (DemoMailboxTests); the benchmark's figure 3, which sweeps copies of this mailbox, did less work than
    /// the demo means. The sweep, with the shipped reader, must read the demo as it is written.
    /// </summary>
    [Theory]
    [InlineData(GraphSandbox.DemoMailbox.Address, "Alex Rivera")]
    [InlineData("seeker00000@outlook.com", "Seeker 0")] // the benchmark's copies
    public async Task TheDemoMailboxSweptWithTheShippedReaderShowsProcessesAtEveryStage(string address, string name)
    {
        var clock = new ManualClock(DateTimeOffset.Parse("2026-11-18T20:00:00Z")); // a Wednesday afternoon in Los Angeles
        await using var server = await SandboxServer.StartAsync(clock);
        GraphSandbox.DemoMailbox.Seed(server.Sandbox, clock.GetUtcNow(), address, name);
        await using var service = new ServiceFactory(server.BaseUrl + "/v1.0").WithClock(clock);
        Assert.Equal(HttpStatusCode.OK, (await service.ClientFor(address).GetAsync("/api/processes")).StatusCode);
        Assert.Equal(0, (await service.Services.GetRequiredService<Sweeper>().RunOnceAsync(clock.GetUtcNow())).Failed);

        await using var scope = service.Services.CreateAsyncScope();
        var states = await scope.ServiceProvider.GetRequiredService<AppDb>().Processes.ToDictionaryAsync(p => p.Title ?? "", p => p.State);
        Assert.Equal("thank-you", states["Onsite interview: Senior Backend Engineer"]);
        Assert.Equal("following-up", states["Technical interview - Proseware"]);
        Assert.Equal("rejected", states["Final round interview: Product Analyst"]);
        Assert.Equal("next-round", states["Phone screen - Northwind"]);
        Assert.False(states.TryGetValue("Podcast interview: careers in data", out var podcast) && podcast != "not-interview", $"the podcast is {podcast}");
    }

    [Fact]
    public async Task ThankYousThenAFollowUpThenAGraciousReplyAndNothingIsEverSent()
    {
        var clock = new ManualClock(DateTimeOffset.Parse("2026-11-17T15:00:00Z")); // Tuesday 07:00 in Los Angeles
        await using var server = await SandboxServer.StartAsync(clock);
        var box = server.Sandbox.AddMailbox(Jordan, "Jordan Lee", "Pacific Standard Time");
        var recruiter = Person("Maya Patel", "maya.patel@contoso.com");
        server.Sandbox.DeliverEvent(Jordan, Interview("Interview: Data Engineer at Contoso", "2026-11-17T09:00:00", "2026-11-17T11:00:00", "Pacific Standard Time",
            recruiter, Person("Jordan Lee", Jordan), Person("Sam Ortiz", "sam.ortiz@contoso.com"), Person("Ana Silva", "ana.silva@contoso.com")));

        await using var service = new ServiceFactory(server.BaseUrl + "/v1.0").WithClock(clock);
        var client = service.ClientFor(Jordan);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/processes")).StatusCode); // signs Jordan up
        var sweeper = service.Services.GetRequiredService<Sweeper>();

        // The interview ends at 11:00; at noon, one pass writes a thank-you to each interviewer and the recruiter.
        clock.Set(DateTimeOffset.Parse("2026-11-17T20:00:00Z"));
        var first = await sweeper.RunOnceAsync(clock.GetUtcNow());
        Assert.Equal(0, first.Failed);
        var drafts = Folder(box, "drafts");
        var thankYous = drafts.Where(d => Key(d)?.StartsWith("ofu1-ty-") == true).ToList();
        var recipients = thankYous.Select(d => (string)d["toRecipients"]![0]!["emailAddress"]!["address"]!).OrderBy(a => a).ToList();
        Assert.Equal(["ana.silva@contoso.com", "maya.patel@contoso.com", "sam.ortiz@contoso.com"], recipients);

        // Later passes write nothing again.
        clock.Advance(TimeSpan.FromMinutes(10));
        await sweeper.RunOnceAsync(clock.GetUtcNow());
        Assert.Equal(drafts.Count, Folder(box, "drafts").Count);

        // Jordan sends them. Eight days later, with no answer, the follow-up is in Drafts.
        foreach (var d in thankYous) Assert.NotNull(server.Sandbox.SendAsUser(Jordan, (string)d["id"]!));
        clock.Set(DateTimeOffset.Parse("2026-11-25T20:00:00Z"));
        await sweeper.RunOnceAsync(clock.GetUtcNow());
        var followUp = Assert.Single(Folder(box, "drafts"), d => Key(d)?.StartsWith("ofu1-fu-") == true);

        // The recruiter declines: the pending follow-up goes, and a gracious reply waits instead.
        server.Sandbox.Deliver(Jordan, new JsonObject
        {
            ["subject"] = "Your application for Data Engineer",
            ["from"] = recruiter.DeepClone(),
            ["toRecipients"] = new JsonArray(Person("Jordan Lee", Jordan)),
            ["body"] = new JsonObject { ["contentType"] = "text", ["content"] = "Hi Jordan, thank you for your time. Unfortunately, we have decided to move forward with other candidates whose experience more closely matches our needs." },
        });
        clock.Advance(TimeSpan.FromHours(1));
        await sweeper.RunOnceAsync(clock.GetUtcNow());
        var after = Folder(box, "drafts");
        Assert.DoesNotContain(after, d => (string?)d["id"] == (string?)followUp["id"]);
        var reply = Assert.Single(after, d => Key(d)?.StartsWith("ofu1-rr-") == true);
        Assert.Equal("maya.patel@contoso.com", (string?)reply["toRecipients"]![0]!["emailAddress"]!["address"]);

        // Nothing was ever sent by the product: the only sent mail is what Jordan sent.
        Assert.Equal(0, server.Sandbox.SendAttempts);
        Assert.Equal(3, Folder(box, "sentitems").Count);
        Assert.Equal(0, server.Sandbox.ThrottleViolations);
    }

    [Fact]
    public async Task ARejectionFromATrackingSystemUnderAPileOfJobAlertsStillEndsTheProcess()
    {
        // Older mail is read as headers, bodies only where a plan may need them: the tracking system's rejection names
        // the company only in its text, and sits below more job alerts than the first page (200) holds.
        var clock = new ManualClock(DateTimeOffset.Parse("2026-11-17T20:00:00Z"));
        await using var server = await SandboxServer.StartAsync(clock);
        var box = server.Sandbox.AddMailbox(Jordan, "Jordan Lee", "Pacific Standard Time");
        server.Sandbox.DeliverEvent(Jordan, Interview("Interview: Data Engineer at Contoso", "2026-11-17T09:00:00", "2026-11-17T10:00:00", "Pacific Standard Time",
            Person("Maya Patel", "maya.patel@contoso.com"), Person("Sam Ortiz", "sam.ortiz@contoso.com")));
        await using var service = new ServiceFactory(server.BaseUrl + "/v1.0").WithClock(clock);
        await service.ClientFor(Jordan).GetAsync("/api/me");
        var sweeper = service.Services.GetRequiredService<Sweeper>();
        await sweeper.RunOnceAsync(clock.GetUtcNow());

        server.Sandbox.Deliver(Jordan, new JsonObject
        {
            ["subject"] = "An update on your application",
            ["from"] = Person("Recruiting", "no-reply@us.greenhouse-mail.io"),
            ["toRecipients"] = new JsonArray(Person("Jordan Lee", Jordan)),
            ["receivedDateTime"] = "2026-11-18T17:00:00Z",
            // Past the 255 characters of the preview that headers carry: only the body says who and what.
            ["body"] = new JsonObject { ["contentType"] = "text", ["content"] = "Hi Jordan,\n\n" + string.Concat(Enumerable.Repeat("This message was sent to you by our recruiting platform on behalf of the hiring team. ", 4))
                + "\n\nThank you for your interest in Contoso. Unfortunately, we have decided to move forward with other candidates." },
        });
        for (var i = 0; i < 250; i++)
            server.Sandbox.Deliver(Jordan, new JsonObject
            {
                ["subject"] = $"Job alert {i}: 25 new jobs for you",
                ["from"] = Person("Job alerts", "alerts@jobs.example.com"),
                ["toRecipients"] = new JsonArray(Person("Jordan Lee", Jordan)),
                ["receivedDateTime"] = DateTimeOffset.Parse("2026-11-18T18:00:00Z").AddMinutes(4 * i).ToString("yyyy-MM-ddTHH:mm:ssZ"),
                ["body"] = new JsonObject { ["contentType"] = "text", ["content"] = "New jobs matching your search." },
            });
        clock.Set(DateTimeOffset.Parse("2026-11-19T20:00:00Z"));
        var pass = await sweeper.RunOnceAsync(clock.GetUtcNow());

        Assert.Equal(0, pass.Failed);
        Assert.Single(Folder(box, "drafts"), d => Key(d)?.StartsWith("ofu1-rr-") == true);
        Assert.DoesNotContain(Folder(box, "drafts"), d => Key(d)?.StartsWith("ofu1-fu-") == true);
    }

    [Fact]
    public async Task AnAcceptedReminderIsInTheCalendarAtOnce()
    {
        var clock = new ManualClock(DateTimeOffset.Parse("2026-11-17T20:00:00Z"));
        await using var server = await SandboxServer.StartAsync(clock);
        var box = server.Sandbox.AddMailbox(Jordan, "Jordan Lee", "Pacific Standard Time");
        var invite = server.Sandbox.DeliverEvent(Jordan, Interview("Interview: Data Engineer at Contoso", "2026-11-17T09:00:00", "2026-11-17T11:00:00", "Pacific Standard Time",
            Person("Maya Patel", "maya.patel@contoso.com"), Person("Sam Ortiz", "sam.ortiz@contoso.com")))!;
        await using var service = new ServiceFactory(server.BaseUrl + "/v1.0").WithClock(clock);
        var client = service.ClientFor(Jordan);
        var view = JsonNode.Parse(await client.GetStringAsync($"/api/events/{(string)invite["id"]!}/plan"))!;
        var key = (string)view["processKey"]!;
        var reminder = view["plan"]!["steps"]!.AsArray().First(st => st!["reminder"] is not null && (string?)st["status"] == "due")!;

        var accepted = await client.PostAsync($"/api/processes/{Uri.EscapeDataString(key)}/reminders/{(string)reminder["key"]!}/accept", null);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        var result = JsonNode.Parse(await accepted.Content.ReadAsStringAsync())!;
        Assert.Equal(1, (int)result["writes"]!["created"]!);
        lock (box.Gate) Assert.Single(box.Events.Values, e => Key(e) == (string)reminder["key"]!);
        var facts = JsonNode.Parse(await client.GetStringAsync($"/api/processes/{Uri.EscapeDataString(key)}/facts"))!;
        Assert.Contains((string)reminder["key"]!, facts["acceptedSteps"]!.AsArray().Select(k => (string?)k));
    }

    [Fact]
    public async Task ADecisionOnAReminderReadsTheMailboxOnceAndOneProcessIsPlannedAlone()
    {
        var clock = new ManualClock(DateTimeOffset.Parse("2026-11-17T20:00:00Z"));
        await using var server = await SandboxServer.StartAsync(clock);
        server.Sandbox.AddMailbox(Jordan, "Jordan Lee", "Pacific Standard Time");
        var invite = server.Sandbox.DeliverEvent(Jordan, Interview("Interview: Data Engineer at Contoso", "2026-11-17T09:00:00", "2026-11-17T11:00:00", "Pacific Standard Time",
            Person("Maya Patel", "maya.patel@contoso.com"), Person("Sam Ortiz", "sam.ortiz@contoso.com")))!;
        var other = server.Sandbox.DeliverEvent(Jordan, Interview("Interview: Analyst at Fabrikam", "2026-11-16T09:00:00", "2026-11-16T10:00:00", "Pacific Standard Time",
            Person("Lee Chen", "lee.chen@fabrikam.com")))!;
        await using var service = new ServiceFactory(server.BaseUrl + "/v1.0").WithClock(clock);
        var client = service.ClientFor(Jordan);
        await client.GetStringAsync("/api/processes");
        await client.GetStringAsync($"/api/events/{(string)other["id"]!}/plan");
        var view = JsonNode.Parse(await client.GetStringAsync($"/api/events/{(string)invite["id"]!}/plan"))!;
        var key = Uri.EscapeDataString((string)view["processKey"]!);
        var reminders = view["plan"]!["steps"]!.AsArray().Where(st => st!["reminder"] is not null && (string?)st["status"] == "due").Select(st => (string)st!["key"]!).ToList();
        Assert.True(reminders.Count >= 2, $"{reminders.Count} reminders due");
        int RoundTrips() => server.Sandbox.Log.Count(l => !l.InBatch);

        var before = RoundTrips();
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"/api/processes/{key}/reminders/{reminders[0]}/dismiss", null)).StatusCode);
        Assert.Equal(1, RoundTrips() - before); // the mail, read once (it was three plans and three reads)

        before = RoundTrips();
        var accepted = JsonNode.Parse(await (await client.PostAsync($"/api/processes/{key}/reminders/{reminders[1]}/accept", null)).Content.ReadAsStringAsync())!;
        Assert.Equal(1, (int)accepted["writes"]!["created"]!);
        Assert.Equal(2, RoundTrips() - before); // the mail once, and the event written

        before = RoundTrips();
        var one = JsonNode.Parse(await client.GetStringAsync($"/api/processes/{key}"))!;
        Assert.Equal((string)view["processKey"]!, (string?)one["processKey"]);
        Assert.Equal(1, RoundTrips() - before);
        Assert.Contains(reminders[0], one["facts"]!["dismissedSteps"]!.AsArray().Select(k => (string?)k));
    }

    [Fact]
    public async Task AnInterviewBookedMonthsAfterSignUpStillGetsItsThankYous()
    {
        // Graph's calendar delta keeps the window it began with (120 days each way here): without starting the feed
        // over, an interview booked seven months after sign-up was never seen.
        var clock = new ManualClock(DateTimeOffset.Parse("2026-01-06T20:00:00Z"));
        await using var server = await SandboxServer.StartAsync(clock);
        var box = server.Sandbox.AddMailbox(Jordan, "Jordan Lee", "Pacific Standard Time");
        await using var service = new ServiceFactory(server.BaseUrl + "/v1.0").WithClock(clock);
        await service.ClientFor(Jordan).GetAsync("/api/me");
        var sweeper = service.Services.GetRequiredService<Sweeper>();
        for (var week = 0; week < 30; week++)
        {
            await sweeper.RunOnceAsync(clock.GetUtcNow());
            clock.Advance(TimeSpan.FromDays(7));
        }

        // 2026-08-04: an interview that ended this morning, long past the first window's end (2026-05-06).
        server.Sandbox.DeliverEvent(Jordan, Interview("Interview: Data Engineer at Contoso", "2026-08-04T09:00:00", "2026-08-04T10:00:00", "Pacific Standard Time",
            Person("Maya Patel", "maya.patel@contoso.com"), Person("Sam Ortiz", "sam.ortiz@contoso.com")));
        clock.Set(DateTimeOffset.Parse("2026-08-04T20:00:00Z"));
        var pass = await sweeper.RunOnceAsync(clock.GetUtcNow());

        Assert.Equal(0, pass.Failed);
        var thankYous = Folder(box, "drafts").Where(d => Key(d)?.StartsWith("ofu1-ty-") == true);
        Assert.Equal(["maya.patel@contoso.com", "sam.ortiz@contoso.com"], thankYous.Select(d => (string)d["toRecipients"]![0]!["emailAddress"]!["address"]!).Order());
    }

    [Fact]
    public async Task TheCalendarFeedStartsOverOnlyOnceItsWindowHasMoved()
    {
        var clock = new ManualClock(DateTimeOffset.Parse("2026-11-17T20:00:00Z"));
        await using var server = await SandboxServer.StartAsync(clock);
        server.Sandbox.AddMailbox(Jordan, "Jordan Lee", "Pacific Standard Time");
        await using var service = new ServiceFactory(server.BaseUrl + "/v1.0").WithClock(clock);
        await service.ClientFor(Jordan).GetAsync("/api/me");
        var sweeper = service.Services.GetRequiredService<Sweeper>();
        await sweeper.RunOnceAsync(clock.GetUtcNow());

        DateTime? WindowBegan()
        {
            using var scope = service.Services.CreateScope();
            return scope.ServiceProvider.GetRequiredService<AppDb>().Users.Single().CalendarWindowUtc;
        }
        var began = WindowBegan();
        Assert.Equal(DateTimeOffset.Parse("2026-11-17T20:00:00Z").UtcDateTime, began);
        clock.Advance(TimeSpan.FromDays(29)); // a quarter of 120 days is 30
        await sweeper.RunOnceAsync(clock.GetUtcNow());
        Assert.Equal(began, WindowBegan());
        clock.Advance(TimeSpan.FromDays(2));
        await sweeper.RunOnceAsync(clock.GetUtcNow());
        Assert.Equal(clock.GetUtcNow().UtcDateTime, WindowBegan());
    }

    [Fact]
    public async Task AnIdleMailboxCostsOneGraphRequestPerPass()
    {
        var clock = new ManualClock(DateTimeOffset.Parse("2026-11-17T20:00:00Z"));
        await using var server = await SandboxServer.StartAsync(clock);
        server.Sandbox.AddMailbox(Jordan, "Jordan Lee", "Pacific Standard Time");
        server.Sandbox.DeliverEvent(Jordan, Interview("Interview: Data Engineer at Contoso", "2026-11-17T09:00:00", "2026-11-17T11:00:00", "Pacific Standard Time",
            Person("Maya Patel", "maya.patel@contoso.com"), Person("Sam Ortiz", "sam.ortiz@contoso.com")));
        await using var service = new ServiceFactory(server.BaseUrl + "/v1.0").WithClock(clock);
        await service.ClientFor(Jordan).GetAsync("/api/me");
        var sweeper = service.Services.GetRequiredService<Sweeper>();
        await sweeper.RunOnceAsync(clock.GetUtcNow());

        clock.Advance(TimeSpan.FromMinutes(6));
        var before = server.Sandbox.Log.Count(e => !e.InBatch);
        var report = await sweeper.RunOnceAsync(clock.GetUtcNow());
        Assert.Equal(1, report.Idle);
        Assert.Equal(1, server.Sandbox.Log.Count(e => !e.InBatch) - before);
    }
}

public static class ServiceFactoryExtensions
{
    /// <summary>The service on the test's clock.</summary>
    public static ServiceFactory WithClock(this ServiceFactory factory, TimeProvider clock)
    {
        factory.Clock = clock;
        return factory;
    }
}
