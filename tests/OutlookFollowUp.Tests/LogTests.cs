using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OutlookFollowUp.Api.Sweep;

namespace OutlookFollowUp.Tests;

/// <summary>
/// What the service writes to its logs, at every level and from every category (ASP.NET Core, JwtBearer, EF Core,
/// the sweep): never a token, a mail body or a personal note, whatever the user does and whatever goes wrong.
/// </summary>
public sealed class LogTests
{
    private const string Jordan = "jordan.lee@outlook.com";
    private const string InviteBody = "Please bring the marigold lantern portfolio to reception";
    private const string Note = "your walnut harbor migration story";
    private const string FitLine = "I rebuilt the copper meadow ledger pipeline in a quarter";
    private const string ReplyBody = "The velvet orchard package stays between us for now";

    [Fact]
    public async Task NoTokenMailBodyOrPersonalNoteReachesAnyLogLine()
    {
        var clock = new ManualClock(DateTimeOffset.Parse("2026-11-17T20:00:00Z"));
        await using var server = await SandboxServer.StartAsync(clock);
        server.Sandbox.AddMailbox(Jordan, "Jordan Lee", "Pacific Standard Time");
        var invite = ServiceEndToEndTests.Interview("Interview: Data Engineer at Contoso", "2026-11-17T09:00:00", "2026-11-17T11:00:00", "Pacific Standard Time",
            ServiceEndToEndTests.Person("Maya Patel", "maya.patel@contoso.com"), ServiceEndToEndTests.Person("Sam Ortiz", "sam.ortiz@contoso.com"));
        invite["body"]!["content"] = $"Interview for the Data Engineer role. {InviteBody}.";
        var eventId = (string)server.Sandbox.DeliverEvent(Jordan, invite)!["id"]!;

        var logs = new CapturedLogs();
        await using var service = new ServiceFactory(server.BaseUrl + "/v1.0").WithClock(clock);
        await using var logged = service.WithWebHostBuilder(b => b.ConfigureLogging(l => l.AddProvider(logs).AddFilter<CapturedLogs>(null, LogLevel.Trace)));
        var token = TestTokens.For("tenant-1", "oid-" + Jordan, Jordan); // JwtBearer checks lifetimes on the real clock
        var client = logged.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        // The user opens the pane, tells the product about the interview, and drafts the thank-yous now.
        var view = JsonNode.Parse(await client.GetStringAsync($"/api/events/{eventId}/plan"))!;
        var key = Uri.EscapeDataString((string)view["processKey"]!);
        var facts = new { interviewerNotes = new Dictionary<string, string> { ["sam.ortiz@contoso.com"] = Note }, fitLine = FitLine };
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync($"/api/processes/{key}/facts", facts)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"/api/processes/{key}/drafts", null)).StatusCode);
        // The employer answers; the sweep reads it.
        server.Sandbox.Deliver(Jordan, new JsonObject
        {
            ["subject"] = "RE: Interview: Data Engineer at Contoso",
            ["from"] = ServiceEndToEndTests.Person("Maya Patel", "maya.patel@contoso.com"),
            ["toRecipients"] = new JsonArray(ServiceEndToEndTests.Person("Jordan Lee", Jordan)),
            ["body"] = new JsonObject { ["contentType"] = "text", ["content"] = $"Thanks Jordan. {ReplyBody}." },
        });
        clock.Advance(TimeSpan.FromHours(1));
        await logged.Services.GetRequiredService<Sweeper>().RunOnceAsync(clock.GetUtcNow());
        // Things go wrong: an expired token, a malformed one, facts that fail validation, a malformed body.
        var expired = TestTokens.For("tenant-1", "oid-" + Jordan, Jordan, DateTimeOffset.UtcNow.AddHours(-3));
        foreach (var bad in new[] { expired, token[..^5] + "AAAAA", "not.a.token" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/processes");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bad);
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(request)).StatusCode);
        }
        var invalid = new { interviewerNotes = new Dictionary<string, string> { ["sam.ortiz@contoso.com"] = Note + new string('!', 600) }, fitLine = FitLine + " " + FitLine };
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PutAsJsonAsync($"/api/processes/{key}/facts", invalid)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PutAsync($"/api/processes/{key}/facts",
            new StringContent($$"""{ "fitLine": "{{FitLine}}", """, System.Text.Encoding.UTF8, "application/json"))).StatusCode);

        var lines = logs.Lines;
        Assert.True(lines.Count > 50, $"the capture should see the service's trace-level logging (saw {lines.Count} entries)");
        Assert.Contains(lines, l => l.Contains("Sweep", StringComparison.Ordinal) || l.Contains("/api/processes", StringComparison.Ordinal));
        var secrets = new Dictionary<string, string>
        {
            ["the access token"] = token, ["the token's signature"] = token.Split('.')[2], ["the expired token"] = expired,
            ["the invite's body"] = "marigold lantern", ["a note on an interviewer"] = "walnut harbor", ["the fit line"] = "copper meadow",
            ["the employer's reply"] = "velvet orchard",
        };
        foreach (var (what, secret) in secrets)
        {
            var leak = lines.FirstOrDefault(l => l.Contains(secret, StringComparison.OrdinalIgnoreCase));
            Assert.True(leak is null, $"{what} reached a log line: {leak}");
        }
    }

    /// <summary>Every log entry as text: category, message, state values and the exception, as any sink could write them.</summary>
    private sealed class CapturedLogs : ILoggerProvider
    {
        private readonly ConcurrentQueue<string> _lines = new();
        public IReadOnlyList<string> Lines => [.. _lines];
        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);
        public void Dispose() { }

        private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull
            {
                lines.Enqueue($"{category} scope: {Describe(state)}");
                return null;
            }

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} | {Describe(state)} | {exception}");

            private static string Describe<T>(T state) => state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? string.Join("; ", pairs.Select(p => $"{p.Key}={p.Value}"))
                : state?.ToString() ?? "";
        }
    }
}
