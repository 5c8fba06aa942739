using System.Collections.Concurrent;
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

    // One pipeline per mailbox in this instance, shared by the pane and the sweep, so that Outlook's four requests per
    // mailbox and the circuit breaker hold across both. GetOrAdd hands every caller the one stored value, even when
    // the first calls race (a cache's get-or-create may build two and give each caller its own). Mailboxes unused
    // for a while let theirs go, so memory follows the active mailboxes, not all that ever signed in: a pipeline
    // whose breaker has used it (about 3 KB) is let go once it is quiet for longer than the breaker's sampling window
    // (nothing it knows matters any more), and any other after PipelineIdle. Kept 15 minutes each, a pass over 10,000
    // mailboxes ended with all 10,000 (about 31 MB), and a service sweeping every few minutes would never let one go.
    private readonly ConcurrentDictionary<Guid, Shared> _pipelines = new();
    private long _lastPrune;
    private static readonly TimeSpan PipelineIdle = TimeSpan.FromMinutes(15), PruneEvery = TimeSpan.FromSeconds(10);

    private sealed class Shared(MailboxPipeline pipeline, long now)
    {
        public MailboxPipeline Pipeline { get; } = pipeline;
        public long LastUsed = now;
    }

    public IMailboxGateway For(UserRecord user) =>
        new GraphMailboxGateway(BaseUrl ?? throw new InvalidOperationException("the demo sandbox is not listening yet"),
            cancellationToken => tokens.ForUserAsync(user, cancellationToken), resilience.Value, time, _transport, PipelineFor(user.Id));

    /// <summary>The mailbox's shared limits in this instance.</summary>
    public MailboxPipeline PipelineFor(Guid userId)
    {
        var now = time.GetTimestamp();
        var shared = _pipelines.GetOrAdd(userId, static (_, state) => new Shared(new MailboxPipeline(state.Options, state.Time), state.Now),
            (Options: resilience.Value, Time: time, Now: now));
        Volatile.Write(ref shared.LastUsed, now);
        Prune(now);
        return shared.Pipeline;
    }

    private void Prune(long now)
    {
        var last = Volatile.Read(ref _lastPrune);
        if (time.GetElapsedTime(last, now) < PruneEvery || Interlocked.CompareExchange(ref _lastPrune, now, last) != last) return;
        // No request lasts anywhere near PipelineIdle, so a pipeline idle that long has nothing in flight; one let go
        // sooner was seen quiet (nothing in flight, breaker closed) for longer than the breaker's window.
        var window = resilience.Value.BreakSampling;
        foreach (var (id, shared) in _pipelines)
        {
            var idle = time.GetElapsedTime(Volatile.Read(ref shared.LastUsed), now);
            if (idle > PipelineIdle || idle > window && shared.Pipeline.IsQuiet(window))
                _pipelines.TryRemove(new KeyValuePair<Guid, Shared>(id, shared));
        }
    }

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
