using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using OutlookFollowUp.Api.Sweep;
using OutlookFollowUp.GraphSandbox;
using static OutlookFollowUp.Tests.ServiceEndToEndTests;

namespace OutlookFollowUp.Tests;

/// <summary>
/// The sandbox and the gateway held to Graph's own v1.0 schema (issue 16): the traffic of a whole process (sign-up,
/// sweeps, thank-yous, a follow-up, a rejection, the pane, subscriptions and $batch) is checked object by object.
/// </summary>
public sealed class GraphSchemaTests
{
    private static readonly GraphSchema Schema = GraphSchema.V1.Value;

    [Fact]
    public void TheCheckerCatchesAnInventedPropertyAWrongTypeAndAWrongEnumMember()
    {
        var message = new JsonObject
        {
            ["id"] = "m1", ["subject"] = "Hello", ["isDraft"] = false, ["importance"] = "HIGH", // enums without regard to case
            ["from"] = new JsonObject { ["emailAddress"] = new JsonObject { ["name"] = "Dana", ["address"] = "dana@fabrikam.com" } },
            ["singleValueExtendedProperties"] = new JsonArray(new JsonObject { ["id"] = "String {x} Name k", ["value"] = "v" }),
            ["@odata.etag"] = "W/\"1\"",
        };
        Assert.Empty(Schema.Check(message, "message"));
        Assert.Contains("$.mood: Graph's message has no such property", Schema.Check(new JsonObject { ["mood"] = "happy" }, "message"));
        Assert.Contains("$.isDraft: string where Graph has Edm.Boolean", Schema.Check(new JsonObject { ["isDraft"] = "no" }, "message"));
        Assert.Contains("$.importance: \"urgent\" is not a member of importance", Schema.Check(new JsonObject { ["importance"] = "urgent" }, "message"));
        Assert.Contains("$.start.dateTime: number where Graph has Edm.String", Schema.Check(new JsonObject { ["start"] = new JsonObject { ["dateTime"] = 3 } }, "event"));
    }

    /// <summary>The Graph type a path's objects are, or null for what is not checked ($batch envelopes, errors).</summary>
    internal static string? TypeOf(string path)
    {
        var segments = path.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries).Select(s => Uri.UnescapeDataString(s).ToLowerInvariant()).ToList();
        if (segments.Count > 0 && segments[0] == "me") segments.RemoveAt(0);
        else if (segments.Count > 1 && segments[0] == "users") segments.RemoveRange(0, 2);
        if (segments.Count == 0) return "user";
        if (segments[0] == "$batch") return null;
        if (segments[0] == "mailboxsettings") return segments.Count == 1 ? "mailboxSettings" : null;
        if (segments[0] == "subscriptions") return "subscription";
        if (segments.Contains("messages") || segments[^1] is "createreply" or "createreplyall") return "message";
        if (segments[0] is "events" or "calendarview" or "calendar") return "event";
        return null;
    }

    internal static IEnumerable<string> Findings(SandboxRequest request, SandboxResponse response)
    {
        if (TypeOf(request.Path) is not { } type) yield break;
        // What the gateway sends: a message or event it writes, a subscription it asks for, createReply's message.
        if (request.Body is JsonObject body && request.Method is "POST" or "PATCH")
        {
            var sent = request.Path.EndsWith("createReply", StringComparison.OrdinalIgnoreCase) || request.Path.EndsWith("createReplyAll", StringComparison.OrdinalIgnoreCase)
                ? body["message"] ?? body["Message"] : body;
            foreach (var f in Schema.Check(sent, type, $"{request.Method} {request.Path} body")) yield return f;
        }
        if (response.Status is < 200 or >= 300 || response.Body is not JsonObject answer) yield break;
        var items = answer["value"] is JsonArray value ? value.ToList() : [answer];
        foreach (var (item, i) in items.Select((x, i) => (x, i)))
            foreach (var f in Schema.Check(item, type, $"{request.Method} {request.Path} [{i}]")) yield return f;
    }

    [Fact]
    public async Task EveryRequestAndResponseOfAWholeProcessFitsGraphsSchema()
    {
        var findings = new ConcurrentQueue<string>();
        var checkedCount = 0;
        var clock = new ManualClock(DateTimeOffset.Parse("2026-11-17T15:00:00Z"));
        await using var server = await SandboxServer.StartAsync(clock);
        server.Sandbox.Observer = (request, response) =>
        {
            Interlocked.Increment(ref checkedCount);
            foreach (var f in Findings(request, response)) findings.Enqueue(f);
        };
        const string jordan = "jordan.lee@outlook.com";
        var box = server.Sandbox.AddMailbox(jordan, "Jordan Lee", "Pacific Standard Time");
        box.Aliases.Add("jordan@lee.dev");
        var recruiter = Person("Maya Patel", "maya.patel@contoso.com");
        var invite = server.Sandbox.DeliverEvent(jordan, Interview("Interview: Data Engineer at Contoso", "2026-11-17T09:00:00", "2026-11-17T11:00:00", "Pacific Standard Time",
            recruiter, Person("Jordan Lee", jordan), Person("Sam Ortiz", "sam.ortiz@contoso.com")))!;
        await using var service = new ServiceFactory(server.BaseUrl + "/v1.0", new Dictionary<string, string?> { ["Notifications:PublicUrl"] = "http://localhost/" }).WithClock(clock);
        server.Sandbox.NotificationClient = service.CreateClient();
        var client = service.ClientFor(jordan);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/processes")).StatusCode);
        var sweeper = service.Services.GetRequiredService<Sweeper>();

        clock.Set(DateTimeOffset.Parse("2026-11-17T20:00:00Z"));
        await sweeper.RunOnceAsync(clock.GetUtcNow());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/events/{(string)invite["id"]!}/plan")).StatusCode);
        foreach (var d in Folder(box, "drafts")) server.Sandbox.SendAsUser(jordan, (string)d["id"]!);
        clock.Set(DateTimeOffset.Parse("2026-11-25T20:00:00Z"));
        await sweeper.RunOnceAsync(clock.GetUtcNow());
        server.Sandbox.Deliver(jordan, new JsonObject
        {
            ["subject"] = "Your application for Data Engineer",
            ["from"] = recruiter.DeepClone(),
            ["toRecipients"] = new JsonArray(Person("Jordan Lee", jordan)),
            ["body"] = new JsonObject { ["contentType"] = "text", ["content"] = "Hi Jordan, unfortunately we have decided to move forward with other candidates." },
        });
        await server.Sandbox.FlushNotificationsAsync();
        clock.Advance(TimeSpan.FromHours(1));
        await sweeper.RunOnceAsync(clock.GetUtcNow());
        Assert.Contains(Folder(box, "drafts"), d => Key(d)?.StartsWith("ofu1-rr-") == true);

        Assert.True(checkedCount > 20, $"only {checkedCount} requests were seen");
        Assert.True(findings.IsEmpty, string.Join("\n", findings.Distinct().Take(40)));
    }
}
