using System.Globalization;
using System.Text.Json.Nodes;

namespace OutlookFollowUp.GraphSandbox;

public sealed partial class GraphSandbox
{
    private static readonly string[] WellKnownFolders = ["inbox", "drafts", "sentitems", "deleteditems"];

    private SandboxResponse Route(SandboxMailbox box, SandboxRequest r, string[] rest, string requestId, DateTimeOffset now)
    {
        var method = r.Method.ToUpperInvariant();
        // OData functions may be called with or without parentheses: the SDK writes delta(), the docs write delta.
        rest = rest.Select(segment => segment.EndsWith("()", StringComparison.Ordinal) ? segment[..^2] : segment).ToArray();
        var path = string.Join('/', rest).ToLowerInvariant();
        var notFound = SandboxResponse.Error(404, "ErrorItemNotFound", "The specified object was not found in the store.", requestId, now);
        lock (box.Gate)
        {
            switch (rest.Length, method)
            {
                case (0, "GET"):
                    var user = User(box, r);
                    if (r.Query.GetValueOrDefault("$select") is { Length: > 0 } select)
                    {
                        // Like Graph, properties outside the default set (proxyAddresses) come only when selected.
                        user["proxyAddresses"] = new JsonArray([(JsonNode)("SMTP:" + box.Address), .. box.Aliases.Select(a => (JsonNode)("smtp:" + a))]);
                        var fields = select.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                        var selected = new JsonObject { ["@odata.context"] = user["@odata.context"]!.DeepClone() };
                        foreach (var field in fields) selected[field] = user[field]?.DeepClone();
                        user = selected;
                    }
                    return SandboxResponse.Json(200, user);
                case (_, "GET") when path == "mailboxsettings":
                    return SandboxResponse.Json(200, Settings(box, r));
                case (2, "GET") when path.StartsWith("mailboxsettings/", StringComparison.Ordinal):
                    return Settings(box, r)[rest[1]] is { } part
                        ? SandboxResponse.Json(200, part.DeepClone())
                        : notFound;
                case (1, "POST") when path == "sendmail":
                case (3, "POST") when path.StartsWith("messages/", StringComparison.Ordinal) && path.EndsWith("/send", StringComparison.Ordinal):
                    Interlocked.Increment(ref _sendAttempts);
                    return SandboxResponse.Error(403, "ErrorAccessDenied", "Access is denied: this application may not send mail.", requestId, now);

                case (1, "POST") when path == "events":
                    return CreateEvent(box, r, now);
                case (1, "GET") when path == "events":
                    return Page(box.Events.Values, r, box, "events", requestId, now, orderBy: "start/dateTime");
                case (2, "GET") when path == "calendarview/delta":
                    return Delta(box, r, "events", null, requestId, now);
                case (4, "GET") when path.StartsWith("mailfolders/", StringComparison.Ordinal) && path.EndsWith("/messages/delta", StringComparison.Ordinal):
                    return FolderName(box, rest[1]) is { } deltaFolder ? Delta(box, r, "messages", deltaFolder, requestId, now) : notFound;
                case (1, "GET") when path == "calendarview":
                    return CalendarView(box, r, requestId, now);
                case (2, _) when path.StartsWith("events/", StringComparison.Ordinal):
                    return Item(box, box.Events, rest[1], r, requestId, now, "events");

                case (1, "POST") when path == "messages":
                    return CreateMessage(box, r.Body as JsonObject, "drafts", now, r, requestId);
                case (1, "GET") when path == "messages":
                    return Page(box.Messages.Values, r, box, "messages", requestId, now, orderBy: "receivedDateTime desc");
                case (3, "GET") when path.StartsWith("mailfolders/", StringComparison.Ordinal) && path.EndsWith("/messages", StringComparison.Ordinal):
                    var folder = FolderName(box, rest[1]);
                    return folder is null ? notFound
                        : Page(box.Messages.Values.Where(m => (string?)m[FolderField] == folder), r, box, "messages", requestId, now, orderBy: "receivedDateTime desc");
                case (2, _) when path.StartsWith("messages/", StringComparison.Ordinal):
                    return Item(box, box.Messages, rest[1], r, requestId, now, "messages");
                case (3, "POST") when path.StartsWith("messages/", StringComparison.Ordinal) && (path.EndsWith("/createreply", StringComparison.Ordinal) || path.EndsWith("/createreplyall", StringComparison.Ordinal)):
                    return box.Messages.TryGetValue(rest[1], out var original)
                        ? CreateReply(box, original, r, path.EndsWith("all", StringComparison.Ordinal), now, requestId)
                        : notFound;
            }
        }
        return SandboxResponse.Error(400, "BadRequest", $"The sandbox does not serve {method} /{string.Join('/', rest)}.", requestId, now);
    }

