using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OutlookFollowUp.GraphSandbox;

/// <summary>
/// A Graph-compatible server for several mailboxes, in memory. Every request, $batch items included, goes through
/// <see cref="HandleAsync"/>: identity, Outlook's limits, latency and the request log apply alike.
/// </summary>
public sealed partial class GraphSandbox(SandboxOptions options, TimeProvider time)
{
    private const string ExtendedProperties = "singleValueExtendedProperties";
    private const string FolderField = "_folder";
    private readonly ConcurrentDictionary<string, SandboxMailbox> _mailboxes = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentQueue<SandboxLogEntry> _log = new();
    private int _violations;
    private int _sendAttempts;
    private long _ids;

    public SandboxOptions Options => options;

    /// <summary>The sandbox's clock: tests move it, and nothing in the sandbox reads the system clock itself.</summary>
    public DateTimeOffset Now => time.GetUtcNow();

    /// <summary>Requests refused because a client broke Outlook's concurrency or rate limit.</summary>
    public int ThrottleViolations => Volatile.Read(ref _violations);

    /// <summary>Attempts to send mail (sendMail, /send): always refused, always counted.</summary>
    public int SendAttempts => Volatile.Read(ref _sendAttempts);

    public IReadOnlyList<SandboxLogEntry> Log => [.. _log];

    /// <summary>Sees every request (each item of a $batch too) with its response: the schema test reads the traffic here.</summary>
    public Action<SandboxRequest, SandboxResponse>? Observer { get; set; }

    public IReadOnlyCollection<SandboxMailbox> Mailboxes => _mailboxes.Values.Distinct().ToList();

    public SandboxMailbox AddMailbox(string address, string displayName, string timeZone = "UTC", JsonObject? workingHours = null)
    {
        var mailbox = new SandboxMailbox
        {
            Id = Guid.NewGuid().ToString(),
            Address = address.Trim(),
            DisplayName = displayName,
            TimeZone = timeZone,
            WorkingHours = workingHours ?? new JsonObject
            {
                ["daysOfWeek"] = new JsonArray("monday", "tuesday", "wednesday", "thursday", "friday"),
                ["startTime"] = "09:00:00.0000000",
                ["endTime"] = "17:00:00.0000000",
                ["timeZone"] = new JsonObject { ["name"] = timeZone },
            },
        };
        _mailboxes[mailbox.Address] = mailbox;
        _mailboxes[mailbox.Id] = mailbox;
        return mailbox;
    }

    public SandboxMailbox? Find(string addressOrId) => _mailboxes.GetValueOrDefault(addressOrId.Trim());

    public void Reset()
    {
        _mailboxes.Clear();
        _log.Clear();
        Interlocked.Exchange(ref _violations, 0);
        Interlocked.Exchange(ref _sendAttempts, 0);
    }

    public async Task<SandboxResponse> HandleAsync(SandboxRequest request, CancellationToken cancellationToken = default)
    {
        SandboxResponse response;
        if (request.Path.Trim('/').Equals("$batch", StringComparison.OrdinalIgnoreCase) && request.Method == "POST")
        {
            int rounds;
            (response, rounds) = await BatchAsync(request, cancellationToken);
            _log.Enqueue(new SandboxLogEntry(time.GetUtcNow(), "", request.Method, "/$batch", response.Status, false, rounds));
        }
        else response = await HandleOneAsync(request, inBatch: false, cancellationToken);
        // The work is done: the answer takes its time to travel whether or not anyone still waits for it.
        if (options.ResponseLatency > TimeSpan.Zero) await Task.Delay(options.ResponseLatency, time, CancellationToken.None);
        return response;
    }

    private async Task<SandboxResponse> HandleOneAsync(SandboxRequest request, bool inBatch, CancellationToken cancellationToken)
    {
        var requestId = NewId("req");
        var now = time.GetUtcNow();
        var (mailbox, rest, refused) = Identify(request, requestId, now);
        if (refused is not null) return Logged(refused);

        var throttled = Admit(mailbox!, requestId, now);
        if (throttled is not null) return Logged(throttled);
        try
        {
            if (options.Latency > TimeSpan.Zero) await Task.Delay(options.Latency, time, cancellationToken);
            var fault = NextFault();
            var retry = _faults.RetryAfterSeconds.ToString("0.###", CultureInfo.InvariantCulture);
            switch (fault)
            {
                case FaultKind.Throttle:
                    return Logged(SandboxResponse.Throttled("Injected throttling.", requestId, now, retry));
                case FaultKind.Unavailable:
                    return Logged(SandboxResponse.Error(503, "ServiceUnavailable", "Injected outage.", requestId, now, ("Retry-After", retry)));
                case FaultKind.DropConnection:
                    return Logged(SandboxResponse.Dropped);
                case FaultKind.Latency:
                    await Task.Delay(_faults.ExtraLatency, time, cancellationToken);
                    break;
            }
            SandboxResponse response;
            try
            {
                response = rest.Length > 0 && rest[0].Equals("subscriptions", StringComparison.OrdinalIgnoreCase)
                    ? await SubscriptionsAsync(mailbox!, request, rest, requestId, time.GetUtcNow(), cancellationToken)
                    : Route(mailbox!, request, rest, requestId, time.GetUtcNow());
            }
            catch (FilterException e)
            {
                response = SandboxResponse.Error(400, "BadRequest", e.Message, requestId, now);
            }
            if (fault == FaultKind.CommitThenFail)
                // The work is done; the client is told it failed, or hears nothing at all.
                response = requestId.GetHashCode() % 2 == 0 ? SandboxResponse.Dropped
                    : SandboxResponse.Error(500, "InternalServerError", "Injected failure after the write.", requestId, now);
            return Logged(response);
        }
        finally
        {
            lock (mailbox!.Gate) mailbox.InFlight--;
        }

        SandboxResponse Logged(SandboxResponse r)
        {
            _log.Enqueue(new SandboxLogEntry(now, mailbox?.Address ?? "", request.Method, request.Path, r.Status, inBatch, Done: time.GetUtcNow()));
            Observer?.Invoke(request, r);
            return r;
        }
    }

