using System.Globalization;
using System.Text.Json;
using Microsoft.Graph;
using OutlookFollowUp.Engine;

namespace OutlookFollowUp.Mailbox;

public sealed partial class GraphMailboxGateway
{
    private static readonly string[] MessageFields =
    [
        "id", "conversationId", "subject", "body", "bodyPreview", "from", "toRecipients", "ccRecipients", "sentDateTime",
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
        var batch = new BatchRequestContentCollection(_client);
        var eventStep = eventId is null ? null
            : await batch.AddBatchRequestStepAsync(Get($"me/events/{Uri.EscapeDataString(eventId)}" + Query(("$expand", ExpandKey)), UtcTimes));
        var folders = new Dictionary<string, (string Folder, string Field)>();
        foreach (var (folder, field) in new[] { ("inbox", "receivedDateTime"), ("sentitems", "sentDateTime"), ("drafts", "lastModifiedDateTime") })
            folders[await batch.AddBatchRequestStepAsync(Get($"me/mailFolders/{folder}/messages"
                + Query(("$filter", $"{field} ge {since}"), ("$orderby", $"{field} desc"), ("$select", string.Join(",", MessageFields)), ("$expand", ExpandKey),
                    ("$top", PageWithBodies.ToString(CultureInfo.InvariantCulture))), TextBodies))] = (folder, field);

        var response = await _client.Batch.PostAsync(batch, cancellationToken);
        var statuses = await response.GetResponsesStatusCodesAsync();
        var eventJson = eventStep is null ? (JsonElement?)null : await ItemJsonAsync(response, statuses, eventStep, cancellationToken);
        var messages = new List<GraphMessage>();
        var headersOnly = new List<GraphMessage>();
        foreach (var (id, (folder, field)) in folders)
        {
            var page = await ItemJsonAsync(response, statuses, id, cancellationToken);
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
        var batch = new BatchRequestContentCollection(_client);
        var steps = new Dictionary<string, string>();
        foreach (var id in ids)
            steps[await batch.AddBatchRequestStepAsync(Get($"me/messages/{Uri.EscapeDataString(id)}" + Query(("$select", "body")), TextBodies))] = id;
        var response = await _client.Batch.PostAsync(batch, cancellationToken);
        var statuses = await response.GetResponsesStatusCodesAsync();
        var bodies = new Dictionary<string, ItemBody?>();
        foreach (var (step, id) in steps)
        {
            if (statuses.TryGetValue(step, out var status) && status == System.Net.HttpStatusCode.NotFound) continue;
            var item = await ItemJsonAsync(response, statuses, step, cancellationToken);
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

    private static async Task<JsonElement> ItemJsonAsync(BatchResponseContentCollection response, Dictionary<string, System.Net.HttpStatusCode> statuses, string id, CancellationToken cancellationToken)
    {
        using var item = await response.GetResponseByIdAsync(id);
        var text = await item.Content.ReadAsStringAsync(cancellationToken);
        var status = statuses.TryGetValue(id, out var s) ? (int)s : 0;
        if (status is < 200 or >= 300)
        {
            string code = "unknown", message = text;
            try
            {
                using var error = JsonDocument.Parse(text);
                code = error.RootElement.GetProperty("error").GetProperty("code").GetString() ?? code;
                message = error.RootElement.GetProperty("error").GetProperty("message").GetString() ?? message;
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException) { }
            throw new MailboxException(status, code, message, item.Headers.TryGetValues("request-id", out var rid) ? rid.FirstOrDefault() : null, null);
        }
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }
}