    // ---- user and settings --------------------------------------------------------------------------------------

    private static JsonObject User(SandboxMailbox box, SandboxRequest r) => new()
    {
        ["@odata.context"] = $"{r.BaseUrl}/$metadata#users/$entity",
        ["businessPhones"] = new JsonArray(),
        ["displayName"] = box.DisplayName,
        ["givenName"] = box.DisplayName.Split(' ')[0],
        ["jobTitle"] = null,
        ["mail"] = box.Address,
        ["mobilePhone"] = null,
        ["officeLocation"] = null,
        ["preferredLanguage"] = "en-US",
        ["surname"] = box.DisplayName.Contains(' ') ? box.DisplayName[(box.DisplayName.LastIndexOf(' ') + 1)..] : null,
        ["userPrincipalName"] = box.Address,
        ["id"] = box.Id,
    };

    private static JsonObject Settings(SandboxMailbox box, SandboxRequest r) => new()
    {
        ["@odata.context"] = $"{r.BaseUrl}/$metadata#users('{box.Id}')/mailboxSettings",
        ["archiveFolder"] = "AQMkAGI2TGlL" + box.Id[..8],
        ["timeZone"] = box.TimeZone,
        ["automaticRepliesSetting"] = new JsonObject
        {
            ["status"] = "disabled",
            ["externalAudience"] = "all",
            ["internalReplyMessage"] = "",
            ["externalReplyMessage"] = "",
            ["scheduledStartDateTime"] = new JsonObject { ["dateTime"] = "2026-01-01T00:00:00.0000000", ["timeZone"] = "UTC" },
            ["scheduledEndDateTime"] = new JsonObject { ["dateTime"] = "2026-01-02T00:00:00.0000000", ["timeZone"] = "UTC" },
        },
        ["dateFormat"] = "MM/dd/yyyy",
        ["timeFormat"] = "hh:mm tt",
        ["delegateMeetingMessageDeliveryOptions"] = "sendToDelegateOnly",
        ["language"] = new JsonObject { ["locale"] = "en-US", ["displayName"] = "English (United States)" },
        ["workingHours"] = box.WorkingHours.DeepClone(),
        ["userPurpose"] = "user",
    };

    // ---- events -------------------------------------------------------------------------------------------------

