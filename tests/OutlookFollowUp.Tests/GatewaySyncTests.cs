using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OutlookFollowUp.Mailbox;

namespace OutlookFollowUp.Tests;

/// <summary>
/// Incremental sync of the calendar, Inbox, Sent Items and Drafts through delta queries, all in one $batch. Mail comes
/// as the index keeps it (headers, no text); its text is read by id.
/// </summary>
public class GatewaySyncTests(SandboxFixture fixture) : IClassFixture<SandboxFixture>
{
    private static readonly DateTimeOffset From = A.Utc("2026-03-01T00:00:00Z");
    private static readonly DateTimeOffset To = A.Utc("2026-04-01T00:00:00Z");

    private (string Address, GraphMailboxGateway Gateway, HttpClient Http) NewMailbox()
    {
        var address = $"s{Guid.NewGuid():N}@contoso.com";
        fixture.Sandbox.AddMailbox(address, "Alex Rivera", "UTC");
        var gateway = new GraphMailboxGateway(new Uri(fixture.BaseUrl + "/v1.0"), _ => Task.FromResult("sandbox:" + address),
            new MailboxResilienceOptions { BaseDelay = TimeSpan.FromMilliseconds(20) }, TimeProvider.System);
        return (address, gateway, fixture.ClientFor(address));
    }

    private static JsonObject Event(string subject, string start) => new()
    {
        ["subject"] = subject,
        ["start"] = new JsonObject { ["dateTime"] = start, ["timeZone"] = "UTC" },
        ["end"] = new JsonObject { ["dateTime"] = start.Replace("T10", "T11"), ["timeZone"] = "UTC" },
    };

    private JsonObject Inbound(string address, string subject) => fixture.Sandbox.Deliver(address, new JsonObject
    {
        ["subject"] = subject,
        ["from"] = new JsonObject { ["emailAddress"] = new JsonObject { ["name"] = "Dana", ["address"] = "dana@fabrikam.com" } },
        ["body"] = new JsonObject { ["contentType"] = "text", ["content"] = "We are still reviewing." },
    })!;

    /// <summary>The messages' subjects, read by id as a plan reads the text of what it reads.</summary>
    private static async Task<List<string?>> SubjectsAsync(GraphMailboxGateway gateway, IEnumerable<OutlookFollowUp.Engine.GraphMessage> messages)
    {
        var ids = messages.Select(m => m.Id!).ToList();
        var read = await gateway.ReadAsync(new MailboxReadRequest { TextOf = ids });
        return ids.Select(id => read.Texts.TryGetValue(id, out var t) ? t.Subject : null).Order().ToList();
    }

    [Fact]
    public async Task TheFirstSyncReadsEverythingAndAnIdleSyncCostsOneRoundTrip()
    {
        var (address, gateway, http) = NewMailbox();
        await http.PostAsJsonAsync("me/events", Event("Interview: Engineer", "2026-03-10T10:00:00"));
        await http.PostAsJsonAsync("me/events", Event("Outside the window", "2026-06-10T10:00:00"));
        Inbound(address, "Your interview");

        var first = await gateway.SyncAsync(null, From, To);
        Assert.Equal("Interview: Engineer", Assert.Single(first.Events).Subject);
        var message = Assert.Single(first.Messages);
        // Headers only: who and when, no subject, body or preview.
        Assert.Equal(("dana@fabrikam.com", null, null, null), (message.From?.EmailAddress?.Address, message.Subject, message.Body, message.BodyPreview));
        Assert.Equal("inbox", first.FolderOf[message.Id!]);
        Assert.Equal(["Your interview"], await SubjectsAsync(gateway, first.Messages));
        Assert.NotNull(first.State.DraftsDeltaLink);

        var before = fixture.Sandbox.Log.Count(l => !l.InBatch);
        var idle = await gateway.SyncAsync(first.State, From, To);
        Assert.Equal(1, fixture.Sandbox.Log.Count(l => !l.InBatch) - before); // one $batch carrying the four feeds
        Assert.Empty(idle.Events);
        Assert.Empty(idle.Messages);
        Assert.False(idle.Resynced);
    }

    [Fact]
    public async Task ASyncReportsWhatChangedSinceTheLastOne()
    {
        var (address, gateway, http) = NewMailbox();
        var created = (await (await http.PostAsJsonAsync("me/events", Event("Interview: Engineer", "2026-03-10T10:00:00"))).Content.ReadFromJsonAsync<JsonObject>())!;
        var first = await gateway.SyncAsync(null, From, To);

        Inbound(address, "Update on your application");
        var draft = (await (await http.PostAsJsonAsync("me/messages", new { subject = "Thank you" })).Content.ReadFromJsonAsync<JsonObject>())!;
        fixture.Sandbox.SendAsUser(address, (string)draft["id"]!);
        await http.DeleteAsync($"me/events/{Uri.EscapeDataString((string)created["id"]!)}");

        var next = await gateway.SyncAsync(first.State, From, To);
        Assert.Equal((string)created["id"]!, Assert.Single(next.RemovedEventIds));
        Assert.Equal(["Thank you", "Update on your application"], await SubjectsAsync(gateway, next.Messages));
        var sent = Assert.Single(next.Messages, m => next.FolderOf[m.Id!] == "sentitems");
        Assert.True(sent.IsDraft == false && sent.SentDateTime is not null);
        // The draft left Drafts when it was sent: its feed says so.
        Assert.Contains((string)draft["id"]!, next.RemovedMessageIds.Append(sent.Id!));
    }

    [Fact]
    public async Task AnExpiredSyncStateStartsOverWithoutLosingAnything()
    {
        var (address, gateway, http) = NewMailbox();
        await http.PostAsJsonAsync("me/events", Event("Round one", "2026-03-10T10:00:00"));
        var first = await gateway.SyncAsync(null, From, To);
        await http.PostAsJsonAsync("me/events", Event("Round two", "2026-03-17T10:00:00"));
        Inbound(address, "Next steps");
        fixture.Sandbox.ExpireDeltaTokens(address);

        var after = await gateway.SyncAsync(first.State, From, To);
        Assert.True(after.Resynced);
        Assert.Equal(["Round one", "Round two"], after.Events.Select(e => e.Subject).Order());
        Assert.Equal(["Next steps"], await SubjectsAsync(gateway, after.Messages));
        Assert.Equal(["inbox", "sentitems", "drafts"], after.ResyncedFolders);
        var idle = await gateway.SyncAsync(after.State, From, To);
        Assert.False(idle.Resynced);
        Assert.Empty(idle.Events);
    }

    [Fact]
    public async Task TheMailFeedsKeepTheirSelectionAndHorizonInTheirLinks()
    {
        var (address, gateway, _) = NewMailbox();
        fixture.Sandbox.Deliver(address, new JsonObject
        {
            ["subject"] = "Old news", ["receivedDateTime"] = "2025-01-01T00:00:00Z",
            ["from"] = new JsonObject { ["emailAddress"] = new JsonObject { ["name"] = "Dana", ["address"] = "dana@fabrikam.com" } },
        });
        var first = await gateway.SyncAsync(null, From, To, mailSince: A.Utc("2026-01-01T00:00:00Z"));
        Assert.Empty(first.Messages); // older than the index's horizon
        Inbound(address, "Fresh news");
        var next = await gateway.SyncAsync(first.State, From, To, mailSince: A.Utc("2026-01-01T00:00:00Z"));
        var fresh = Assert.Single(next.Messages);
        Assert.Null(fresh.Subject); // the link still selects the index's fields
        Assert.Null(fresh.Body);
    }
}
