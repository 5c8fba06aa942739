using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using OutlookFollowUp.Api.Data;
using OutlookFollowUp.Mailbox;

namespace OutlookFollowUp.Api.SignIn;

/// <summary>A user's mailbox, signed in as that user. The one seam between the service and Graph.</summary>
public interface IMailboxes
{
    IMailboxGateway For(UserRecord user);
}

internal sealed class GraphMailboxes(ServiceMode mode, IGraphTokens tokens, IOptions<MailboxResilienceOptions> resilience, TimeProvider time,
    IServiceProvider services) : IMailboxes, IDisposable
{
    /// <summary>Where the demo's sandbox is served: this server's own loopback address.</summary>
    // The Graph SDK builds $batch items by cutting "/v1.0" off the path: Graph-compatible servers sit at the root.
    public const string DemoGraphPath = "/v1.0";

    // One connection pool for every user's gateway: a pass over thousands of mailboxes must not open a pool each.
    private readonly SocketsHttpHandler _transport = new()
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectTimeout = TimeSpan.FromSeconds(10),
        MaxConnectionsPerServer = 512,
    };

    public Uri? BaseUrl => mode.GraphBaseUrl ??= mode.Demo ? DemoAddress() : null;

    public IMailboxGateway For(UserRecord user) =>
        new GraphMailboxGateway(BaseUrl ?? throw new InvalidOperationException("the demo sandbox is not listening yet"),
            cancellationToken => tokens.ForUserAsync(user, cancellationToken), resilience.Value, time, _transport);

    private Uri? DemoAddress()
    {
        var addresses = services.GetService<IServer>()?.Features.Get<IServerAddressesFeature>()?.Addresses;
        var first = addresses?.OrderBy(a => a.StartsWith("https:", StringComparison.Ordinal) ? 1 : 0).FirstOrDefault();
        if (first is null) return null;
        var uri = new Uri(first.Replace("://+", "://127.0.0.1").Replace("://*", "://127.0.0.1").Replace("[::]", "127.0.0.1").Replace("0.0.0.0", "127.0.0.1"));
        if (uri.Port == 0) return null; // not bound yet
        return new UriBuilder(uri) { Host = uri.IsLoopback || uri.Host == "localhost" ? "127.0.0.1" : uri.Host, Path = DemoGraphPath }.Uri;
    }

    public void Dispose() => _transport.Dispose();
}
