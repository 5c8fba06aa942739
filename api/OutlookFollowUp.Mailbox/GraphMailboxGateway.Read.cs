using System.Globalization;
using System.Text.Json;
using Microsoft.Graph;
using Microsoft.Kiota.Abstractions;
using OutlookFollowUp.Engine;

namespace OutlookFollowUp.Mailbox;

public sealed partial class GraphMailboxGateway
{
    private static readonly string[] MessageFields =
    [
        "id", "conversationId", "internetMessageId", "sender", "subject", "body", "bodyPreview", "from", "toRecipients", "ccRecipients", "sentDateTime",
        "receivedDateTime", "createdDateTime", "lastModifiedDateTime", "isDraft", "internetMessageHeaders", "changeKey",
    ];

    private const string TextBodies = "outlook.body-content-type=\"text\"";

    public async Task<InterviewContext> ReadInterviewAsync(string eventId, DateTimeOffset mailSince, CancellationToken cancellationToken = default)
    {
        var (e, messages) = await ReadAsync(eventId, mailSince, null, cancellationToken);
        return new InterviewContext(e!, messages);
    }

    public async Task<IReadOnlyList<GraphMessage>> ReadMailAsync(DateTimeOffset since, Func<GraphMessage, bool>? needsBody = null, CancellationToken cancellationToken = default) =>
        (await ReadAsync(null, since, needsBody, cancellationToken)).Messages;

    // With a needsBody filter, the first page of each folder (the newest mail) comes with bodies, and whatever is older
    // comes without, its bodies then read only where the filter asks: most of a busy inbox (job alerts, newsletters) is
    // never about a process, and reading its bodies made a replan's Graph traffic and memory grow with the inbox. The
    // first page stays as large as before, so a mailbox with up to 200 messages a folder costs what it did.
    private const int PageWithBodies = 200;
    private const int PageOfHeaders = 1000; // Graph's largest page for messages

    private static readonly string HeaderFields = string.Join(",", MessageFields.Where(f => f != "body"));

    /// <summary>
    /// An event (when asked) and the first page of each mail folder in one $batch, newest first; the rest of a folder
    /// with bodies (no filter), or as headers with the bodies <paramref name="needsBody"/> asks for in one more $batch.
    /// </summary>
    private async Task<(GraphEvent? Event, IReadOnlyList<GraphMessage> Messages)> ReadAsync(string? eventId, DateTimeOffset mailSince, Func<GraphMessage, bool>? needsBody,
        CancellationToken cancellationToken)
    {
        var since = ODataInstant(mailSince);
        var reads = new List<(string Key, RequestInformation Request)>();
        if (eventId is not null) reads.Add(("event", Get($"me/events/{Uri.EscapeDataString(eventId)}" + Query(("$expand", ExpandKey)), UtcTimes)));
        var folders = new Dictionary<string, (string Folder, string Field)>();
        foreach (var (folder, field) in new[] { ("inbox", "receivedDateTime"), ("sentitems", "sentDateTime"), ("drafts", "lastModifiedDateTime") })
        {
            reads.Add((folder, Get($"me/mailFolders/{folder}/messages"
                + Query(("$filter", $"{field} ge {since}"), ("$orderby", $"{field} desc"), ("$select", string.Join(",", MessageFields)), ("$expand", ExpandKey),
                    ("$top", PageWithBodies.ToString(CultureInfo.InvariantCulture))), TextBodies)));
            folders[folder] = (folder, field);
        }
        var answers = await BatchGetAsync(reads, cancellationToken);
        var eventJson = eventId is null ? (JsonElement?)null : answers["event"].Json();
        var messages = new List<GraphMessage>();
        var headersOnly = new List<GraphMessage>();
        foreach (var (id, (folder, field)) in folders)
        {
            var page = answers[id].Json();
            var first = page.GetProperty("value").EnumerateArray().Select(m => m.Deserialize<GraphMessage>(PlanJson.Options)!).ToList();
            messages.AddRange(first);
            if (!page.TryGetProperty("@odata.nextLink", out var next)) continue;
            if (needsBody is null)
            {
                messages.AddRange(await ReadAllPagesAsync<GraphMessage>(Get(next.GetString()!, TextBodies), link => Get(link, TextBodies), cancellationToken));
                continue;
            }
            // The rest: up to the oldest instant of the first page, rounded up to the second the filter speaks in (so
            // nothing is missed at the boundary; what the first page already has is dropped by id).
            var oldest = first.Select(m => Instant(m, field)).Min();
            var upTo = ODataInstant(oldest.AddTicks(TimeSpan.TicksPerSecond - oldest.UtcTicks % TimeSpan.TicksPerSecond));
            var seen = first.Select(m => m.Id).ToHashSet();
            var rest = await ReadAllPagesAsync<GraphMessage>(Get($"me/mailFolders/{folder}/messages"
                + Query(("$filter", $"{field} ge {since} and {field} le {upTo}"), ("$orderby", $"{field} desc"), ("$select", HeaderFields), ("$expand", ExpandKey),
                    ("$top", PageOfHeaders.ToString(CultureInfo.InvariantCulture)))), link => Get(link), cancellationToken);
            headersOnly.AddRange(rest.Where(m => !seen.Contains(m.Id)));
        }
        // Only a filter puts messages here.
        var wanted = needsBody is null ? [] : headersOnly.Where(needsBody).Where(m => m.Id is not null).Select(m => m.Id!).Distinct().ToList();
        var bodies = wanted.Count == 0 ? [] : await BodiesAsync(wanted, cancellationToken);
        messages.AddRange(headersOnly.Select(m => m.Id is not null && bodies.TryGetValue(m.Id, out var body) ? m with { Body = body } : m));
        return (eventJson?.Deserialize<GraphEvent>(PlanJson.Options), messages);
    }