    private SandboxResponse CreateEvent(SandboxMailbox box, SandboxRequest r, DateTimeOffset now)
    {
        if (r.Body is not JsonObject body) return SandboxResponse.Error(400, "BadRequest", "Empty Payload. JSON content expected.", NewId("req"), now);
        var e = (JsonObject)body.DeepClone();
        e["originalStartTimeZone"] = (string?)e["start"]?["timeZone"] ?? "UTC";
        e["originalEndTimeZone"] = (string?)e["end"]?["timeZone"] ?? "UTC";
        NameRecipients(e);
        if (!NormalizeTimes(e, out var problem)) return SandboxResponse.Error(400, "BadRequest", problem!, NewId("req"), now);
        var id = NewId("event");
        e["id"] = id;
        e["iCalUId"] ??= "040000008200E00074C5B7101A82E008" + Convert.ToHexString(Guid.NewGuid().ToByteArray());
        Stamps(e, now);
        e["reminderMinutesBeforeStart"] ??= 15;
        e["isReminderOn"] ??= true;
        e["hasAttachments"] = false;
        e["subject"] ??= "";
        e["bodyPreview"] = Preview(e["body"]);
        e["importance"] ??= "normal";
        e["sensitivity"] ??= "normal";
        e["isAllDay"] ??= false;
        e["isCancelled"] = false;
        e["isOrganizer"] = true;
        e["responseRequested"] ??= true;
        e["seriesMasterId"] = null;
        e["showAs"] ??= "busy";
        e["recurrence"] ??= null;
        if (e["recurrence"] is JsonObject recurrence)
        {
            // Graph answers with every field of the pattern and range, defaults filled in.
            if (recurrence["pattern"] is JsonObject pattern)
            {
                pattern["interval"] ??= 1;
                pattern["month"] ??= 0;
                pattern["dayOfMonth"] ??= 0;
                pattern["daysOfWeek"] ??= new JsonArray();
                pattern["firstDayOfWeek"] ??= "sunday";
                pattern["index"] ??= "first";
            }
            if (recurrence["range"] is JsonObject range)
            {
                range["endDate"] ??= "0001-01-01";
                range["recurrenceTimeZone"] ??= (string?)e["originalStartTimeZone"] ?? "UTC";
                range["numberOfOccurrences"] ??= 0;
            }
        }
        e["type"] = e["recurrence"] is JsonObject ? "seriesMaster" : "singleInstance";
        e["hideAttendees"] ??= false;
        e["isDraft"] = false;
        e["webLink"] = $"https://outlook.office365.com/owa/?itemid={Uri.EscapeDataString(id)}&exvsurl=1&path=/calendar/item";
        e["onlineMeetingUrl"] = null;
        e["isOnlineMeeting"] ??= false;
        e["onlineMeetingProvider"] ??= "unknown";
        e["allowNewTimeProposals"] ??= true;
        e["onlineMeeting"] = null;
        OnlineMeeting(e);
        e["responseStatus"] = new JsonObject { ["response"] = "organizer", ["time"] = "0001-01-01T00:00:00Z" };
        e["body"] ??= new JsonObject { ["contentType"] = "html", ["content"] = "" };
        e["location"] ??= new JsonObject { ["displayName"] = "" };
        e["locations"] ??= new JsonArray();
        foreach (var place in new[] { e["location"] }.Concat((e["locations"] as JsonArray) ?? []).OfType<JsonObject>())
        {
            place["locationType"] ??= "default";
            place["uniqueId"] ??= (string?)place["displayName"] ?? "";
            place["uniqueIdType"] ??= "unknown";
            place["address"] ??= new JsonObject();
            place["coordinates"] ??= new JsonObject();
        }
        e["categories"] ??= new JsonArray();
        e["attendees"] = new JsonArray(((e["attendees"] as JsonArray) ?? []).Select(a =>
        {
            var copy = (JsonObject)a!.DeepClone();
            copy["type"] ??= "required";
            copy["status"] = new JsonObject { ["response"] = "none", ["time"] = "0001-01-01T00:00:00Z" };
            return (JsonNode?)copy;
        }).ToArray());
        e["organizer"] = new JsonObject { ["emailAddress"] = new JsonObject { ["name"] = box.DisplayName, ["address"] = box.Address } };
        Touch(box, e);
        box.Events[id] = e;
        return SandboxResponse.Json(201, Project(e, r, box, "events", single: true), ("Location", $"{r.BaseUrl}/users/{box.Id}/events/{Uri.EscapeDataString(id)}"));
    }

