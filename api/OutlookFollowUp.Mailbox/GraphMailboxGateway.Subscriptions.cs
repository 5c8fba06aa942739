using G = Microsoft.Graph.Models;

namespace OutlookFollowUp.Mailbox;

/// <summary>A change-notification subscription as Graph holds it: its id and when Graph says it expires.</summary>
public sealed record MailboxSubscription(string Id, string Resource, DateTimeOffset Expires);

public sealed partial class GraphMailboxGateway
{
    /// <summary>
    /// The resources a mailbox is watched on: calendar events, and the Inbox and Sent Items messages (what the delta
    /// feeds read). Basic notifications: they say what changed, the delta read says how.
    /// </summary>
    public static readonly IReadOnlyList<string> WatchedResources = ["me/events", "me/mailFolders('Inbox')/messages", "me/mailFolders('SentItems')/messages"];

    public async Task<MailboxSubscription> SubscribeAsync(string resource, Uri notificationUrl, Uri lifecycleUrl, string clientState, DateTimeOffset expires,
        CancellationToken cancellationToken = default)
    {
        var created = await Call(() => _client.Subscriptions.PostAsync(new G.Subscription
        {
            Resource = resource,
            ChangeType = "created,updated,deleted",
            NotificationUrl = notificationUrl.ToString(),
            LifecycleNotificationUrl = lifecycleUrl.ToString(),
            ClientState = clientState,
            ExpirationDateTime = expires,
            LatestSupportedTlsVersion = "v1_2",
        }, cancellationToken: cancellationToken));
        // Graph's own expiry is the one to renew before, not the one asked for.
        return new MailboxSubscription(created!.Id!, resource, created.ExpirationDateTime ?? expires);
    }

    public async Task<DateTimeOffset> RenewAsync(string subscriptionId, DateTimeOffset expires, CancellationToken cancellationToken = default)
    {
        var renewed = await Call(() => _client.Subscriptions[subscriptionId].PatchAsync(new G.Subscription { ExpirationDateTime = expires }, cancellationToken: cancellationToken));
        return renewed?.ExpirationDateTime ?? expires;
    }

    public async Task UnsubscribeAsync(string subscriptionId, CancellationToken cancellationToken = default)
    {
        try
        {
            await Call(async () => { await _client.Subscriptions[subscriptionId].DeleteAsync(cancellationToken: cancellationToken); return true; });
        }
        catch (MailboxException e) when (e.Status == 404)
        {
            // Already gone (expired, or removed by Graph): what deleting it was for.
        }
    }
}
