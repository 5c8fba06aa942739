using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OutlookFollowUp.Api.Sweep;
using OutlookFollowUp.Engine;
using OutlookFollowUp.GraphSandbox;
using static OutlookFollowUp.Tests.ServiceEndToEndTests;

namespace OutlookFollowUp.Tests;

/// <summary>
/// The service under the conditions a real mailbox brings: Graph throttling and failing, the pane and the sweep on one
/// mailbox at once, and requests a careless or hostile client sends.
/// </summary>
public class HardeningServiceTests
{
    private const string Zone = "UTC";

    /// <summary>A mailbox with an interview that ended two hours ago, and its event.</summary>
    private static (SandboxMailbox Box, string EventId) MailboxWithAnInterview(GraphSandbox.GraphSandbox sandbox, string address)
    {
        var box = sandbox.AddMailbox(address, "Jordan Lee", Zone);
        var end = DateTimeOffset.UtcNow.AddHours(-2);
        var ev = sandbox.DeliverEvent(address, Interview("Interview: Data Engineer at Contoso", end.AddHours(-1).UtcDateTime.ToString("s"), end.UtcDateTime.ToString("s"), Zone,
            Person("Maya Patel", "maya.patel@contoso.com"), Person("Jordan Lee", address), Person("Sam Ortiz", "sam.ortiz@contoso.com"), Person("Ana Silva", "ana.silva@contoso.com")))!;
        return (box, (string)ev["id"]!);
    }

    [Fact]
    public async Task APaneOpenDuringASweepOfTheSameMailboxKeepsOutlooksFourRequestLimit()
    {
        // Every Graph request takes a while, as Graph's do: what one client has in flight overlaps the other's.
        await using var server = await SandboxServer.StartAsync(TimeProvider.System, new SandboxOptions { Latency = TimeSpan.FromMilliseconds(150) });
        const string address = "jordan.shared@outlook.com";
        var (_, eventId) = MailboxWithAnInterview(server.Sandbox, address);
        await using var service = new ServiceFactory(server.BaseUrl + "/v1.0");
        var client = service.ClientFor(address);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/me")).StatusCode);
        var sweeper = service.Services.GetRequiredService<Sweeper>();
        var before = server.Sandbox.ThrottleViolations;

        var sweep = sweeper.RunOnceAsync(DateTimeOffset.UtcNow);
        var panes = Enumerable.Range(0, 3).Select(_ => client.GetAsync($"/api/events/{eventId}/plan")).ToList();
        var report = await sweep;
        var opened = await Task.WhenAll(panes);

        // Three opens of a new interview at once also race to save the same rows: each answers, none fails.
        foreach (var p in opened) Assert.True(p.StatusCode == HttpStatusCode.OK, await p.Content.ReadAsStringAsync());
        Assert.True(report.Users == 1, $"the pass swept {report.Users} mailboxes");
        Assert.Equal(0, server.Sandbox.ThrottleViolations - before);
    }

