using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OutlookFollowUp.Api.Data;
using OutlookFollowUp.Api.SignIn;
using OutlookFollowUp.Mailbox;

namespace OutlookFollowUp.Api.Notifications;

/// <summary>
/// Graph change notifications (issue 15). Section <c>Notifications</c>. Off until <see cref="PublicUrl"/> is set: Graph
/// must reach the service over https, which a laptop's demo cannot offer; the sweep then polls as before.
/// </summary>
public sealed class NotificationOptions
{
    /// <summary>The service's public base URL as Graph reaches it (https://followup.example.com); null: no subscriptions.</summary>
    public Uri? PublicUrl { get; set; }

    /// <summary>How long a subscription is asked for; Graph allows Outlook resources at most 10,080 minutes.</summary>
    [Range(typeof(TimeSpan), "01:00:00", "6.23:00:00")]
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromDays(3);

    /// <summary>A subscription this close to Graph's expiry is renewed by the next sweep of its mailbox.</summary>
    [Range(typeof(TimeSpan), "00:10:00", "3.00:00:00")]
    public TimeSpan RenewBefore { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// How often a mailbox whose subscriptions are all live is swept anyway: a lost notification costs this much
    /// latency, never data (the delta read is the truth).
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan BackstopPoll { get; set; } = TimeSpan.FromHours(3);

    /// <summary>
    /// How long a notified mailbox waits before its sweep, so that a burst (Graph sends one notification per change,
    /// and a reply in a thread changes several items) collapses into one sweep. Zero: at once.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan Debounce { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Notification requests taken per second by one instance, whoever sends them.</summary>
    [Range(1, 100_000)]
    public int PerSecond { get; set; } = 2_000;

    internal Uri NotificationUrl => new(PublicUrl!, "api/notifications");
    internal Uri LifecycleUrl => new(PublicUrl!, "api/notifications/lifecycle");
}

/// <summary>One notification of Graph's, the fields the service reads (change and lifecycle notifications alike).</summary>
public sealed record ChangeNotification(string? SubscriptionId, string? ClientState, string? ChangeType, string? LifecycleEvent);

public static class NotificationEndpoints
{
    public const string RatePolicy = "notifications";

    /// <summary>Graph's validation tokens are short; anything much longer is not Graph.</summary>
    public const int MaxValidationToken = 1024;

    public static IServiceCollection AddNotifications(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<NotificationOptions>().Bind(configuration.GetSection("Notifications")).ValidateDataAnnotations()
            .Validate(o => o.PublicUrl is null || o.PublicUrl.IsAbsoluteUri && (o.PublicUrl.Scheme == Uri.UriSchemeHttps || o.PublicUrl.IsLoopback),
                "Notifications:PublicUrl must be an absolute https URL (http only on loopback)")
            .Validate(o => o.RenewBefore < o.Lifetime, "Notifications:RenewBefore must be shorter than Notifications:Lifetime")
            .ValidateOnStart();
        services.Configure<RateLimiterOptions>(limiter => limiter.AddPolicy(RatePolicy, http =>
        {
            var o = http.RequestServices.GetRequiredService<IOptions<NotificationOptions>>().Value;
            // One bucket for all senders: Graph posts from many addresses, and a forger's flood must not starve the sweep.
            return RateLimitPartition.GetTokenBucketLimiter("graph", _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = o.PerSecond, TokensPerPeriod = o.PerSecond, ReplenishmentPeriod = TimeSpan.FromSeconds(1), QueueLimit = 0,
            });
        }));
        services.AddScoped<MailboxSubscriptions>();
        return services;
    }

    /// <summary>Where Graph posts: anonymous (Graph signs nothing for basic notifications), each item checked by its client state.</summary>
    public static RouteGroupBuilder MapNotifications(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/notifications").WithTags("Notifications").AllowAnonymous().RequireRateLimiting(RatePolicy)
            .WithMetadata(new RequestSizeLimitAttribute(Guards.GuardExtensions.MaxRequestBytes));
        group.MapPost("", Receive);
        group.MapPost("/lifecycle", Receive);
        return group;
    }

    /// <summary>
    /// The validation handshake (the token echoed as text/plain), or a batch of notifications: each known one with
    /// the right client state marks its mailbox due and nothing more (202 at once; the sweep reads Graph).
    /// </summary>
    public static async Task<Results<ContentHttpResult, Accepted, ProblemHttpResult>> Receive(HttpRequest request, string? validationToken,
        AppDb db, TimeProvider time, ILoggerFactory logs, Sweep.SweepSignal sweep, IOptions<NotificationOptions> options, CancellationToken cancellationToken)
    {
        if (validationToken is not null)
            return validationToken.Length is > 0 and <= MaxValidationToken
                ? TypedResults.Text(validationToken, "text/plain", Encoding.UTF8)
                : TypedResults.Problem("The validation token is empty or too long.", statusCode: 400, title: "Not a validation request");
        var notifications = await ReadAsync(request, cancellationToken);
        if (notifications is null)
            return TypedResults.Problem("The body is not Graph's notification collection: {\"value\": [...]}.", statusCode: 400, title: "Malformed notification");
        var log = logs.CreateLogger("OutlookFollowUp.Api.Notifications");
        var ids = notifications.Select(n => n.SubscriptionId).Where(id => id is { Length: > 0 and <= 200 }).Distinct().ToList();
        var known = await db.Subscriptions.Where(s => ids.Contains(s.Id)).ToDictionaryAsync(s => s.Id, cancellationToken);
        var now = time.GetUtcNow().UtcDateTime;
        var due = new HashSet<Guid>();
        var refused = 0;
        foreach (var n in notifications)
        {
            if (n.SubscriptionId is null || !known.TryGetValue(n.SubscriptionId, out var subscription) || !MailboxSubscriptions.Matches(subscription, n.ClientState))
            {
                refused++;
                continue;
            }
            due.Add(subscription.UserId);
            switch (n.LifecycleEvent)
            {
                case "reauthorizationRequired":
                    subscription.ExpiresUtc = now; // renewed (which reauthorizes it) by the sweep this marks due
                    break;
                case "subscriptionRemoved":
                    db.Subscriptions.Remove(subscription); // made again by that sweep
                    break;
            }
        }
        // Who sent it is not known and the payload is theirs: the count is logged, nothing of what they wrote.
        if (refused > 0) log.LogWarning("Refused {Count} of {Total} notification(s): unknown subscription or wrong clientState", refused, notifications.Count);
        if (due.Count == 0) return TypedResults.Problem("No notification here is for a subscription of this service.", statusCode: 403, title: "Refused");
        await db.SaveChangesAsync(cancellationToken);
        var at = now + options.Value.Debounce;
        await db.Users.Where(u => due.Contains(u.Id) && u.NextSweepUtc > at)
            .ExecuteUpdateAsync(set => set.SetProperty(u => u.NextSweepUtc, at), cancellationToken);
        // This instance sweeps then rather than at its next tick; the lease keeps another from sweeping it too.
        sweep.WakeAfter(options.Value.Debounce, time);
        return TypedResults.Accepted((string?)null);
    }