    private SandboxResponse CalendarView(SandboxMailbox box, SandboxRequest r, string requestId, DateTimeOffset now)
    {
        if (!TryInstant(r.Query.GetValueOrDefault("startDateTime") ?? r.Query.GetValueOrDefault("startdatetime"), out var from)
            || !TryInstant(r.Query.GetValueOrDefault("endDateTime") ?? r.Query.GetValueOrDefault("enddatetime"), out var to))
            return SandboxResponse.Error(400, "ErrorInvalidParameter", "This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.", requestId, now);
        var inWindow = box.Events.Values.Where(e => Instant(e["end"]) > from && Instant(e["start"]) < to);
        return Page(inWindow, r, box, "events", requestId, now, orderBy: "start/dateTime");
    }

    /// <summary>Stores every start and end in UTC; the client may have written them in any zone.</summary>
    private static bool NormalizeTimes(JsonObject e, out string? problem)
    {
        problem = null;
        foreach (var name in new[] { "start", "end" })
        {
            if (e[name] is null) continue;
            var instant = Instant(e[name]);
            if (instant == DateTimeOffset.MinValue)
            {
                problem = $"The value of '{name}' is not a valid dateTimeTimeZone.";
                return false;
            }
            e[name] = new JsonObject { ["dateTime"] = instant.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffff", CultureInfo.InvariantCulture), ["timeZone"] = "UTC" };
        }
        return true;
    }

    private static DateTimeOffset Instant(JsonNode? dateTimeTimeZone)
    {
        var text = (string?)dateTimeTimeZone?["dateTime"];
        var zone = (string?)dateTimeTimeZone?["timeZone"] ?? "UTC";
        if (text is null || !DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local)) return DateTimeOffset.MinValue;
        if (local.Kind == DateTimeKind.Utc || zone.Equals("UTC", StringComparison.OrdinalIgnoreCase)) return new DateTimeOffset(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), TimeSpan.Zero);
        try
        {
            var tz = TimeZoneInfo.FindSystemTimeZoneById(zone);
            return new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), tz), TimeSpan.Zero);
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException or ArgumentException)
        {
            return DateTimeOffset.MinValue;
        }
    }

    private static bool TryInstant(string? text, out DateTimeOffset instant) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out instant);

    // ---- messages -----------------------------------------------------------------------------------------------

    /// <summary>A new message in a folder: a draft the client creates, or mail the sandbox delivers to the inbox.</summary>
    internal SandboxResponse CreateMessage(SandboxMailbox box, JsonObject? body, string folder, DateTimeOffset now, SandboxRequest? r, string? requestId)
    {
        if (body is null) return SandboxResponse.Error(400, "BadRequest", "Empty Payload. JSON content expected.", requestId ?? NewId("req"), now);
        var m = (JsonObject)body.DeepClone();
        NameRecipients(m);
        var id = NewId("message");
        m["id"] = id;
        Stamps(m, now);
        m["categories"] ??= new JsonArray();
        m["receivedDateTime"] ??= Stamp(now);
        m["sentDateTime"] ??= Stamp(now);
        m["hasAttachments"] = false;
        m["internetMessageId"] ??= $"<{Guid.NewGuid():N}@sandbox.outlookfollowup>";
        m["subject"] ??= "";
        m["bodyPreview"] = Preview(m["body"]);
        m["importance"] ??= "normal";
        m["parentFolderId"] = FolderId(box, folder);
        m["conversationId"] ??= NewId("conversation");
        m["conversationIndex"] ??= Convert.ToBase64String(Guid.NewGuid().ToByteArray());
        m["isDeliveryReceiptRequested"] ??= false;
        m["isReadReceiptRequested"] ??= false;
        m["isRead"] ??= folder != "inbox";
        m["isDraft"] = folder == "drafts";
        m["webLink"] = $"https://outlook.office365.com/owa/?ItemID={Uri.EscapeDataString(id)}&exvsurl=1&viewmodel=ReadMessageItem";
        m["inferenceClassification"] ??= "focused";
        m["body"] ??= new JsonObject { ["contentType"] = "text", ["content"] = "" };
        m["toRecipients"] ??= new JsonArray();
        m["ccRecipients"] ??= new JsonArray();
        m["bccRecipients"] ??= new JsonArray();
        m["replyTo"] ??= new JsonArray();
        m["flag"] ??= new JsonObject { ["flagStatus"] = "notFlagged" };
        if (m["from"] is JsonObject sentBy) m["sender"] ??= sentBy.DeepClone();
        if (folder == "drafts")
        {
            m["from"] ??= new JsonObject { ["emailAddress"] = new JsonObject { ["name"] = box.DisplayName, ["address"] = box.Address } };
            m["sender"] ??= m["from"]!.DeepClone();
        }
        m[FolderField] = folder;
        Touch(box, m);
        box.Messages[id] = m;
        return SandboxResponse.Json(201, r is null ? m : Project(m, r, box, "messages", single: true),
            ("Location", $"{r?.BaseUrl}/users/{box.Id}/messages/{Uri.EscapeDataString(id)}"));
    }

    private SandboxResponse CreateReply(SandboxMailbox box, JsonObject original, SandboxRequest r, bool all, DateTimeOffset now, string requestId)
    {
        // Action parameters are read without regard to case: the SDK sends "Message", the docs write "message".
        JsonNode? Parameter(string name) => (r.Body as JsonObject)?.FirstOrDefault(kv => string.Equals(kv.Key, name, StringComparison.OrdinalIgnoreCase)).Value;
        var subject = (string?)original["subject"] ?? "";
        var draft = new JsonObject
        {
            ["subject"] = subject.StartsWith("RE:", StringComparison.OrdinalIgnoreCase) ? subject : "RE: " + subject,
            ["conversationId"] = original["conversationId"]?.DeepClone(),
            ["toRecipients"] = new JsonArray(original["from"]?.DeepClone()),
            ["body"] = new JsonObject { ["contentType"] = "html", ["content"] = (string?)Parameter("comment") ?? "" },
        };
        if (all)
        {
            var others = ((original["toRecipients"] as JsonArray) ?? []).Concat((original["ccRecipients"] as JsonArray) ?? [])
                .Where(x => !string.Equals((string?)x?["emailAddress"]?["address"], box.Address, StringComparison.OrdinalIgnoreCase));
            draft["ccRecipients"] = new JsonArray(others.Select(x => x!.DeepClone()).ToArray());
        }
        if (Parameter("message") is JsonObject extra)
            foreach (var (k, v) in extra.Where(kv => !kv.Key.StartsWith('@'))) draft[k] = v?.DeepClone();
        return CreateMessage(box, draft, "drafts", now, r, requestId);
    }

    // ---- one item: get, update, delete -------------------------------------------------------------------------

    private SandboxResponse Item(SandboxMailbox box, Dictionary<string, JsonObject> items, string id, SandboxRequest r, string requestId, DateTimeOffset now, string set)
    {
        if (!items.TryGetValue(id, out var item))
            return SandboxResponse.Error(404, "ErrorItemNotFound", "The specified object was not found in the store.", requestId, now);
        if (r.Method is "PATCH" or "DELETE" && r.Headers.TryGetValue("If-Match", out var ifMatch) && ifMatch != "*"
            && ifMatch != $"W/\"{(string?)item["changeKey"]}\"")
            return SandboxResponse.Error(412, "ErrorIrresolvableConflict", "The send or update operation could not be performed because the change key passed in the request does not match the current change key for the item.", requestId, now);
        switch (r.Method.ToUpperInvariant())
        {
            case "GET":
                return SandboxResponse.Json(200, Project(item, r, box, set, single: true));
            case "DELETE":
                items.Remove(id);
                Forget(box, set, (string?)item[FolderField], id);
                return SandboxResponse.Json(204, null);
            case "PATCH":
                if (r.Body is not JsonObject patch) return SandboxResponse.Error(400, "BadRequest", "Empty Payload. JSON content expected.", requestId, now);
                if (set == "messages" && item["isDraft"]?.GetValue<bool>() == false && patch.Any(kv => kv.Key is "body" or "toRecipients" or "subject"))
                    return SandboxResponse.Error(400, "ErrorInvalidPropertyUpdateSentMessage", "Update operation is invalid for property of a sent message.", requestId, now);
                foreach (var (k, v) in patch)
                {
                    if (k == ExtendedProperties && v is JsonArray added)
                    {
                        var existing = (item[ExtendedProperties] as JsonArray) ?? [];
                        foreach (var p in added)
                        {
                            var found = existing.FirstOrDefault(x => string.Equals((string?)x?["id"], (string?)p?["id"], StringComparison.OrdinalIgnoreCase));
                            if (found is not null) existing.Remove(found);
                            existing.Add(p?.DeepClone());
                        }
                        item[ExtendedProperties] = existing.DeepClone();
                        continue;
                    }
                    if (k is "id" or "createdDateTime" or "lastModifiedDateTime" or "changeKey" or FolderField) continue;
                    item[k] = v?.DeepClone();
                }
                NameRecipients(item);
                if (set == "events") OnlineMeeting(item);
                if (set == "events" && !NormalizeTimes(item, out var problem)) return SandboxResponse.Error(400, "BadRequest", problem!, requestId, now);
                item["bodyPreview"] = Preview(item["body"]);
                Stamps(item, now, created: false);
                Touch(box, item);
                return SandboxResponse.Json(200, Project(item, r, box, set, single: true));
        }
        return SandboxResponse.Error(405, "BadRequest", $"{r.Method} is not allowed here.", requestId, now);
    }

    // ---- lists and projection -----------------------------------------------------------------------------------

    private SandboxResponse Page(IEnumerable<JsonObject> source, SandboxRequest r, SandboxMailbox box, string set, string requestId, DateTimeOffset now, string orderBy)
    {
        var items = source;
        if (r.Query.TryGetValue("$filter", out var filter) && filter.Length > 0)
            items = items.Where(ODataFilter.Parse(filter));
        var order = r.Query.GetValueOrDefault("$orderby") is { Length: > 0 } o ? o : orderBy;
        var ordered = Order(items, order);
        var top = options.DefaultPageSize;
        if (r.Query.TryGetValue("$top", out var topText) && (!int.TryParse(topText, out top) || top is < 1 or > 1000))
            return SandboxResponse.Error(400, "BadRequest", "The value of $top must be between 1 and 1000.", requestId, now);
        var skip = 0;
        if (r.Query.TryGetValue("$skiptoken", out var token) && !TryReadSkipToken(token, out skip))
            return SandboxResponse.Error(400, "BadRequest", "The $skiptoken is not valid.", requestId, now);
        var all = ordered.ToList();
        var page = all.Skip(skip).Take(top).Select(i => (JsonNode?)Project(i, r, box, set, single: false)).ToArray();
        var result = new JsonObject
        {
            ["@odata.context"] = $"{r.BaseUrl}/$metadata#users('{box.Id}')/{set}",
            ["value"] = new JsonArray(page),
        };
        if (skip + top < all.Count)
        {
            var query = r.Query.Where(kv => kv.Key != "$skiptoken").Select(kv => $"{kv.Key}={Uri.EscapeDataString(kv.Value)}")
                .Append("$skiptoken=" + SkipToken(skip + top));
            result["@odata.nextLink"] = $"{r.BaseUrl}/{r.Path.Trim('/')}?{string.Join('&', query)}";
        }
        return SandboxResponse.Json(200, result);
    }

    private static IEnumerable<JsonObject> Order(IEnumerable<JsonObject> items, string orderBy)
    {
        IOrderedEnumerable<JsonObject>? ordered = null;
        foreach (var clause in orderBy.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = clause.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var descending = parts.Length > 1 && parts[1].Equals("desc", StringComparison.OrdinalIgnoreCase);
            Func<JsonObject, string> key = i => Value(i, parts[0]);
            ordered = ordered is null
                ? descending ? items.OrderByDescending(key, StringComparer.OrdinalIgnoreCase) : items.OrderBy(key, StringComparer.OrdinalIgnoreCase)
                : descending ? ordered.ThenByDescending(key, StringComparer.OrdinalIgnoreCase) : ordered.ThenBy(key, StringComparer.OrdinalIgnoreCase);
        }
        return (ordered ?? items.OrderBy(i => (string?)i["id"], StringComparer.Ordinal)).ThenBy(i => (string?)i["id"], StringComparer.Ordinal);
    }

    private static string Value(JsonObject item, string path)
    {
        JsonNode? node = item;
        foreach (var part in path.Split('/'))
            node = (node as JsonObject)?.FirstOrDefault(kv => string.Equals(kv.Key, part, StringComparison.OrdinalIgnoreCase)).Value;
        return node?.ToString() ?? "";
    }

    /// <summary>$select, $expand of extended properties, and times in the zone the client prefers.</summary>
    private static JsonObject Project(JsonObject item, SandboxRequest r, SandboxMailbox box, string set, bool single)
    {
        var copy = new JsonObject();
        if (single)
        {
            copy["@odata.context"] = $"{r.BaseUrl}/$metadata#users('{box.Id}')/{set}/$entity";
            copy["@odata.id"] = $"{r.BaseUrl}/users('{box.Id}')/{set}('{(string?)item["id"]}')";
        }
        copy["@odata.etag"] = $"W/\"{(string?)item["changeKey"]}\"";
        var select = r.Query.GetValueOrDefault("$select")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var (k, v) in item)
        {
            if (k is FolderField or ExtendedProperties or VersionField) continue;
            // Selecting location brings locations along, as Graph's own example shows.
            if (select is not null && k != "id" && !select.Contains(k, StringComparer.OrdinalIgnoreCase)
                && !(k == "locations" && select.Contains("location", StringComparer.OrdinalIgnoreCase))) continue;
            copy[k] = v?.DeepClone();
        }
        var expand = r.Query.GetValueOrDefault("$expand") ?? "";
        if (expand.StartsWith(ExtendedProperties, StringComparison.OrdinalIgnoreCase) && item[ExtendedProperties] is JsonArray props)
        {
            var inner = expand.Length > ExtendedProperties.Length + 2 ? expand[(ExtendedProperties.Length + 1)..^1] : "";
            var filter = inner.StartsWith("$filter=", StringComparison.OrdinalIgnoreCase) ? ODataFilter.Parse(inner["$filter=".Length..]) : null;
            var matching = props.OfType<JsonObject>().Where(p => filter is null || filter(p)).Select(p => (JsonNode?)p.DeepClone()).ToArray();
            if (matching.Length > 0)
            {
                copy[ExtendedProperties + "@odata.context"] = $"{r.BaseUrl}/$metadata#users('{box.Id}')/{set}('{(string?)item["id"]}')/{ExtendedProperties}";
                copy[ExtendedProperties] = new JsonArray(matching);
            }
        }
        if (set == "events" && PreferredZone(r) is { } zone)
            foreach (var name in new[] { "start", "end" })
                if (copy[name] is JsonObject t && Instant(t) is var instant && instant != DateTimeOffset.MinValue)
                    copy[name] = new JsonObject
                    {
                        ["dateTime"] = TimeZoneInfo.ConvertTime(instant, zone.Zone).DateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffff", CultureInfo.InvariantCulture),
                        ["timeZone"] = zone.Name,
                    };
        return copy;
    }

    private static (string Name, TimeZoneInfo Zone)? PreferredZone(SandboxRequest r)
    {
        if (!r.Headers.TryGetValue("Prefer", out var prefer)) return null;
        const string marker = "outlook.timezone=";
        var at = prefer.IndexOf(marker, StringComparison.OrdinalIgnoreCase);
        if (at < 0) return null;
        var name = prefer[(at + marker.Length)..].Split(',')[0].Trim().Trim('"');
        try { return (name, name.Equals("UTC", StringComparison.OrdinalIgnoreCase) ? TimeZoneInfo.Utc : TimeZoneInfo.FindSystemTimeZoneById(name)); }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException) { return null; }
    }

    /// <summary>An online meeting gets its join details, as Teams gives them.</summary>
    private static void OnlineMeeting(JsonObject e)
    {
        if (e["isOnlineMeeting"]?.GetValue<bool>() != true || e["onlineMeeting"] is JsonObject) return;
        e["onlineMeeting"] = new JsonObject
        {
            ["joinUrl"] = $"https://teams.microsoft.com/l/meetup-join/{Uri.EscapeDataString((string?)e["id"] ?? "")}",
            ["conferenceId"] = Math.Abs(((string?)e["id"] ?? "").GetHashCode() % 1_000_000_000).ToString(CultureInfo.InvariantCulture),
            ["tollNumber"] = "+1 425 555 0100",
        };
        if ((string?)e["onlineMeetingProvider"] is null or "unknown") e["onlineMeetingProvider"] = "teamsForBusiness";
    }

    /// <summary>Graph fills in a recipient's name with the address when the client gave none.</summary>
    private static void NameRecipients(JsonObject item)
    {
        foreach (var list in new[] { "toRecipients", "ccRecipients", "bccRecipients", "replyTo", "attendees" })
            foreach (var r in (item[list] as JsonArray) ?? [])
                if (r?["emailAddress"] is JsonObject address && address["name"] is null)
                    address["name"] = (string?)address["address"];
        foreach (var one in new[] { "from", "sender" })
            if (item[one]?["emailAddress"] is JsonObject address && address["name"] is null)
                address["name"] = (string?)address["address"];
    }

    private void Stamps(JsonObject item, DateTimeOffset now, bool created = true)
    {
        if (created) item["createdDateTime"] = Stamp(now);
        item["lastModifiedDateTime"] = Stamp(now);
        item["changeKey"] = Convert.ToBase64String(Guid.NewGuid().ToByteArray()).TrimEnd('=');
    }

    // Linear whatever the body: anyone can put an invitation in a mailbox, and "<" never closed is quadratic for a
    // backtracking engine.
    private static readonly System.Text.RegularExpressions.Regex PreviewTags = new("<[^>]*>", System.Text.RegularExpressions.RegexOptions.NonBacktracking);
    private static readonly System.Text.RegularExpressions.Regex PreviewSpaces = new(@"\s+", System.Text.RegularExpressions.RegexOptions.NonBacktracking);

    private static string Preview(JsonNode? body)
    {
        var content = (string?)body?["content"] ?? "";
        var text = PreviewTags.Replace(content, " ");
        text = PreviewSpaces.Replace(System.Net.WebUtility.HtmlDecode(text), " ").Trim();
        return text.Length > 255 ? text[..255] : text;
    }

    private static string FolderId(SandboxMailbox box, string folder) =>
        "AQMk" + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(box.Id[..8] + ":" + folder)).TrimEnd('=');

    private static string? FolderName(SandboxMailbox box, string idOrName)
    {
        var lower = idOrName.ToLowerInvariant();
        if (WellKnownFolders.Contains(lower)) return lower;
        return WellKnownFolders.FirstOrDefault(f => FolderId(box, f) == idOrName);
    }

    private static string SkipToken(int offset) => Convert.ToBase64String(BitConverter.GetBytes(offset)).TrimEnd('=');

    private static bool TryReadSkipToken(string token, out int offset)
    {
        offset = 0;
        try
        {
            var bytes = Convert.FromBase64String(token.PadRight(token.Length + (4 - token.Length % 4) % 4, '='));
            if (bytes.Length != 4) return false;
            offset = BitConverter.ToInt32(bytes);
            return offset >= 0;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
