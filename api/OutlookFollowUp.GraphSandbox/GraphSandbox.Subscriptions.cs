using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace OutlookFollowUp.GraphSandbox;

/// <summary>A change-notification subscription, as Graph keeps one (the subset the sandbox needs).</summary>
public sealed record SandboxSubscription(string Id, string MailboxId, string Resource, string Set, string? Folder, IReadOnlySet<string> ChangeTypes,
    Uri NotificationUrl, Uri? LifecycleNotificationUrl, string? ClientState, DateTimeOffset Expiration, string CreatorId);

// /subscriptions as Microsoft documents it (subscription-post-subscriptions, -update, -delete, -get): the validation
// handshake on create, basic notifications (no resource data) for events and for a mail folder's messages, expiry,
// lifecycle notifications sent on a test's request, delivery as "Receive change notifications through webhooks"
// describes it (delivered once the endpoint answers 2xx; any other answer, or none within 10 s, and it is posted again
// with exponential back-off for up to 4 hours, then dropped), and lost or delayed notifications as faults.
public sealed partial class GraphSandbox
{
    /// <summary>Outlook messages and events: at most 10,080 minutes (under 7 days) ahead.</summary>
    public static readonly TimeSpan MaxSubscriptionLifetime = TimeSpan.FromMinutes(10_080);

    private readonly ConcurrentQueue<Task> _deliveries = new();
    private readonly CancellationTokenSource _stopping = new();
    private Random _dropRandom = new(7);

    /// <summary>No more notifications or retries from this sandbox (its server is stopping).</summary>
    public void StopNotifications() => _stopping.Cancel();

