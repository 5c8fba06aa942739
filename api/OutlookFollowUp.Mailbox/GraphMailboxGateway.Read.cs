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
        var (e, messages) = await ReadAsync(eventId, mailSince, cancellationToken);
        return new InterviewContext(e!, messages);
    }

    public async Task<IReadOnlyList<GraphMessage>> ReadMailAsync(DateTimeOffset since, CancellationToken cancellationToken = default) =>
        (await ReadAsync(null, since, cancellationToken)).Messages;

    /// <summary>An event (when asked) and the first page of each mail folder in one $batch; later pages one request each.</summary>
    private async Task<(GraphEvent? Event, IReadOnlyList<GraphMessage> Messages)> ReadAsync(string? eventId, DateTimeOffset mailSince, CancellationToken cancellationToken)
    {
        var since = mailSince.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ");
        var batch = new BatchRequestContentCollection(_client);
        var eventStep = eventId is null ? null
            : await batch.AddBatchRequestStepAsync(Get($"me/events/{Uri.EscapeDataString(eventId)}" + Query(("$expand", ExpandKey)), UtcTimes));
        var folders = new Dictionary<string, string>();
        foreach (var (folder, field) in new[] { ("inbox", "receivedDateTime"), ("sentitems", "sentDateTime"), ("drafts", "lastModifiedDateTime") })
            folders[await batch.AddBatchRequestStepAsync(Get($"me/mailFolders/{folder}/messages"
                + Query(("$filter", $"{field} ge {since}"), ("$select", string.Join(",", MessageFields)), ("$expand", ExpandKey), ("$top", "200")), TextBodies))] = folder;

        var response = await _client.Batch.PostAsync(batch, cancellationToken);
        var statuses = await response.GetResponsesStatusCodesAsync();
        var eventJson = eventStep is null ? (JsonElement?)null : await ItemJsonAsync(response, statuses, eventStep, cancellationToken);
        var messages = new List<GraphMessage>();
        foreach (var (id, folder) in folders)
        {
            var page = await ItemJsonAsync(response, statuses, id, cancellationToken);
            messages.AddRange(page.GetProperty("value").EnumerateArray().Select(m => m.Deserialize<GraphMessage>(PlanJson.Options)!));
            if (page.TryGetProperty("@odata.nextLink", out var next))
                messages.AddRange(await ReadAllPagesAsync<GraphMessage>(Get(next.GetString()!, TextBodies), link => Get(link, TextBodies), cancellationToken));
        }
        return (eventJson?.Deserialize<GraphEvent>(PlanJson.Options), messages);
    }

    public async Task<IReadOnlyList<GraphMessage>> GetMessagesAsync(MessageQuery query, CancellationToken cancellationToken = default)
    {
        static string Quote(string s) => "'" + s.Replace("'", "''") + "'";
        var who = new List<string>();
        if (query.ConversationId is { Length: > 0 } conversation) who.Add($"conversationId eq {Quote(conversation)}");
        who.AddRange((query.From ?? []).Where(a => a.Length > 0).Select(a => $"from/emailAddress/address eq {Quote(a)}"));
        if (who.Count == 0) throw new ArgumentException("A message query needs a conversation or at least one sender.", nameof(query));
        var filter = $"receivedDateTime ge {query.Since.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ} and ({string.Join(" or ", who)})";

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