    /// <summary>At most 1,000 notifications of a body; null when it is not Graph's shape.</summary>
    private static async Task<List<ChangeNotification>?> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        try
        {
            using var doc = await JsonDocument.ParseAsync(request.Body, new JsonDocumentOptions { MaxDepth = 16 }, cancellationToken);
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("value", out var value) || value.ValueKind != JsonValueKind.Array)
                return null;
            static string? Text(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            return value.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.Object).Take(1000)
                .Select(e => new ChangeNotification(Text(e, "subscriptionId"), Text(e, "clientState"), Text(e, "changeType"), Text(e, "lifecycleEvent")))
                .ToList();
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>A mailbox's subscriptions: made, renewed before Graph's expiry, remade when Graph lost them.</summary>
public sealed class MailboxSubscriptions(AppDb db, IOptions<NotificationOptions> options, ILogger<MailboxSubscriptions> log)
{
    public bool Enabled => options.Value.PublicUrl is not null;

    /// <summary>How long a watched mailbox waits for its next sweep when nothing notifies.</summary>
    public TimeSpan BackstopPoll => options.Value.BackstopPoll;

    /// <summary>Every watched resource has a live subscription after this (true), or some could not be made (false: poll).</summary>
    public async Task<bool> EnsureAsync(IMailboxGateway mailbox, UserRecord user, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (!Enabled) return false;
        var o = options.Value;
        var mine = await db.Subscriptions.Where(s => s.UserId == user.Id).ToListAsync(cancellationToken);
        var live = 0;
        foreach (var resource in GraphMailboxGateway.WatchedResources)
        {
            var existing = mine.FirstOrDefault(s => s.Resource == resource);
            if (existing is not null && existing.ExpiresUtc - now.UtcDateTime > o.RenewBefore) { live++; continue; }
            try
            {
                if (existing is not null)
                {
                    try
                    {
                        existing.ExpiresUtc = (await mailbox.RenewAsync(existing.Id, now + o.Lifetime, cancellationToken)).UtcDateTime;
                        live++;
                        continue;
                    }
                    catch (MailboxException e) when (e.Status == 404)
                    {
                        db.Subscriptions.Remove(existing); // Graph let it go: made again below
                    }
                }
                var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
                var made = await mailbox.SubscribeAsync(resource, o.NotificationUrl, o.LifecycleUrl, secret, now + o.Lifetime, cancellationToken);
                db.Subscriptions.Add(new SubscriptionRecord
                {
                    Id = made.Id, UserId = user.Id, Resource = resource, ClientStateHash = Hash(secret),
                    ExpiresUtc = made.Expires.UtcDateTime, CreatedUtc = now.UtcDateTime,
                });
                live++;
            }
            catch (MailboxException e)
            {
                // The mailbox is polled meanwhile; the next sweep tries again.
                log.LogWarning("Could not subscribe user {UserId} to {Resource}: Graph {Status} {Code}", user.Id, resource, e.Status, e.Code);
            }
        }
        await db.SaveChangesAsync(cancellationToken);
        return live == GraphMailboxGateway.WatchedResources.Count;
    }

    /// <summary>
    /// Ends the mailbox's subscriptions in Graph (the user stops the service); the caller deletes their rows. One
    /// Graph would not end is logged: it expires by itself within its lifetime, and its notifications are refused
    /// as unknown once its row is gone.
    /// </summary>
    public async Task EndAsync(IMailboxGateway mailbox, UserRecord user, CancellationToken cancellationToken)
    {
        foreach (var subscription in await db.Subscriptions.AsNoTracking().Where(s => s.UserId == user.Id).ToListAsync(cancellationToken))
        {
            try
            {
                await mailbox.UnsubscribeAsync(subscription.Id, cancellationToken);
            }
            catch (Exception e) when (e is MailboxException or SignInRequiredException or HttpRequestException)
            {
                log.LogWarning("Could not end subscription {SubscriptionId} of user {UserId}: {Error}", subscription.Id, user.Id, e.Message);
            }
        }
    }

    internal static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    internal static bool Matches(SubscriptionRecord subscription, string? clientState) =>
        clientState is { Length: > 0 and <= 256 } && CryptographicOperations.FixedTimeEquals(subscription.ClientStateHash, Hash(clientState));
}