    /// <summary>Outlook's limits per mailbox: four at once, 10,000 in ten minutes. Past them: 429 with Retry-After.</summary>
    private SandboxResponse? Admit(SandboxMailbox mailbox, string requestId, DateTimeOffset now)
    {
        lock (mailbox.Gate)
        {
            while (mailbox.Recent.Count > 0 && mailbox.Recent.Peek() <= now - options.Window) mailbox.Recent.Dequeue();
            var overRate = mailbox.Recent.Count >= options.RequestsPerWindow;
            var overConcurrency = mailbox.InFlight >= options.MaxConcurrentPerMailbox;
            if (overRate || overConcurrency)
            {
                Interlocked.Increment(ref _violations);
                var retry = options.RetryAfterSeconds.ToString("0.###", CultureInfo.InvariantCulture);
                return SandboxResponse.Throttled(
                    overConcurrency ? "Application is over its MailboxConcurrency limit." : "Application is over its request limit for this mailbox.",
                    requestId, now, retry);
            }
            mailbox.InFlight++;
            mailbox.Recent.Enqueue(now);
            return null;
        }
    }

    /// <summary>/me by the caller's token; /users/{id or userPrincipalName} by the path.</summary>
    private (SandboxMailbox? Mailbox, string[] Segments, SandboxResponse? Refused) Identify(SandboxRequest request, string requestId, DateTimeOffset now)
    {
        var segments = request.Path.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString).ToArray();
        var caller = Caller(request);
        if (caller is null)
            return (null, [], SandboxResponse.Error(401, "InvalidAuthenticationToken", "Access token is empty or not valid.", requestId, now));
        // /subscriptions belong to the caller's app and mailbox.
        if (segments.Length > 0 && segments[0].Equals("subscriptions", StringComparison.OrdinalIgnoreCase))
        {
            var owner = Find(caller);
            return owner is null
                ? (null, [], SandboxResponse.Error(404, "MailboxNotEnabledForRESTAPI", "The mailbox is either inactive, soft-deleted, or is hosted on-premise.", requestId, now))
                : (owner, segments, null);
        }
        if (segments.Length > 0 && segments[0].Equals("me", StringComparison.OrdinalIgnoreCase))
        {
            var me = Find(caller);
            return me is null
                ? (null, [], SandboxResponse.Error(404, "MailboxNotEnabledForRESTAPI", "The mailbox is either inactive, soft-deleted, or is hosted on-premise.", requestId, now))
                : (me, segments[1..], null);
        }
        if (segments.Length > 1 && segments[0].Equals("users", StringComparison.OrdinalIgnoreCase))
        {
            var user = Find(segments[1]);
            return user is null
                ? (null, [], SandboxResponse.Error(404, "Request_ResourceNotFound", $"Resource '{segments[1]}' does not exist or one of its queried reference-property objects are not present.", requestId, now))
                : (user, segments[2..], null);
        }
        return (null, [], SandboxResponse.Error(400, "BadRequest", $"Resource not found for the segment '{segments.FirstOrDefault()}'.", requestId, now));
    }

    /// <summary>
    /// Who calls: a JWT's preferred_username, upn or oid (the sandbox does not check signatures: it is not the
    /// product), or "sandbox:{address}" for tools and tests.
    /// </summary>
    private static string? Caller(SandboxRequest request)
    {
        if (!request.Headers.TryGetValue("Authorization", out var header) || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return null;
        var token = header["Bearer ".Length..].Trim();
        if (token.StartsWith("sandbox:", StringComparison.Ordinal)) return token["sandbox:".Length..];
        var parts = token.Split('.');
        if (parts.Length != 3) return null;
        try
        {
            var payload = parts[1].Replace('-', '+').Replace('_', '/');
            payload = payload.PadRight(payload.Length + (4 - payload.Length % 4) % 4, '=');
            using var claims = JsonDocument.Parse(Convert.FromBase64String(payload));
            foreach (var name in new[] { "preferred_username", "upn", "unique_name", "email", "oid" })
                if (claims.RootElement.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String) return value.GetString();
        }
        catch (Exception e) when (e is FormatException or JsonException) { }
        return null;
    }

    internal string NewId(string kind)
    {
        var n = Interlocked.Increment(ref _ids);
        // Outlook ids are opaque base64; these are too, and stable within a run.
        var bytes = Encoding.UTF8.GetBytes($"{kind}:{n}:{Guid.NewGuid():N}");
        return kind == "req" ? Guid.NewGuid().ToString() : "AAMk" + Convert.ToBase64String(bytes).TrimEnd('=').Replace('/', '-');
    }

    private static string Stamp(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
}
