using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using OutlookFollowUp.GraphSandbox;

namespace OutlookFollowUp.Tests;

/// <summary>The Graph sandbox on real Kestrel on loopback, so that tests speak HTTP to it as the product will.</summary>
public sealed class SandboxFixture : IAsyncLifetime
{
    private SandboxServer? _server;

    public GraphSandbox.GraphSandbox Sandbox => _server!.Sandbox;
    public string BaseUrl => _server!.BaseUrl;

    public async Task InitializeAsync() => _server = await SandboxServer.StartAsync(TimeProvider.System);

    public async Task DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
    }

    /// <summary>A client signed in as <paramref name="mailbox"/>, the way the sandbox reads a caller.</summary>
    public HttpClient ClientFor(string mailbox) => SandboxServer.ClientFor(BaseUrl, mailbox);
}

/// <summary>A sandbox on Kestrel on loopback with a clock of the test's choosing.</summary>
public sealed class SandboxServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private SandboxServer(WebApplication app, GraphSandbox.GraphSandbox sandbox)
    {
        _app = app;
        Sandbox = sandbox;
    }

    public GraphSandbox.GraphSandbox Sandbox { get; }
    public string BaseUrl => _app.Urls.First();

    /// <summary>A client signed in as <paramref name="mailbox"/>, the way the sandbox reads a caller.</summary>
    public HttpClient ClientFor(string mailbox) => ClientFor(BaseUrl, mailbox);

    internal static HttpClient ClientFor(string baseUrl, string mailbox)
    {
        var client = new HttpClient { BaseAddress = new Uri(baseUrl + "/v1.0/") };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "sandbox:" + mailbox);
        return client;
    }

    public static async Task<SandboxServer> StartAsync(TimeProvider time, SandboxOptions? options = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        if (Environment.GetEnvironmentVariable("OFU_SANDBOX_LOG") is null) builder.Logging.ClearProviders();
        var app = builder.Build();
        var sandbox = new GraphSandbox.GraphSandbox(options ?? new SandboxOptions(), time) { Observer = SuiteTraffic.Observe };
        app.MapGraphSandbox(sandbox);
        await app.StartAsync();
        return new SandboxServer(app, sandbox);
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}

/// <summary>A clock the test moves by hand.</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;
    public override DateTimeOffset GetUtcNow() => _now;
    public void Set(DateTimeOffset now) => _now = now;
    public void Advance(TimeSpan by) => _now += by;
}

/// <summary>
/// Every sandbox server of the suite checks its traffic against Graph's schema (issue 16): what it finds is written to
/// artifacts/test-logs/schema-findings.txt, which tests/run.sh requires to be empty once the suite has run.
/// </summary>
public static class SuiteTraffic
{
    private static readonly Lock Gate = new();
    private static readonly HashSet<string> Seen = [];

    public static string FindingsFile => Path.Combine(Report.FindRoot(), "artifacts", "test-logs", "schema-findings.txt");

    public static void Observe(SandboxRequest request, SandboxResponse response)
    {
        List<string> findings;
        try { findings = GraphSchemaTests.Findings(request, response).ToList(); }
        catch (Exception e) { findings = [$"{request.Method} {request.Path}: the check failed: {e.GetType().Name}: {e.Message}"]; }
        if (findings.Count == 0) return;
        lock (Gate)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(FindingsFile)!);
            foreach (var f in findings)
                if (Seen.Add(f)) File.AppendAllText(FindingsFile, f + "\n");
        }
    }
}

