using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OutlookFollowUp.Api.Data;
using static OutlookFollowUp.Tests.ServiceEndToEndTests;

namespace OutlookFollowUp.Tests;

/// <summary>
/// The service with the embedded reader in the loop (issue 12): a reply it is not sure of is asked about, the user's
/// answer is kept per user (message id, class, vector; no text), replans at once, drafts the gracious reply, and
/// survives a restart.
/// </summary>
public class ReadingCorrectionTests
{
    private const string Jordan = "jordan.lee@outlook.com";

    /// <summary>An interview with Contoso last week and, after it, the recruiter's soft rejection (the event and the message as delivered).</summary>
    internal static (JsonNode Invite, JsonNode Reply) InterviewAndSoftRejection(SandboxServer server, string address)
    {
        var recruiter = Person("Maya Patel", "maya.patel@contoso.com");
        var invite = server.Sandbox.DeliverEvent(address, Interview("Interview: Data Engineer at Contoso", "2026-11-17T09:00:00", "2026-11-17T10:00:00",
            "Pacific Standard Time", recruiter, Person("Sam Ortiz", "sam.ortiz@contoso.com")))!;
        var reply = server.Sandbox.Deliver(address, new JsonObject
        {
            ["subject"] = "Following up",
            ["from"] = recruiter.DeepClone(),
            ["toRecipients"] = new JsonArray(Person("Jordan Lee", address)),
            ["receivedDateTime"] = "2026-11-23T17:00:00Z",
            ["body"] = new JsonObject { ["contentType"] = "text", ["content"] = "Hi Jordan, thanks for coming in. We decided to keep looking for someone with more platform experience." },
        })!;
        return (invite, reply);
    }

