using System.Text.Json.Nodes;

namespace OutlookFollowUp.GraphSandbox;

/// <summary>The sandbox's limits, Graph's own by default (../shared/graph-docs-examples/LIMITS.md).</summary>
public sealed class SandboxOptions
{
    /// <summary>Outlook's limit: four concurrent requests per app and mailbox.</summary>
    public int MaxConcurrentPerMailbox { get; set; } = 4;

    /// <summary>Outlook's limit: 10,000 requests per mailbox in ten minutes.</summary>
    public int RequestsPerWindow { get; set; } = 10_000;

    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long a throttled client is asked to wait.</summary>
    public double RetryAfterSeconds { get; set; } = 1.5;

    /// <summary>Added to every Graph request before its work is done, to model a real service's latency.</summary>
    public TimeSpan Latency { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// Added to every HTTP request after its work is done: the answer's way back. A client that gives up or dies
    /// meanwhile never learns that its write happened, as with a real network.
    /// </summary>
    public TimeSpan ResponseLatency { get; set; } = TimeSpan.Zero;

    /// <summary>Messages per page when the client gives no $top (Graph's default is 10).</summary>
    public int DefaultPageSize { get; set; } = 10;

    /// <summary>At most this many requests in one $batch.</summary>
    public int MaxBatchRequests { get; set; } = 20;

    /// <summary>
    /// A notification the endpoint did not take (no 2xx, or no answer within 10 s) is posted again after this, then
    /// after twice as long each time, as Graph retries with exponential back-off.
    /// </summary>
    public TimeSpan NotificationRetryFirst { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long Graph keeps retrying a notification before it drops it: four hours.</summary>
    public TimeSpan NotificationRetryFor { get; set; } = TimeSpan.FromHours(4);
}

/// <summary>A request as the dispatcher sees it: the path after /v1.0, already split from its query.</summary>
public sealed record SandboxRequest(string Method, string Path, IReadOnlyDictionary<string, string> Query,
    IReadOnlyDictionary<string, string> Headers, JsonNode? Body, string BaseUrl);

/// <summary>A response: status, headers and a JSON body (or none).</summary>
public sealed record SandboxResponse(int Status, IReadOnlyDictionary<string, string> Headers, JsonNode? Body)
{
    /// <summary>No answer at all: the connection is cut (status 0 never reaches a client).</summary>
    public static readonly SandboxResponse Dropped = new(0, new Dictionary<string, string>(), null);

    public static SandboxResponse Json(int status, JsonNode? body, params (string, string)[] headers) =>
        new(status, headers.ToDictionary(h => h.Item1, h => h.Item2, StringComparer.OrdinalIgnoreCase), body);

    /// <summary>Graph's error body: {"error": {"code", "message", "innerError": {"request-id", "date"}}}.</summary>
    public static SandboxResponse Error(int status, string code, string message, string requestId, DateTimeOffset now, params (string, string)[] headers) =>
        Json(status, new JsonObject
        {
            ["error"] = new JsonObject
            {
                ["code"] = code,
                ["message"] = message,
                ["innerError"] = new JsonObject
                {
                    ["date"] = now.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss"),
                    ["request-id"] = requestId,
                    ["client-request-id"] = requestId,
                },
            },
        }, [("request-id", requestId), .. headers]);

    /// <summary>Graph's documented 429 body (throttling.429.json); which limit was hit is said in innerError.message.</summary>
    public static SandboxResponse Throttled(string why, string requestId, DateTimeOffset now, string retryAfter)
    {
        var response = Error(429, "TooManyRequests", "Please retry again later.", requestId, now, ("Retry-After", retryAfter));
        var inner = response.Body!["error"]!["innerError"]!.AsObject();
        inner["code"] = "429";
        inner["message"] = why;
        inner["status"] = "429";
        return response;
    }
}

/// <summary>
/// One logged request: what tests count (round trips, batches, 429s). <c>Rounds</c>: for a $batch, how many rounds of
/// four items it ran in (its least possible time, in latencies); 1 for any other request. <c>Done</c>: when the sandbox
/// finished a single request or batch item (its latency included); unset on a batch's own entry.
/// </summary>
public sealed record SandboxLogEntry(DateTimeOffset At, string Mailbox, string Method, string Path, int Status, bool InBatch, int Rounds = 1, DateTimeOffset Done = default);

/// <summary>One user's mailbox: the user, their settings, their events and messages, and the limits' counters.</summary>
public sealed class SandboxMailbox
{
    internal readonly Lock Gate = new();
    internal readonly Dictionary<string, JsonObject> Events = new(StringComparer.Ordinal);
    internal readonly Dictionary<string, JsonObject> Messages = new(StringComparer.Ordinal);
    internal readonly Queue<DateTimeOffset> Recent = new();
    internal int InFlight;

    /// <summary>Bumped on every change; delta tokens remember the version they were issued at.</summary>
    internal long Version;

    /// <summary>Bumped when a test expires every delta token of the mailbox (Graph then answers 410).</summary>
    internal int Epoch;

    /// <summary>What left a set or a folder, and when: delta reports it as @removed.</summary>
    internal readonly List<(string Set, string? Folder, string Id, long Version)> Removed = [];

    public required string Id { get; init; }
    public required string Address { get; init; }
    public required string DisplayName { get; init; }
    public required string TimeZone { get; init; }
    public required JsonObject WorkingHours { get; init; }
    /// <summary>The change-notification subscriptions made for this mailbox, by id.</summary>
    internal readonly System.Collections.Concurrent.ConcurrentDictionary<string, SandboxSubscription> Subscriptions = new(StringComparer.Ordinal);

    /// <summary>The mailbox's other addresses; /me gives them as proxyAddresses ("SMTP:" the primary one) when selected.</summary>
    public List<string> Aliases { get; } = [];
}
