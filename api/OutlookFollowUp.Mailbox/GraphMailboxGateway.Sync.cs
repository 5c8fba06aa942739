using System.Text.Json;
using Microsoft.Graph;
using Microsoft.Kiota.Abstractions;
using OutlookFollowUp.Engine;

namespace OutlookFollowUp.Mailbox;

public sealed partial class GraphMailboxGateway
{
    private sealed record Feed(string Name, string? Link, Func<string?, RequestInformation> Request);

    /// <summary>
    /// What the mail index keeps of a message, read from the delta feeds: who, when, which thread, its version, its
    /// step key (expanded), its headers (the index keeps the auto-reply and threading ones). No subject, body or
    /// preview: a plan fetches those by id for the messages it reads.
    /// </summary>
    private static readonly string IndexFields = string.Join(",", MessageFields.Where(f => f is not ("body" or "subject" or "bodyPreview")));

    private static readonly string[] MailFolders = ["inbox", "sentitems", "drafts"];

    /// <summary>The calendar and mail feeds, for the same window as before; mail from the calendar window's start.</summary>
    public Task<SyncChanges> SyncAsync(SyncState? state, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default) =>
        SyncAsync(state, from, to, from, cancellationToken);

    public async Task<SyncChanges> SyncAsync(SyncState? state, DateTimeOffset from, DateTimeOffset to, DateTimeOffset mailSince,
        CancellationToken cancellationToken = default)
    {
        RequestInformation Calendar(string? link) => Get(link ?? "me/calendarView/delta"
            + Query(("startDateTime", from.UtcDateTime.ToString("o")), ("endDateTime", to.UtcDateTime.ToString("o"))), UtcTimes);
        var feeds = new List<Feed> { new("calendar", state?.CalendarDeltaLink, Calendar) };
        feeds.AddRange(MailFeeds(state, mailSince));
        return (await ReadFeedsAsync(feeds, [], cancellationToken)).Changes;
    }

    public async Task<MailboxRead> ReadAsync(MailboxReadRequest request, CancellationToken cancellationToken = default)
    {
        var extra = new List<(string Key, RequestInformation Request)>();
        if (request.EventId is { } eventId) extra.Add(("event", Get($"me/events/{Uri.EscapeDataString(eventId)}" + Query(("$expand", ExpandKey)), UtcTimes)));
        foreach (var id in request.TextOf.Distinct())
            extra.Add(("text:" + id, Get($"me/messages/{Uri.EscapeDataString(id)}" + Query(("$select", "subject,body,bodyPreview")), TextBodies)));
        // The daily profile read rides along: no request of its own.
        if (request.Profile) extra.AddRange([("me", MeRequest()), ("settings", Get("me/mailboxSettings"))]);
        var feeds = request.Feeds ? MailFeeds(request.MailState, request.MailSince) : [];
        var (changes, answers) = await ReadFeedsAsync(feeds, extra, cancellationToken);
        var e = request.EventId is null ? null : answers["event"].Json().Deserialize<GraphEvent>(PlanJson.Options);
        var texts = new Dictionary<string, MessageText>(StringComparer.Ordinal);
        foreach (var (key, answer) in answers)
        {
            // A message deleted or moved since the index saw it: the plan reads its headers alone.
            if (!key.StartsWith("text:", StringComparison.Ordinal) || answer.Status == 404) continue;
            var item = answer.Json();
            texts[key["text:".Length..]] = new MessageText(
                item.TryGetProperty("subject", out var subject) ? subject.GetString() : null,
                item.TryGetProperty("body", out var body) ? body.Deserialize<ItemBody>(PlanJson.Options) : null,
                item.TryGetProperty("bodyPreview", out var preview) ? preview.GetString() : null);
        }
        return new MailboxRead(e, request.Feeds ? changes : null, texts)
        {
            Profile = request.Profile ? ProfileOf(answers["me"].Json(), answers["settings"].Json()) : null,
        };
    }

    private List<Feed> MailFeeds(SyncState? state, DateTimeOffset mailSince)
    {
        // The first sync of a folder reaches back to the index's horizon; Graph keeps the query options in its links.
        RequestInformation Folder(string folder, string? link) => Get(link ?? $"me/mailFolders/{folder}/messages/delta"
            + Query(("$select", IndexFields), ("$expand", ExpandKey), ("$filter", $"receivedDateTime ge {ODataInstant(mailSince)}")));
        return
        [
            new("inbox", state?.InboxDeltaLink, link => Folder("inbox", link)),
            new("sentitems", state?.SentDeltaLink, link => Folder("sentitems", link)),
            new("drafts", state?.DraftsDeltaLink, link => Folder("drafts", link)),
        ];
    }

    /// <summary>The feeds' first pages and <paramref name="extra"/> reads in one $batch, then any later feed pages.</summary>
    private async Task<(SyncChanges Changes, Dictionary<string, ItemAnswer> Answers)> ReadFeedsAsync(IReadOnlyList<Feed> feeds,
        IReadOnlyList<(string Key, RequestInformation Request)> extra, CancellationToken cancellationToken)
    {
        var pages = new Dictionary<string, JsonElement>();
        var resynced = new List<string>();
        var pending = feeds.ToList();
        var answers = new Dictionary<string, ItemAnswer>();
        var reads = extra.ToList();
        // Throttled and failing items are asked again inside; a feed whose sync state expired (410) starts over, once.
        for (var attempt = 0; attempt < 2 && (pending.Count > 0 || reads.Count > 0); attempt++)
        {
            var got = await BatchGetAsync([.. pending.Select(f => ("feed:" + f.Name, f.Request(f.Link))), .. reads], cancellationToken);
            foreach (var (key, answer) in got)
                if (!key.StartsWith("feed:", StringComparison.Ordinal)) answers[key] = answer;
            reads = [];
            var again = new List<Feed>();
            foreach (var feed in pending)
            {
                var answer = got["feed:" + feed.Name];
                if (answer.Status == 410 && attempt == 0)
                {
                    // The caller's idempotent apply absorbs the repeats of a feed read from the start.
                    resynced.Add(feed.Name);
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
        var folderOf = new Dictionary<string, string>(StringComparer.Ordinal);
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
                    if (feed.Name == "calendar")
                    {
                        events.Add(item.Deserialize<GraphEvent>(PlanJson.Options)!);
                        continue;
                    }
                    var message = item.Deserialize<GraphMessage>(PlanJson.Options)!;
                    messages.Add(message);
                    if (message.Id is not null) folderOf[message.Id] = feed.Name;
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
        var state = new SyncState(links.GetValueOrDefault("calendar"), links.GetValueOrDefault("inbox"), links.GetValueOrDefault("sentitems"), links.GetValueOrDefault("drafts"));
        return (new SyncChanges(events, removedEvents, messages, removedMessages, state, resynced.Count > 0)
        {
            FolderOf = folderOf,
            ResyncedFolders = resynced.Where(f => f != "calendar").ToList(),
        }, answers);
    }
}