    /// <summary>Posts validation requests and notifications; tests point it at an in-process service.</summary>
    public HttpClient NotificationClient { get; set; } = new() { Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>The fraction of notifications that are never delivered (fault injection), with a seeded chance.</summary>
    public double DropNotifications { get; private set; }

    public void DropNotificationsAt(double fraction, int seed = 7)
    {
        DropNotifications = fraction;
        _dropRandom = new Random(seed);
    }

    /// <summary>How long every notification waits before its first delivery (fault injection: a slow Graph).</summary>
    public TimeSpan DelayNotifications { get; set; }

    /// <summary>Notifications posted (first deliveries), lost as a fault, posted again after a failed delivery, and given up after 4 hours.</summary>
    public int NotificationsSent => Volatile.Read(ref _notificationsSent);
    public int NotificationsDropped => Volatile.Read(ref _notificationsDropped);
    public int NotificationsRetried => Volatile.Read(ref _notificationsRetried);
    public int NotificationsGivenUp => Volatile.Read(ref _notificationsGivenUp);
    private int _notificationsSent, _notificationsDropped, _notificationsRetried, _notificationsGivenUp;

    /// <summary>Graph's wait for an endpoint's answer: after 10 s the delivery counts as failed.</summary>
    public static readonly TimeSpan DeliveryTimeout = TimeSpan.FromSeconds(10);

    public IReadOnlyCollection<SandboxSubscription> Subscriptions => [.. Mailboxes.SelectMany(b => b.Subscriptions.Values)];

    /// <summary>Waits until every notification posted so far has had its first delivery (taken or refused).</summary>
    public async Task FlushNotificationsAsync()
    {
        while (_deliveries.TryDequeue(out var delivery))
        {
            try { await delivery; }
            catch (Exception) { /* a failed delivery is Graph's loss too: the backstop poll covers it */ }
        }
    }

    private async Task<SandboxResponse> SubscriptionsAsync(SandboxMailbox box, SandboxRequest r, string[] rest, string requestId, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var method = r.Method.ToUpperInvariant();
        SandboxResponse NotFound() => SandboxResponse.Error(404, "ResourceNotFound", "The object was not found.", requestId, now);
        SandboxResponse Bad(string message) => SandboxResponse.Error(400, "InvalidRequest", message, requestId, now);
        if (rest.Length == 1 && method == "GET")
            return SandboxResponse.Json(200, new JsonObject
            {
                ["@odata.context"] = $"{r.BaseUrl}/$metadata#subscriptions",
                ["value"] = new JsonArray(box.Subscriptions.Values.Where(s => s.Expiration > now).Select(s => (JsonNode)Entity(s, r)).ToArray()),
            });
        if (rest.Length == 1 && method == "POST")
        {
            if (r.Body is not JsonObject body) return Bad("A subscription needs a body.");
            var resource = (string?)body["resource"] ?? "";
            if (ResourceOf(resource) is not { } target) return Bad($"Resource '{resource}' is not supported.");
            var changeTypes = ((string?)body["changeType"] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet();
            if (changeTypes.Count == 0 || changeTypes.Any(c => c is not ("created" or "updated" or "deleted")))
                return Bad("changeType must be one or more of created, updated, deleted.");
            if (!Uri.TryCreate((string?)body["notificationUrl"], UriKind.Absolute, out var url) || !AllowedUrl(url))
                return Bad("notificationUrl must be an https URL.");
            Uri? lifecycle = null;
            if (body["lifecycleNotificationUrl"] is { } l && (!Uri.TryCreate((string?)l, UriKind.Absolute, out lifecycle) || !AllowedUrl(lifecycle)))
                return Bad("lifecycleNotificationUrl must be an https URL.");
            if (!DateTimeOffset.TryParse((string?)body["expirationDateTime"], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var expiration))
                return Bad("expirationDateTime is required.");
            if (expiration <= now) return Bad("Subscription expiration must be in the future.");
            if (expiration > now + MaxSubscriptionLifetime)
                return Bad($"Subscription expiration can only be {MaxSubscriptionLifetime.TotalMinutes:0} minutes in the future.");
            var clientState = (string?)body["clientState"];
            if (clientState is { Length: > 128 }) return Bad("clientState must be at most 128 characters.");
            // Graph proves the endpoint is the caller's before it keeps the subscription: the token, echoed as text.
            if (!await ValidatesAsync(url, cancellationToken) || lifecycle is not null && !await ValidatesAsync(lifecycle, cancellationToken))
                return Bad("Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request.");
            var subscription = new SandboxSubscription(Guid.NewGuid().ToString(), box.Id, resource, target.Set, target.Folder, changeTypes, url, lifecycle,
                clientState, expiration, box.Id);
            box.Subscriptions[subscription.Id] = subscription;
            return SandboxResponse.Json(201, Entity(subscription, r, context: true));
        }
        if (rest.Length != 2) return Bad("Unsupported subscriptions request.");
        if (!box.Subscriptions.TryGetValue(rest[1], out var existing) || existing.Expiration <= now) return NotFound();
        switch (method)
        {
            case "GET":
                return SandboxResponse.Json(200, Entity(existing, r, context: true));
            case "PATCH":
                if (!DateTimeOffset.TryParse((string?)r.Body?["expirationDateTime"], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var renewed))
                    return Bad("expirationDateTime is required.");
                if (renewed <= now || renewed > now + MaxSubscriptionLifetime)
                    return Bad($"Subscription expiration can only be {MaxSubscriptionLifetime.TotalMinutes:0} minutes in the future.");
                existing = existing with { Expiration = renewed };
                box.Subscriptions[existing.Id] = existing;
                return SandboxResponse.Json(200, Entity(existing, r, context: true));
            case "DELETE":
                box.Subscriptions.TryRemove(existing.Id, out _);
                return SandboxResponse.Json(204, null);
            default:
                return SandboxResponse.Error(405, "MethodNotAllowed", "Method not allowed.", requestId, now);
        }
    }

    // Graph wants https; loopback http is allowed here, for tests and the demo.
    private static bool AllowedUrl(Uri url) => url.Scheme == Uri.UriSchemeHttps || url.Scheme == Uri.UriSchemeHttp && url.IsLoopback;

    private static (string Set, string? Folder)? ResourceOf(string resource)
    {
        var r = resource.Trim().Trim('/').ToLowerInvariant();
        var at = r.StartsWith("me/", StringComparison.Ordinal) ? 3 : r.StartsWith("users/", StringComparison.Ordinal) ? r.IndexOf('/', 6) + 1 : -1;
        if (at <= 0) return null;
        var path = r[at..];
        if (path is "events" or "calendar/events") return ("events", null);
        if (path == "messages") return ("messages", null);
        foreach (var folder in WellKnownFolders)
            if (path == $"mailfolders('{folder}')/messages" || path == $"mailfolders/{folder}/messages") return ("messages", folder);
        return null;
    }

    private async Task<bool> ValidatesAsync(Uri url, CancellationToken cancellationToken)
    {
        var token = "Validation: Testing client application reachability for subscription Request-Id: " + Guid.NewGuid();
        var target = new UriBuilder(url) { Query = (url.Query.Length > 1 ? url.Query[1..] + "&" : "") + "validationToken=" + Uri.EscapeDataString(token) }.Uri;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            using var request = new HttpRequestMessage(HttpMethod.Post, target) { Content = new StringContent("", Encoding.UTF8, "text/plain") };
            using var response = await NotificationClient.SendAsync(request, timeout.Token);
            return (int)response.StatusCode == 200 && await response.Content.ReadAsStringAsync(timeout.Token) == token;
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
        {
            return false;
        }
    }

    private static JsonObject Entity(SandboxSubscription s, SandboxRequest r, bool context = false)
    {
        var entity = new JsonObject();
        if (context) entity["@odata.context"] = $"{r.BaseUrl}/$metadata#subscriptions/$entity";
        entity["id"] = s.Id;
        entity["resource"] = s.Resource;
        entity["applicationId"] = "24d3b144-21ae-4080-943f-7067b395b913";
        entity["changeType"] = string.Join(',', s.ChangeTypes.Order(StringComparer.Ordinal));
        entity["clientState"] = s.ClientState;
        entity["notificationUrl"] = s.NotificationUrl.ToString();
        entity["lifecycleNotificationUrl"] = s.LifecycleNotificationUrl?.ToString();
        entity["expirationDateTime"] = s.Expiration.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture);
        entity["creatorId"] = s.CreatorId;
        // The docs' example also shows notificationContentType, which Graph's v1.0 schema does not define: left out.
        entity["latestSupportedTlsVersion"] = "v1_2";
        return entity;
    }

    /// <summary>Called as an item changes (under the mailbox's lock): queues a notification for each live subscription that covers it.</summary>
    private void Changed(SandboxMailbox box, string set, string? folder, string id, string changeType)
    {
        var now = time.GetUtcNow();
        foreach (var s in box.Subscriptions.Values)
        {
            if (s.Expiration <= now || s.Set != set || s.Folder is not null && s.Folder != folder || !s.ChangeTypes.Contains(changeType))
                continue;
            var resource = set == "events" ? $"Users/{box.Id}/Events/{id}" : $"Users/{box.Id}/Messages/{id}";
            var notification = new JsonObject
            {
                ["subscriptionId"] = s.Id,
                ["subscriptionExpirationDateTime"] = s.Expiration.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture),
                ["changeType"] = changeType,
                ["resource"] = resource,
                ["clientState"] = s.ClientState,
                ["tenantId"] = "84bd8158-6d4d-4958-8b9f-9d6445542f95",
                ["resourceData"] = new JsonObject
                {
                    ["@odata.type"] = set == "events" ? "#Microsoft.Graph.Event" : "#Microsoft.Graph.Message",
                    ["@odata.id"] = resource,
                    ["id"] = id,
                },
            };
            Post(s.NotificationUrl, notification);
        }
    }