    [Fact]
    public async Task AMaybeRejectionIsAskedAndTheUsersYesDraftsTheGraciousReplyAndSurvivesARestart()
    {
        var clock = new ManualClock(DateTimeOffset.Parse("2026-11-24T18:00:00Z"));
        await using var server = await SandboxServer.StartAsync(clock);
        var box = server.Sandbox.AddMailbox(Jordan, "Jordan Lee", "Pacific Standard Time");
        // Worded so that the model leans to a rejection without being sure (0.47: under its 0.71 for acting alone, over its 0.33 for asking).
        var (invite, reply) = InterviewAndSoftRejection(server, Jordan);
        var messageId = (string)reply["id"]!;
        var database = Path.Combine(Path.GetTempPath(), $"ofu-correction-{Guid.NewGuid():N}.db");
        var settings = new Dictionary<string, string?> { ["Database:ConnectionString"] = "Data Source=" + database };
        string key;
        try
        {
            await using (var service = new ServiceFactory(server.BaseUrl + "/v1.0", settings).WithClock(clock))
            {
                var client = service.ClientFor(Jordan);
                var view = JsonNode.Parse(await client.GetStringAsync($"/api/events/{(string)invite["id"]!}/plan"))!;
                key = (string)view["processKey"]!;
                var process = view["plan"]!["process"]!;
                Assert.Equal("paused", (string?)process["state"]);
                Assert.Equal(("rejection", messageId), ((string?)process["question"]?["class"], (string?)process["question"]?["messageId"]));
                Assert.Equal("Did Contoso turn you down?", (string?)process["question"]!["text"]);
                Assert.False((bool)process["lastReply"]!["sure"]!);
                Assert.DoesNotContain(view["plan"]!["steps"]!.AsArray(), s => (string?)s!["kind"] == "rejection-reply");

                var path = $"/api/processes/{Uri.EscapeDataString(key)}/replies/{Uri.EscapeDataString(messageId)}";
                Assert.Equal(HttpStatusCode.BadRequest, (await client.PutAsJsonAsync(path, new { @class = "maybe" })).StatusCode);
                Assert.Equal(HttpStatusCode.NotFound, (await client.PutAsJsonAsync($"/api/processes/{Uri.EscapeDataString(key)}/replies/no-such-message", new { @class = "rejection" })).StatusCode);

                int RoundTrips() => server.Sandbox.Log.Count(l => !l.InBatch);
                var before = RoundTrips();
                var answered = await client.PutAsJsonAsync(path, new { @class = "rejection" });
                // The mail read once for the check and the replan, the draft written, the mail read again to show it.
                Assert.Equal(3, RoundTrips() - before);
                Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
                var result = JsonNode.Parse(await answered.Content.ReadAsStringAsync())!;
                Assert.Equal(1, (int)result["writes"]!["created"]!);
                var after = result["view"]!["plan"]!;
                Assert.Equal("rejected", (string?)after["process"]!["state"]);
                Assert.Equal("you", (string?)after["process"]!["lastReply"]!["readBy"]);
                Assert.Null(after["process"]!["question"]);
                var gracious = Assert.Single(after["steps"]!.AsArray(), s => (string?)s!["kind"] == "rejection-reply")!;
                Assert.NotNull(gracious["written"]);
                lock (box.Gate) Assert.Contains(box.Messages.Values, m => Key(m) == (string)gracious["key"]! && (bool?)m["isDraft"] == true);

                await using var scope = service.Services.CreateAsyncScope();
                var row = await scope.ServiceProvider.GetRequiredService<AppDb>().Corrections.SingleAsync();
                Assert.Equal((messageId, "rejection"), (row.MessageId, row.Class));
                Assert.Equal(2 * OutlookFollowUp.Reader.Encoder.Dimensions, row.Vector!.Length); // the vector, 16 bits a dimension; never the text
            }

            // A restart: the correction is in the database, so the plan stays the one the user confirmed.
            await using (var again = new ServiceFactory(server.BaseUrl + "/v1.0", settings).WithClock(clock))
            {
                var plan = JsonNode.Parse(await again.ClientFor(Jordan).GetStringAsync($"/api/processes/{Uri.EscapeDataString(key)}"))!["plan"]!;
                Assert.Equal("rejected", (string?)plan["process"]!["state"]);
                Assert.Equal("you", (string?)plan["process"]!["lastReply"]!["readBy"]);
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(database + suffix);
        }
    }

    [Fact]
    public async Task AMessageAndAnInviteAreEncodedOnceAndTheirReadingsSurviveARestartAsNumbersOnly()
    {
        var clock = new ManualClock(DateTimeOffset.Parse("2026-11-24T18:00:00Z"));
        await using var server = await SandboxServer.StartAsync(clock);
        server.Sandbox.AddMailbox(Jordan, "Jordan Lee", "Pacific Standard Time");
        var (invite, reply) = InterviewAndSoftRejection(server, Jordan);
        var messageId = (string)reply["id"]!;
        var database = Path.Combine(Path.GetTempPath(), $"ofu-readings-{Guid.NewGuid():N}.db");
        var settings = new Dictionary<string, string?> { ["Database:ConnectionString"] = "Data Source=" + database };
        var planPath = $"/api/events/{(string)invite["id"]!}/plan";
        try
        {
            string firstReading;
            await using (var service = new ServiceFactory(server.BaseUrl + "/v1.0", settings).WithClock(clock))
            {
                var view = JsonNode.Parse(await service.ClientFor(Jordan).GetStringAsync(planPath))!;
                firstReading = view["plan"]!["process"]!["lastReply"]!.ToJsonString();
                var reader = service.Services.GetRequiredService<Api.Reading.Reading>().Reader!;
                Assert.Equal(1, reader.EncodedMessages);
                Assert.Equal(1, reader.EncodedInvites);
                // Opened again: read from the process's cache, not encoded again.
                await service.ClientFor(Jordan).GetStringAsync(planPath);
                Assert.Equal(1, reader.EncodedMessages);
                Assert.Equal(1, reader.EncodedInvites);

                await using var scope = service.Services.CreateAsyncScope();
                var row = await scope.ServiceProvider.GetRequiredService<AppDb>().Mail.SingleAsync(m => m.MessageId == messageId);
                // A hash of the text, then the features at 16 bits each: numbers only, nothing of the text.
                Assert.Equal(32 + 2 * OutlookFollowUp.Reader.Features.Length, row.Reading!.Length);
                Assert.DoesNotContain("platform", System.Text.Encoding.Latin1.GetString(row.Reading), StringComparison.OrdinalIgnoreCase);
                // The invite's reading is kept on its event the same way.
                var kept = await scope.ServiceProvider.GetRequiredService<AppDb>().Events.SingleAsync(e => e.EventId == (string)invite["id"]!);
                Assert.Equal(32 + 2 * OutlookFollowUp.Reader.Features.Length, kept.Reading!.Length);
                Assert.DoesNotContain("Contoso", System.Text.Encoding.Latin1.GetString(kept.Reading), StringComparison.OrdinalIgnoreCase);
            }

            // A restart (or another instance): the stored features are read; the message is not encoded again, reads the
            // same, and a correction still keeps its vector.
            await using (var again = new ServiceFactory(server.BaseUrl + "/v1.0", settings).WithClock(clock))
            {
                var client = again.ClientFor(Jordan);
                var view = JsonNode.Parse(await client.GetStringAsync(planPath))!;
                Assert.Equal(firstReading, view["plan"]!["process"]!["lastReply"]!.ToJsonString());
                Assert.Equal(0, again.Services.GetRequiredService<Api.Reading.Reading>().Reader!.EncodedMessages);
                Assert.Equal(0, again.Services.GetRequiredService<Api.Reading.Reading>().Reader!.EncodedInvites);
                var key = (string)view["processKey"]!;
                var answered = await client.PutAsJsonAsync($"/api/processes/{Uri.EscapeDataString(key)}/replies/{Uri.EscapeDataString(messageId)}", new { @class = "rejection" });
                Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
                await using var scope = again.Services.CreateAsyncScope();
                var correction = await scope.ServiceProvider.GetRequiredService<AppDb>().Corrections.SingleAsync();
                Assert.Equal(2 * OutlookFollowUp.Reader.Encoder.Dimensions, correction.Vector!.Length);
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(database + suffix);
        }
    }

    [Fact]
    public async Task ThisIsAnInterviewIsKeptAsLabelledDataAndALaterInviteLikeItReadsAsOne()
    {
        var clock = new ManualClock(DateTimeOffset.Parse("2026-11-18T18:00:00Z"));
        await using var server = await SandboxServer.StartAsync(clock);
        server.Sandbox.AddMailbox(Jordan, "Jordan Lee", "Pacific Standard Time");
        static JsonObject Chat(string start, string end, JsonObject organizer)
        {
            var e = Interview("Coffee chat", start, end, "Pacific Standard Time", organizer);
            e["body"] = new JsonObject { ["contentType"] = "text", ["content"] = "Quick interview about the analyst role at my startup, over coffee." };
            return e;
        }
        var first = server.Sandbox.DeliverEvent(Jordan, Chat("2026-11-17T09:00:00", "2026-11-17T10:00:00", Person("Pat Kim", "pat.kim@gmail.com")))!;
        await using var service = new ServiceFactory(server.BaseUrl + "/v1.0").WithClock(clock);
        var client = service.ClientFor(Jordan);
        var view = JsonNode.Parse(await client.GetStringAsync($"/api/events/{(string)first["id"]!}/plan"))!;
        Assert.NotEqual("interview", (string?)view["plan"]!["process"]!["detection"]!["verdict"]);
        var key = (string)view["processKey"]!;
        var saved = await client.PutAsJsonAsync($"/api/processes/{Uri.EscapeDataString(key)}/facts", new { isInterview = true });
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        await using (var scope = service.Services.CreateAsyncScope())
        {
            var label = await scope.ServiceProvider.GetRequiredService<AppDb>().Corrections.SingleAsync();
            Assert.Equal(((string)first["id"]!, "interview"), (label.MessageId, label.Class));
            Assert.Equal(2 * OutlookFollowUp.Reader.Encoder.Dimensions, label.Vector!.Length); // the invite's vector, never its text
        }

        // A week later, the same kind of invite from someone else: a process of its own, read as an interview because of the user's word.
        var later = server.Sandbox.DeliverEvent(Jordan, Chat("2026-11-24T09:00:00", "2026-11-24T10:00:00", Person("Lee Park", "lee.park@gmail.com")))!;
        clock.Advance(TimeSpan.FromDays(7));
        var next = JsonNode.Parse(await client.GetStringAsync($"/api/events/{(string)later["id"]!}/plan"))!;
        Assert.NotEqual(key, (string?)next["processKey"]);
        var detection = next["plan"]!["process"]!["detection"]!;
        Assert.Equal("interview", (string?)detection["verdict"]);
        Assert.Contains(detection["reasons"]!.AsArray(), r => ((string?)r)!.Contains("like an invite you marked as an interview"));
    }
}
