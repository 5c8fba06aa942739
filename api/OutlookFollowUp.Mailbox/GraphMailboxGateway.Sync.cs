using System.Text.Json;
using Microsoft.Graph;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Serialization;
using OutlookFollowUp.Engine;
using G = Microsoft.Graph.Models;

namespace OutlookFollowUp.Mailbox;

public sealed partial class GraphMailboxGateway
{
    private sealed record Feed(string Name, string? Link, Func<string?, RequestInformation> Request);

    public async Task<SyncChanges> SyncAsync(SyncState? state, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default)
    {
        RequestInformation Calendar(string? link) => Get(link ?? "me/calendarView/delta"
            + Query(("startDateTime", from.UtcDateTime.ToString("o")), ("endDateTime", to.UtcDateTime.ToString("o"))), UtcTimes);
        RequestInformation Folder(string folder, string? link) => Get(link ?? $"me/mailFolders/{folder}/messages/delta");

        Feed[] feeds =
        [
            new("calendar", state?.CalendarDeltaLink, Calendar),
            new("inbox", state?.InboxDeltaLink, link => Folder("inbox", link)),
            new("sentitems", state?.SentDeltaLink, link => Folder("sentitems", link)),
        ];
        var pages = new Dictionary<string, JsonElement>();
        var resynced = false;
        var pending = feeds.ToList();
        // Throttled and failing items are asked again inside; a feed whose sync state expired (410) starts over, once.
        for (var attempt = 0; attempt < 2 && pending.Count > 0; attempt++)
        {
            var answers = await BatchGetAsync(pending.Select(f => (f.Name, f.Request(f.Link))).ToList(), cancellationToken);
            var again = new List<Feed>();
            foreach (var feed in pending)
            {
                var answer = answers[feed.Name];
                if (answer.Status == 410 && attempt == 0)
                {
                    // The caller's idempotent apply absorbs the repeats of a feed read from the start.
                    resynced = true;
                    again.Add(feed with { Link = null });
                    continue;
                }
                pages[feed.Name] = answer.Status is >= 200 and < 300
                    ? answer.Json()
                    : throw new MailboxException(Transient(answer.Status) ? 503 : answer.Status, "SyncIncomplete", $"the {feed.Name} feed could not be read (Graph answered {answer.Status})",
                        answer.RequestId, null) { RetryAfter = answer.RetryAfter };
            }
            pending = again;
        }

        var events = new List<GraphEvent>();
        var removedEvents = new List<string>();
        var messages = new List<GraphMessage>();
        var removedMessages = new List<string>();
        var links = new Dictionary<string, string?>();
        foreach (var feed in feeds)
        {
            var page = pages[feed.Name];
            while (true)
            {
                foreach (var item in page.GetProperty("value").EnumerateArray())
                {
                    var id = item.TryGetProperty("id", out var i) ? i.GetString() : null;
                    if (item.TryGetProperty("@removed", out _))
                    {
                        if (id is not null) (feed.Name == "calendar" ? removedEvents : removedMessages).Add(id);
                        continue;
                    }
                    if (feed.Name == "calendar") events.Add(item.Deserialize<GraphEvent>(PlanJson.Options)!);
                    else messages.Add(item.Deserialize<GraphMessage>(PlanJson.Options)!);
                }
                if (page.TryGetProperty("@odata.deltaLink", out var delta)) { links[feed.Name] = delta.GetString(); break; }
                if (!page.TryGetProperty("@odata.nextLink", out var next)) { links[feed.Name] = feed.Link; break; }
                // Later pages of a large first sync come one request each.
                var request = feed.Request(next.GetString());
                await using var nextPage = await Call(() => _client.RequestAdapter.SendPrimitiveAsync<Stream>(request, ErrorMapping, cancellationToken));
                using var doc = await JsonDocument.ParseAsync(nextPage!, cancellationToken: cancellationToken);
                page = doc.RootElement.Clone();
            }
        }
        return new SyncChanges(events, removedEvents, messages, removedMessages,
            new SyncState(links["calendar"], links["inbox"], links["sentitems"]), resynced);
    }
}