    /// <summary>Sends a lifecycle notification (reauthorizationRequired, subscriptionRemoved, missed) as Graph would.</summary>
    public bool SendLifecycleNotification(string subscriptionId, string lifecycleEvent)
    {
        var box = Mailboxes.FirstOrDefault(b => b.Subscriptions.ContainsKey(subscriptionId));
        if (box is null || !box.Subscriptions.TryGetValue(subscriptionId, out var s) || s.LifecycleNotificationUrl is null) return false;
        if (lifecycleEvent == "subscriptionRemoved") box.Subscriptions.TryRemove(subscriptionId, out _);
        Post(s.LifecycleNotificationUrl, new JsonObject
        {
            ["subscriptionId"] = s.Id,
            ["subscriptionExpirationDateTime"] = s.Expiration.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture),
            ["tenantId"] = "84bd8158-6d4d-4958-8b9f-9d6445542f95",
            ["clientState"] = s.ClientState,
            ["lifecycleEvent"] = lifecycleEvent,
        });
        return true;
    }

    private void Post(Uri url, JsonObject notification)
    {
        bool drop;
        lock (_dropRandom) drop = DropNotifications > 0 && _dropRandom.NextDouble() < DropNotifications;
        if (drop)
        {
            Interlocked.Increment(ref _notificationsDropped);
            return;
        }
        Interlocked.Increment(ref _notificationsSent);
        var payload = new JsonObject { ["value"] = new JsonArray(notification) }.ToJsonString();
        // Delivered after the change's own request has answered, as Graph does; never inside the mailbox's lock.
        while (_deliveries.TryPeek(out var done) && done.IsCompleted) _deliveries.TryDequeue(out _);
        _deliveries.Enqueue(Task.Run(async () =>
        {
            if (DelayNotifications > TimeSpan.Zero) await Task.Delay(DelayNotifications, time, _stopping.Token);
            if (!await PostOnceAsync(url, payload)) _ = RetryAsync(url, payload, time.GetUtcNow());
        }));
    }

    // Not awaited by FlushNotificationsAsync: a refused notification's retries run on the sandbox's clock (hours, with
    // a test's fake one) while the test goes on, as Graph's would.
    private async Task RetryAsync(Uri url, string payload, DateTimeOffset first)
    {
        for (var wait = options.NotificationRetryFirst; !_stopping.IsCancellationRequested; wait += wait)
        {
            if (time.GetUtcNow() + wait - first > options.NotificationRetryFor)
            {
                Interlocked.Increment(ref _notificationsGivenUp);
                return;
            }
            try { await Task.Delay(wait, time, _stopping.Token); }
            catch (OperationCanceledException) { return; }
            Interlocked.Increment(ref _notificationsRetried);
            if (await PostOnceAsync(url, payload)) return;
        }
    }

    /// <summary>One delivery: true when the endpoint took it (2xx within Graph's 10 s).</summary>
    private async Task<bool> PostOnceAsync(Uri url, string payload)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            timeout.CancelAfter(DeliveryTimeout);
            using var content = new StringContent(payload, Encoding.UTF8);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var response = await NotificationClient.PostAsync(url, content, timeout.Token);
            return response.IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
        {
            return false;
        }
    }
}