    [Fact]
    public async Task PaneOpensAndDraftNowSurviveThirtyPercentMixedFaultsWithoutADuplicate()
    {
        await using var server = await SandboxServer.StartAsync(TimeProvider.System);
        const string address = "jordan.faults@outlook.com";
        var (box, eventId) = MailboxWithAnInterview(server.Sandbox, address);
        // Short backoffs: the test measures what gets through, not how long the waits are.
        await using var service = new ServiceFactory(server.BaseUrl + "/v1.0", new Dictionary<string, string?>
        {
            ["Graph:Resilience:BaseDelay"] = "00:00:00.020",
            ["RateLimits:Burst"] = "1000", ["RateLimits:PerMinute"] = "6000",
        });
        var client = service.ClientFor(address);
        var opened = await client.GetFromJsonAsync<JsonObject>($"/api/events/{eventId}/plan");
        var processKey = (string)opened!["processKey"]!;

        server.Sandbox.InjectFaults(new FaultOptions { Rate = 0.3, Seed = 7, RetryAfterSeconds = 0.02, ExtraLatency = TimeSpan.FromMilliseconds(20) });
        var results = new List<(string Call, HttpStatusCode Status, string Body)>();
        for (var i = 0; i < 40; i++)
        {
            var r = await client.GetAsync($"/api/events/{eventId}/plan");
            results.Add(("open", r.StatusCode, await r.Content.ReadAsStringAsync()));
            if (i % 4 == 0)
            {
                var d = await client.PostAsync($"/api/processes/{processKey}/drafts", null);
                results.Add(("draft now", d.StatusCode, await d.Content.ReadAsStringAsync()));
            }
        }
        server.Sandbox.InjectFaults(new FaultOptions());

        var opens = results.Where(r => r.Call == "open").ToList();
        var drafts = results.Where(r => r.Call == "draft now").ToList();
        var failed = results.Where(r => r.Status != HttpStatusCode.OK).ToList();
        List<JsonObject> inDrafts;
        lock (box.Gate) inDrafts = box.Messages.Values.Select(m => (JsonObject)m).Where(m => Key(m) is not null).ToList();
        var duplicates = inDrafts.GroupBy(Key).Count(g => g.Count() > 1);
        Report.Write("faults", $"Under 30 % mixed faults ({server.Sandbox.FaultsInjected} injected): pane opens {opens.Count(r => r.Status == HttpStatusCode.OK)}/{opens.Count}, "
            + $"draft now {drafts.Count(r => r.Status == HttpStatusCode.OK)}/{drafts.Count}, duplicate drafts {duplicates}; "
            + $"the rest answered {string.Join(", ", failed.Select(f => (int)f.Status).Distinct())}");

        Assert.True(opens.Count(r => r.Status == HttpStatusCode.OK) >= 0.95 * opens.Count, string.Join("\n", failed.Select(f => $"{f.Call}: {(int)f.Status} {f.Body}")));
        Assert.True(drafts.Count(r => r.Status == HttpStatusCode.OK) >= 0.95 * drafts.Count, string.Join("\n", failed.Select(f => $"{f.Call}: {(int)f.Status} {f.Body}")));
        Assert.All(failed, f => Assert.Contains("\"title\"", f.Body));
        Assert.Equal(0, duplicates);
        Assert.Equal(3, inDrafts.Count(m => Key(m)!.StartsWith("ofu1-ty-", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task AThrottledMailboxTellsThePaneWhenToTryAgainInsteadOfMakingItWait()
    {
        await using var server = await SandboxServer.StartAsync(TimeProvider.System);
        const string address = "jordan.busy@outlook.com";
        var (_, eventId) = MailboxWithAnInterview(server.Sandbox, address);
        await using var service = new ServiceFactory(server.BaseUrl + "/v1.0");
        var client = service.ClientFor(address);
        server.Sandbox.InjectFaults(new FaultOptions { Rate = 1, Unavailable = false, Latency = false, DropConnection = false, CommitThenFail = false, RetryAfterSeconds = 30 });

        var response = await client.GetAsync($"/api/events/{eventId}/plan");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(TimeSpan.FromSeconds(30), response.Headers.RetryAfter?.Delta);
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal("Outlook is busy", (string?)problem!["title"]);
        Assert.Contains("Try again in 30 s", (string?)problem["detail"]);
    }

    [Fact]
    public async Task FactsWithANullNoteOrStepKeyAreRefusedAndTheProcessStaysVisible()
    {
        await using var server = await SandboxServer.StartAsync(TimeProvider.System);
        const string address = "jordan.facts@outlook.com";
        var (_, eventId) = MailboxWithAnInterview(server.Sandbox, address);
        await using var service = new ServiceFactory(server.BaseUrl + "/v1.0");
        var client = service.ClientFor(address);
        var key = (string)(await client.GetFromJsonAsync<JsonObject>($"/api/events/{eventId}/plan"))!["processKey"]!;

        foreach (var facts in new[]
                 {
                     """{"interviewerNotes": {"sam.ortiz@contoso.com": null}}""",
                     """{"acceptedSteps": [null]}""",
                     """{"dismissedSteps": [""]}""",
                 })
        {
            var put = await client.PutAsync($"/api/processes/{key}/facts", new StringContent(facts, Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
            Assert.Equal("application/problem+json", put.Content.Headers.ContentType?.MediaType);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/processes/{key}")).StatusCode);
        }
    }

    [Theory]
    [InlineData("", "oid-1")]
    [InlineData("tenant-1", "")]
    [InlineData(" ", "oid-1")]
    public async Task ASignedTokenWithAnEmptyTenantOrObjectIdIsRefusedNeverA500(string tenantId, string objectId)
    {
        await using var service = new ServiceFactory();
        var client = service.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", TestTokens.For(tenantId, objectId, "someone@outlook.com"));
        var response = await client.GetAsync("/api/settings");
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task TheSamplePageRunsUnderAPolicyThatAllowsOnlyItsOwnStyle()
    {
        await using var service = new ServiceFactory();
        var response = await service.CreateClient().GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var policy = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("default-src 'none'", policy);
        Assert.DoesNotContain("script-src", policy);
        var page = await response.Content.ReadAsStringAsync();
        var style = page[(page.IndexOf("<style>", StringComparison.Ordinal) + 7)..page.IndexOf("</style>", StringComparison.Ordinal)];
        Assert.Contains("'sha256-" + Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(style))) + "'", policy);
    }

    [Fact]
    public void TheAuditTrailKeepsTheRuleAndTheMessageIdNeverTheEmployersWords()
    {
        var step = new PlanStep
        {
            Key = "ofu1-rr-abc", Kind = StepKind.RejectionReply, Status = StepStatus.Due, Recipients = [],
            Reason = "R6: they declined on March 12 (says \"we will not be moving forward with your application\"); a gracious reply [001, 004]",
            AvailableFromUtc = A.Utc("2026-03-12T17:00:00Z"), DueUtc = A.Utc("2026-03-12T17:00:00Z"), DueLocal = new DateTime(2026, 3, 12, 17, 0, 0),
            Mail = new MailDraft("Re: Your application", "<p>x</p>", "x", "AAMkAGI2TAAA="),
        };
        var detail = Api.Planning.UserPlans.AuditDetail(step, "Graph answered 400");
        Assert.Equal("R6, replying to message AAMkAGI2TAAA= (Graph answered 400)", detail);
    }
}

/// <summary>Which environments get the demo, and to whom it answers.</summary>
public class DemoExposureTests
{
    private sealed class DemoFactory(string environment, params (string Key, string Value)[] settings) : WebApplicationFactory<Program>
    {
        public string DatabasePath { get; } = Path.Combine(Path.GetTempPath(), $"ofu-demo-{Guid.NewGuid():N}.db");

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment(environment);
            builder.UseSetting("Database:ConnectionString", "Data Source=" + DatabasePath);
            builder.UseSetting("Sweep:Enabled", "false");
            foreach (var (k, v) in settings) builder.UseSetting(k, v);
        }

        public override async ValueTask DisposeAsync()
        {
            await base.DisposeAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(DatabasePath + suffix);
        }
    }

    [Fact]
    public async Task TheDemoAnswersOnlyToTheLoopbackNames()
    {
        await using var demo = new DemoFactory("Development");
        var local = demo.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await local.GetAsync("/pane/config.json")).StatusCode);

        var rebound = demo.CreateClient();
        rebound.DefaultRequestHeaders.Host = "evil.example";
        var refused = await rebound.PostAsync("/demo/token", null);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task OpenApiIsNotPublicInProductionUnlessAskedFor()
    {
        await using var server = await SandboxServer.StartAsync(TimeProvider.System);
        var entra = new FakeEntra();
        await using (var production = new ProductionFactory(server.BaseUrl + "/v1.0", entra))
            Assert.Equal(HttpStatusCode.NotFound, (await production.CreateClient().GetAsync("/openapi/v1.json")).StatusCode);
        await using (var asked = new ProductionFactory(server.BaseUrl + "/v1.0", entra, ("OpenApi:Enabled", "true")))
            Assert.Equal(HttpStatusCode.OK, (await asked.CreateClient().GetAsync("/openapi/v1.json")).StatusCode);
    }

    private sealed class ProductionFactory(string graphBaseUrl, FakeEntra entra, params (string Key, string Value)[] settings) : ServiceFactory(graphBaseUrl, new Dictionary<string, string?>
    {
        ["Entra:Instance"] = FakeEntra.Instance, ["Entra:TenantId"] = FakeEntra.Tenant, ["Entra:ClientId"] = FakeEntra.ClientId,
        ["Entra:ClientSecret"] = "test-secret", ["Entra:Audience"] = FakeEntra.Audience, ["Graph:Tokens"] = "obo",
        ["DataProtection:AllowUnprotectedKeys"] = "true",
    })
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseEnvironment("Production");
            foreach (var (k, v) in settings) builder.UseSetting(k, v);
            builder.ConfigureTestServices(s => s.Replace(ServiceDescriptor.Singleton(new Api.SignIn.IdentityTransport(entra))));
        }
    }
}