    /// <summary>An instant as OData filters take it: UTC, to the second.</summary>
    private static string ODataInstant(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    private static DateTimeOffset Instant(GraphMessage m, string field) => (field switch
    {
        "receivedDateTime" => m.ReceivedDateTime,
        "sentDateTime" => m.SentDateTime,
        _ => m.LastModifiedDateTime,
    }) ?? DateTimeOffset.MinValue;

    /// <summary>Bodies by message id, 20 to a $batch; a message deleted since it was listed is left without.</summary>
    private async Task<Dictionary<string, ItemBody?>> BodiesAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        var answers = await BatchGetAsync(ids.Distinct().Select(id => (id, Get($"me/messages/{Uri.EscapeDataString(id)}" + Query(("$select", "body")), TextBodies))).ToList(),
            cancellationToken);
        var bodies = new Dictionary<string, ItemBody?>();
        foreach (var (id, answer) in answers)
        {
            if (answer.Status == 404) continue;
            var item = answer.Json();
            bodies[id] = item.TryGetProperty("body", out var body) ? body.Deserialize<ItemBody>(PlanJson.Options) : null;
        }
        return bodies;
    }

    public async Task<IReadOnlyList<GraphMessage>> GetMessagesAsync(MessageQuery query, CancellationToken cancellationToken = default)
    {
        static string Quote(string s) => "'" + s.Replace("'", "''") + "'";
        var who = new List<string>();
        if (query.ConversationId is { Length: > 0 } conversation) who.Add($"conversationId eq {Quote(conversation)}");
        who.AddRange((query.From ?? []).Where(a => a.Length > 0).Select(a => $"from/emailAddress/address eq {Quote(a)}"));
        if (who.Count == 0) throw new ArgumentException("A message query needs a conversation or at least one sender.", nameof(query));
        var filter = $"receivedDateTime ge {ODataInstant(query.Since)} and ({string.Join(" or ", who)})";

        return await ReadAllPagesAsync<GraphMessage>(Get("me/messages" + Query(("$filter", filter), ("$select", string.Join(",", MessageFields)), ("$top", "100")), TextBodies),
            next => Get(next, TextBodies), cancellationToken);
    }

