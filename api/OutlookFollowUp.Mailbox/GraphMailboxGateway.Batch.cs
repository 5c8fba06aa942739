using System.Net;
using System.Text.Json;
using Microsoft.Graph;
using Microsoft.Graph.Me.Messages.Item.CreateReply;
using OutlookFollowUp.Engine;
using G = Microsoft.Graph.Models;

namespace OutlookFollowUp.Mailbox;

public sealed partial class GraphMailboxGateway
{
    private const int BatchLimit = 20;
    private const int Rounds = 6;

    public async Task<IReadOnlyList<WriteOutcome>> ApplyAsync(IReadOnlyList<MailboxWrite> writes, CancellationToken cancellationToken = default)
    {
        var outcomes = new Dictionary<string, WriteOutcome>();
        var pending = writes.ToList();
        for (var round = 0; round < Rounds && pending.Count > 0; round++)
        {
            if (round > 0) await Task.Delay(_resilience.BaseDelay * Math.Pow(2, round), _time, cancellationToken);
            // What may exist already (an earlier outcome unknown): the mailbox says whether it does. When the question
            // itself goes unanswered, the write waits for the next round: never written blind, and the other writes'
            // outcomes are not lost with an exception.
            var again = new List<MailboxWrite>();
            foreach (var w in pending.Where(w => w.MayExist).ToList())
            {
                WrittenItem? found;
                try
                {
                    found = await FindKeyAsync(w is NewEvent ? "events" : "messages", w.StepKey, cancellationToken);
                }
                catch (Exception e) when (Unanswered(e))
                {
                    pending.Remove(w);
                    again.Add(w);
                    continue;
                }
                if (found is null) continue;
                outcomes[w.StepKey] = new WriteOutcome(w.StepKey, WriteStatus.AlreadyThere, found.ItemId, null, found.LastModified);
                pending.Remove(w);
            }
            foreach (var chunk in pending.Chunk(BatchLimit))
            {
                var batch = new BatchRequestContentCollection(_client, BatchLimit);
                var steps = new Dictionary<string, MailboxWrite>();
                var requests = chunk.Select(RequestFor).ToList();
                BatchResponseContentCollection response;
                try
                {
                    for (var i = 0; i < chunk.Length; i++) steps[await batch.AddBatchRequestStepAsync(requests[i])] = chunk[i];
                    response = await _client.Batch.PostAsync(batch, cancellationToken);
                }
                catch (Exception e) when (Unanswered(e))
                {
                    // The batch may have run in part: every item's outcome is unknown.
                    again.AddRange(chunk.Select(w => w is DeleteDraft ? w : w with { MayExist = true }));
                    continue;
                }
                finally
                {
                    // Kiota writes each body into a pooled stream that nothing in the batch path disposes: left to the
                    // finalizer, returning them took a fifth of the service's processor time in a large sweep.
                    foreach (var r in requests) r.Content?.Dispose();
                }
                var statuses = await response.GetResponsesStatusCodesAsync();
                foreach (var (id, w) in steps)
                {
                    var status = statuses.TryGetValue(id, out var s) ? (int)s : 0;
                    switch (status)
                    {
                        case >= 200 and < 300:
                            var created = w is DeleteDraft ? null : await CreatedItemAsync(response, id);
                            outcomes[w.StepKey] = new WriteOutcome(w.StepKey, w is DeleteDraft ? WriteStatus.Deleted : WriteStatus.Created,
                                created?.Id ?? (w as DeleteDraft)?.ItemId, null, created?.LastModified);
                            break;
                        case 404 when w is DeleteDraft d:
                            outcomes[w.StepKey] = new WriteOutcome(w.StepKey, WriteStatus.Deleted, d.ItemId, "already gone");
                            break;
                        case 412 when w is DeleteDraft d:
                            outcomes[w.StepKey] = new WriteOutcome(w.StepKey, WriteStatus.KeptEdited, d.ItemId, "the user changed it");
                            break;
                        case 429 or 503:
                            again.Add(w); // Graph did not do it
                            break;
                        case 0 or >= 500:
                            again.Add(w is DeleteDraft ? w : w with { MayExist = true }); // it may have been done
                            break;
                        default:
                            outcomes[w.StepKey] = new WriteOutcome(w.StepKey, WriteStatus.Failed, null, $"Graph answered {status}");
                            break;
                    }
                }
            }
            pending = again;
        }
        foreach (var w in pending) outcomes[w.StepKey] = new WriteOutcome(w.StepKey, WriteStatus.Failed, null, "still failing after retries; the next sweep tries again");
        return writes.Select(w => outcomes[w.StepKey]).ToList();
    }

