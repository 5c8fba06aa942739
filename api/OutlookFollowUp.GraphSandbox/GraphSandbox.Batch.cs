using System.Text.Json.Nodes;

namespace OutlookFollowUp.GraphSandbox;

public sealed partial class GraphSandbox
{
    /// <summary>
    /// JSON batching: at most 20 requests; items run four at a time, as Graph sends them to Outlook; dependsOn orders
    /// them, and an item whose dependency failed gets 424. Each item counts against its mailbox's limits on its own.
    /// </summary>
    private async Task<(SandboxResponse Response, int Rounds)> BatchAsync(SandboxRequest r, CancellationToken cancellationToken)
    {
        var requestId = NewId("req");
        var now = time.GetUtcNow();
        if ((r.Body as JsonObject)?["requests"] is not JsonArray requests || requests.Count == 0)
            return (SandboxResponse.Error(400, "BadRequest", "Invalid batch payload format.", requestId, now), 0);
        if (requests.Count > options.MaxBatchRequests)
            return (SandboxResponse.Error(400, "BadRequest", $"Number of requests exceeds the limit of {options.MaxBatchRequests}.", requestId, now), 0);

        var items = new List<(string Id, SandboxRequest Request, string[] DependsOn)>();
        foreach (var node in requests)
        {
            if (node is not JsonObject o || (string?)o["id"] is not { Length: > 0 } id || (string?)o["method"] is not { Length: > 0 } method || (string?)o["url"] is not { Length: > 0 } url)
                return (SandboxResponse.Error(400, "BadRequest", "Each batch request needs an id, a method and a url.", requestId, now), 0);
            if (items.Any(i => i.Id == id))
                return (SandboxResponse.Error(400, "BadRequest", $"Batch request id '{id}' is not unique.", requestId, now), 0);
            var (path, query) = SplitUrl(url);
            var headers = new Dictionary<string, string>(r.Headers, StringComparer.OrdinalIgnoreCase);
            if (o["headers"] is JsonObject h)
                foreach (var (k, v) in h) headers[k] = v?.ToString() ?? "";
            var dependsOn = (o["dependsOn"] as JsonArray)?.Select(d => d?.ToString() ?? "").ToArray() ?? [];
            items.Add((id, new SandboxRequest(method.ToUpperInvariant(), path, query, headers, o["body"]?.DeepClone(), r.BaseUrl), dependsOn));
        }
        if (items.SelectMany(i => i.DependsOn).Any(d => items.All(i => i.Id != d)))
            return (SandboxResponse.Error(400, "BadRequest", "A dependsOn id names no request in the batch.", requestId, now), 0);

        var results = new Dictionary<string, SandboxResponse>();
        var pending = items.ToList();
        var rounds = 0;
        while (pending.Count > 0)
        {
            var ready = pending.Where(i => i.DependsOn.All(results.ContainsKey)).ToList();
            if (ready.Count == 0)
                return (SandboxResponse.Error(400, "BadRequest", "The dependsOn ids form a cycle.", requestId, now), rounds);
            foreach (var chunk in ready.Chunk(4))
            {
                rounds++;
                var done = await Task.WhenAll(chunk.Select(async i =>
                {
                    if (i.DependsOn.Any(d => results[d].Status >= 400))
                        return (i.Id, SandboxResponse.Error(424, "FailedDependency", "A request this one depends on failed.", NewId("req"), now));
                    var answer = await HandleOneAsync(i.Request, inBatch: true, cancellationToken);
                    return (i.Id, answer.Status == 0 ? SandboxResponse.Error(502, "BadGateway", "The item's connection was lost.", NewId("req"), now) : answer);
                }));
                foreach (var (id, response) in done) results[id] = response;
            }
            pending.RemoveAll(i => results.ContainsKey(i.Id));
        }

        var responses = new JsonArray(items.Select(i =>
        {
            var response = results[i.Id];
            var headers = new JsonObject();
            foreach (var (k, v) in response.Headers) headers[k] = v;
            headers["Content-Type"] ??= "application/json";
            return (JsonNode?)new JsonObject { ["id"] = i.Id, ["status"] = response.Status, ["headers"] = headers, ["body"] = response.Body?.DeepClone() };
        }).ToArray());
        return (SandboxResponse.Json(200, new JsonObject { ["responses"] = responses }), rounds);
    }

    internal static (string Path, IReadOnlyDictionary<string, string> Query) SplitUrl(string url)
    {
        var q = url.IndexOf('?');
        var path = "/" + (q < 0 ? url : url[..q]).TrimStart('/');
        var query = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (q >= 0)
            foreach (var pair in url[(q + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var eq = pair.IndexOf('=');
                var key = Uri.UnescapeDataString(eq < 0 ? pair : pair[..eq]);
                query[key] = eq < 0 ? "" : Uri.UnescapeDataString(pair[(eq + 1)..].Replace('+', ' '));
            }
        return (path, query);
    }

    /// <summary>The user pressing Send: the draft leaves Drafts for Sent Items, with its sent time.</summary>
    public JsonObject? SendAsUser(string mailbox, string messageId)
    {
        var box = Find(mailbox);
        if (box is null) return null;
        lock (box.Gate)
        {
            if (!box.Messages.TryGetValue(messageId, out var m) || (string?)m[FolderField] != "drafts") return null;
            var now = time.GetUtcNow();
            Forget(box, "messages", "drafts", messageId);
            m[FolderField] = "sentitems";
            m["parentFolderId"] = FolderId(box, "sentitems");
            m["isDraft"] = false;
            m["sentDateTime"] = Stamp(now);
            m["receivedDateTime"] = Stamp(now);
            Stamps(m, now, created: false);
            Touch(box, m);
            return (JsonObject)m.DeepClone();
        }
    }

    /// <summary>An invitation someone else organized, accepted by the mailbox's user: how interviews arrive.</summary>
    public JsonObject? DeliverEvent(string mailbox, JsonObject invitation)
    {
        var box = Find(mailbox);
        if (box is null) return null;
        lock (box.Gate)
        {
            var organizer = invitation["organizer"]?.DeepClone();
            var request = new SandboxRequest("POST", "/me/events", new Dictionary<string, string>(), new Dictionary<string, string>(), invitation, "");
            var created = CreateEvent(box, request, time.GetUtcNow());
            if (created.Status != 201) return null;
            var stored = box.Events[(string)created.Body!["id"]!];
            if (organizer is not null) stored["organizer"] = organizer;
            stored["isOrganizer"] = false;
            stored["responseStatus"] = new JsonObject { ["response"] = "accepted", ["time"] = Stamp(time.GetUtcNow()) };
            Touch(box, stored);
            return (JsonObject)stored.DeepClone();
        }
    }

    /// <summary>Mail arriving in a mailbox's inbox, as if someone (the employer, an auto-reply) wrote.</summary>
    public JsonObject? Deliver(string mailbox, JsonObject message)
    {
        var box = Find(mailbox);
        if (box is null) return null;
        lock (box.Gate)
        {
            var response = CreateMessage(box, message, "inbox", time.GetUtcNow(), null, null);
            var delivered = (JsonObject)response.Body!;
            return (JsonObject)delivered.DeepClone();
        }
    }
}