    /// <summary>One item's answer in a $batch: its status, its body, and what Graph said about waiting.</summary>
    private sealed record ItemAnswer(int Status, string Body, TimeSpan? RetryAfter, string? RequestId)
    {
        /// <summary>The item's JSON, or Graph's error for it as a <see cref="MailboxException"/>.</summary>
        public JsonElement Json()
        {
            if (Status is < 200 or >= 300)
            {
                string code = "unknown", message = Body;
                try
                {
                    using var error = JsonDocument.Parse(Body);
                    code = error.RootElement.GetProperty("error").GetProperty("code").GetString() ?? code;
                    message = error.RootElement.GetProperty("error").GetProperty("message").GetString() ?? message;
                }
                catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException) { }
                throw new MailboxException(Status, code, message, RequestId, null) { RetryAfter = RetryAfter };
            }
            using var doc = JsonDocument.Parse(Body);
            return doc.RootElement.Clone();
        }
    }

    /// <summary>Throttled or unavailable (Graph did not do it), or a server error on a read (safe to ask again).</summary>
    private static bool Transient(int status) => status is 0 or 429 or 500 or 502 or 503 or 504;

    /// <summary>
    /// GETs in $batch requests of at most 20. Items answered 429, 503 or another 5xx are asked again, together, after
    /// the longest Retry-After they carried (a floor; the wait also grows each round), as the writes are. Reads stop
    /// waiting once <see cref="MailboxResilienceOptions.MaxRetryWait"/> would be exceeded: a person is waiting on
    /// most reads, and the last answer (with Graph's Retry-After) then tells them when to try again.
    /// </summary>
    private async Task<Dictionary<string, ItemAnswer>> BatchGetAsync(IReadOnlyList<(string Key, RequestInformation Request)> reads, CancellationToken cancellationToken)
    {
        var answers = new Dictionary<string, ItemAnswer>();
        var pending = reads.ToList();
        var waited = TimeSpan.Zero;
        for (var round = 0; pending.Count > 0; round++)
        {
            var again = new List<(string Key, RequestInformation Request)>();
            TimeSpan? floor = null;
            foreach (var chunk in pending.Chunk(BatchLimit))
            {
                var batch = new BatchRequestContentCollection(_client, BatchLimit);
                var steps = new Dictionary<string, (string Key, RequestInformation Request)>();
                foreach (var read in chunk) steps[await batch.AddBatchRequestStepAsync(read.Request)] = read;
                var response = await _client.Batch.PostAsync(batch, cancellationToken);
                var statuses = await response.GetResponsesStatusCodesAsync();
                foreach (var (step, read) in steps)
                {
                    using var item = await response.GetResponseByIdAsync(step);
                    var status = statuses.TryGetValue(step, out var s) ? (int)s : 0;
                    var body = item is null ? "" : await item.Content.ReadAsStringAsync(cancellationToken);
                    var retryAfter = item is null ? null : RetryAfterOf(item);
                    var requestId = item?.Headers.TryGetValues("request-id", out var rid) == true ? rid.FirstOrDefault() : null;
                    answers[read.Key] = new ItemAnswer(status, body, retryAfter, requestId);
                    if (!Transient(status)) continue;
                    again.Add(read);
                    if (retryAfter > (floor ?? TimeSpan.Zero)) floor = retryAfter;
                }
            }
            if (again.Count == 0 || round + 1 >= _resilience.MaxRetryAttempts) break;
            var backoff = _resilience.BaseDelay * Math.Pow(2, round + 1);
            var wait = floor > backoff ? floor.Value + backoff * 0.25 : backoff;
            if (waited + wait > _resilience.MaxRetryWait) break;
            await Task.Delay(wait, _time, cancellationToken);
            waited += wait;
            pending = again;
        }
        return answers;
    }

    private TimeSpan? RetryAfterOf(HttpResponseMessage response) => ResilienceHandler.RetryAfter(response, _time);
}