    // No answer to act on: maybe done (ambiguous), not done (throttled, unavailable) or not even sent (the circuit
    // breaker is open while Graph keeps failing). The round after decides, by key where it may have been done.
    private static bool Unanswered(Exception e) =>
        IsAmbiguous(e) || e is MailboxException { Status: 429 or 503 } || e is Polly.CircuitBreaker.BrokenCircuitException;

    private Microsoft.Kiota.Abstractions.RequestInformation RequestFor(MailboxWrite write)
    {
        switch (write)
        {
            case NewDraft { Draft.ReplyToMessageId: { } replyTo } d:
                // One request: createReply takes the draft's properties, key included, so the reply is batchable.
                // The reply keeps the thread's subject, so none is sent.
                return _client.Me.Messages[replyTo].CreateReply.ToPostRequestInformation(new CreateReplyPostRequestBody
                {
                    Message = DraftMessage(d.StepKey, d.Draft, d.To, withSubject: false),
                });
            case NewDraft d:
                return _client.Me.Messages.ToPostRequestInformation(DraftMessage(d.StepKey, d.Draft, d.To, withSubject: true));
            case NewEvent e:
                return _client.Me.Events.ToPostRequestInformation(new G.Event
                {
                    Subject = e.Reminder.Title,
                    Body = new G.ItemBody { ContentType = G.BodyType.Text, Content = e.Reminder.Body },
                    Start = new G.DateTimeTimeZone { DateTime = e.Reminder.StartUtc.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss"), TimeZone = "UTC" },
                    End = new G.DateTimeTimeZone { DateTime = e.Reminder.StartUtc.AddMinutes(e.Reminder.DurationMinutes).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss"), TimeZone = "UTC" },
                    IsReminderOn = true,
                    ReminderMinutesBeforeStart = e.Reminder.ReminderMinutesBeforeStart,
                    ShowAs = G.FreeBusyStatus.Free,
                    SingleValueExtendedProperties = [new G.SingleValueLegacyExtendedProperty { Id = StepKeys.PropertyId, Value = e.StepKey }],
                });
            case DeleteDraft d:
                return _client.Me.Messages[d.ItemId].ToDeleteRequestInformation(r => r.Headers.Add("If-Match", d.ETag));
            default:
                throw new ArgumentOutOfRangeException(nameof(write));
        }
    }

    /// <summary>
    /// A draft as Graph takes it, with its step key. A fresh model every call: the SDK's models remember what they
    /// already sent and serialize only the changes the second time, so a resent model would lose its key.
    /// </summary>
    private static G.Message DraftMessage(string stepKey, MailDraft draft, IReadOnlyList<Person> to, bool withSubject)
    {
        var message = new G.Message
        {
            Body = new G.ItemBody { ContentType = G.BodyType.Html, Content = draft.BodyHtml },
            ToRecipients = to.Select(p => new G.Recipient { EmailAddress = new G.EmailAddress { Name = p.Name, Address = p.Address } }).ToList(),
            SingleValueExtendedProperties = [new G.SingleValueLegacyExtendedProperty { Id = StepKeys.PropertyId, Value = stepKey }],
        };
        // Only a property that is set is sent: a subject set even to null would blank the reply's "RE:" subject.
        if (withSubject) message.Subject = draft.Subject;
        return message;
    }

    /// <summary>
    /// The created item's id and version, read from its JSON alone: Graph echoes the whole draft or event back, and
    /// building the SDK's model of it (body, recipients, extended properties) for these two values cost a tenth of
    /// the sweep's processor time spent on Graph's answers.
    /// </summary>
    private static async Task<(string? Id, DateTimeOffset? LastModified)?> CreatedItemAsync(BatchResponseContentCollection response, string id)
    {
        using var item = await response.GetResponseByIdAsync(id);
        if (item is null) return null;
        await using var body = await item.Content.ReadAsStreamAsync();
        try
        {
            using var json = await JsonDocument.ParseAsync(body);
            if (json.RootElement.ValueKind != JsonValueKind.Object) return null;
            var itemId = json.RootElement.TryGetProperty("id", out var i) && i.ValueKind == JsonValueKind.String ? i.GetString() : null;
            DateTimeOffset? modified = json.RootElement.TryGetProperty("lastModifiedDateTime", out var t) && t.ValueKind == JsonValueKind.String
                && t.TryGetDateTimeOffset(out var at) ? at : null;
            return (itemId, modified);
        }
        catch (JsonException)
        {
            return null; // an answer that is not JSON names no item: the write's key finds it on the next look
        }
    }
}
