using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace OutlookFollowUp.GraphSandbox;

/// <summary>
/// Delta queries: /calendarView/delta over a window and /mailFolders/{folder}/messages/delta. The first call returns
/// everything with an @odata.deltaLink; a call with that link returns what changed since, deletions and moves out of
/// the folder as @removed. Expired or unknown tokens get 410 Gone, and the client must start over.
/// </summary>
public sealed partial class GraphSandbox
{
    private const string VersionField = "_version";

    /// <summary>Marks an item changed now (every create, update, move).</summary>
    internal void Touch(SandboxMailbox box, JsonObject item)
    {
        var created = item[VersionField] is null;
        item[VersionField] = ++box.Version;
        if (!box.Subscriptions.IsEmpty && (string?)item["id"] is { } id)
            Changed(box, item[FolderField] is null ? "events" : "messages", (string?)item[FolderField], id, created ? "created" : "updated");
    }

    internal void Forget(SandboxMailbox box, string set, string? folder, string id)
    {
        box.Removed.Add((set, folder, id, ++box.Version));
        if (!box.Subscriptions.IsEmpty) Changed(box, set, folder, id, "deleted");
    }

    /// <summary>Makes every delta token of the mailbox stale, as a long-idle sync state is in Graph.</summary>
    public bool ExpireDeltaTokens(string mailbox)
    {
        var box = Find(mailbox);
        if (box is null) return false;
        lock (box.Gate) box.Epoch++;
        return true;
    }

    private SandboxResponse Delta(SandboxMailbox box, SandboxRequest r, string set, string? folder, string requestId, DateTimeOffset now)
    {
        long since = 0;
        string? window = null;
        // Graph keeps the first request's query options in its links: a link's rounds select, expand and filter as it did.
        var options = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var name in new[] { "$select", "$expand", "$filter" })
            if (r.Query.GetValueOrDefault(name) is { Length: > 0 } given) options[name] = given;
        if (r.Query.TryGetValue("$deltatoken", out var token))
        {
            if (!TryReadDeltaToken(token, out var epoch, out since, out window, out var kept) || epoch != box.Epoch)
                return SandboxResponse.Error(410, "SyncStateNotFound", "The sync state generation is not found. Start a new sync without a delta token.", requestId, now);
            options = kept;
            var query = new Dictionary<string, string>(r.Query, StringComparer.OrdinalIgnoreCase);
            foreach (var (name, given) in kept) query[name] = given;
            r = r with { Query = query };
        }
        else if (set == "events")
        {
            var start = r.Query.GetValueOrDefault("startDateTime") ?? r.Query.GetValueOrDefault("startdatetime");
            var end = r.Query.GetValueOrDefault("endDateTime") ?? r.Query.GetValueOrDefault("enddatetime");
            if (!TryInstant(start, out _) || !TryInstant(end, out _))
                return SandboxResponse.Error(400, "ErrorInvalidParameter", "This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.", requestId, now);
            window = start + "|" + end;
        }

        IEnumerable<JsonObject> changed;
        if (set == "events")
        {
            var parts = window!.Split('|');
            TryInstant(parts[0], out var from);
            TryInstant(parts[1], out var to);
            changed = box.Events.Values.Where(e => Instant(e["end"]) > from && Instant(e["start"]) < to);
        }
        else
        {
            // Message delta takes $filter on receivedDateTime (ge, gt), as Graph documents it.
            var filter = options.TryGetValue("$filter", out var text) ? ODataFilter.Parse(text) : null;
            changed = box.Messages.Values.Where(m => (string?)m[FolderField] == folder && (filter is null || filter(m)));
        }
        var type = set == "events" ? "#microsoft.graph.event" : "#microsoft.graph.message";
        var value = new JsonArray(changed.Where(i => (long?)i[VersionField] > since).OrderBy(i => (long?)i[VersionField])
            .Select(i =>
            {
                var item = Project(i, r, box, set, single: false);
                // The SDK posts "@odata.type" in its bodies, so a stored item may carry it already.
                item.Remove("@odata.type");
                item.Insert(0, "@odata.type", type);
                return (JsonNode?)item;
            }).ToArray());
        foreach (var gone in box.Removed.Where(g => g.Set == set && g.Folder == folder && g.Version > since))
            value.Add(new JsonObject { ["@removed"] = new JsonObject { ["reason"] = "deleted" }, ["id"] = gone.Id });

        var path = set == "events" ? "me/calendarView/delta" : $"me/mailFolders/{folder}/messages/delta";
        return SandboxResponse.Json(200, new JsonObject
        {
            ["@odata.context"] = $"{r.BaseUrl}/$metadata#Collection({(set == "events" ? "event" : "message")})",
            ["value"] = value,
            ["@odata.deltaLink"] = $"{r.BaseUrl}/{path}?$deltatoken={DeltaToken(box.Epoch, box.Version, window, options)}",
        });
    }

    private static string DeltaToken(int epoch, long version, string? window, IReadOnlyDictionary<string, string> options)
    {
        var kept = string.Join("&", options.Select(o => Uri.EscapeDataString(o.Key) + "=" + Uri.EscapeDataString(o.Value)));
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{epoch};{version};{kept};{window}")))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    private static bool TryReadDeltaToken(string token, out int epoch, out long version, out string? window, out Dictionary<string, string> options)
    {
        epoch = 0;
        version = 0;
        window = null;
        options = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        try
        {
            var text = token.Replace('-', '+').Replace('_', '/');
            text = Encoding.UTF8.GetString(Convert.FromBase64String(text.PadRight(text.Length + (4 - text.Length % 4) % 4, '=')));
            var parts = text.Split(';', 4);
            if (parts.Length != 4 || !int.TryParse(parts[0], CultureInfo.InvariantCulture, out epoch) || !long.TryParse(parts[1], CultureInfo.InvariantCulture, out version)) return false;
            foreach (var pair in parts[2].Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var kv = pair.Split('=', 2);
                if (kv.Length == 2) options[Uri.UnescapeDataString(kv[0])] = Uri.UnescapeDataString(kv[1]);
            }
            window = parts[3].Length > 0 ? parts[3] : null;
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
