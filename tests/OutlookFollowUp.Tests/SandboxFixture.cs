using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using OutlookFollowUp.GraphSandbox;

namespace OutlookFollowUp.Tests;

/// <summary>The Graph sandbox on real Kestrel on loopback, so that tests speak HTTP to it as the product will.</summary>
public sealed class SandboxFixture : IAsyncLifetime
{
    private WebApplication? _app;

    public GraphSandbox.GraphSandbox Sandbox { get; } = new(new SandboxOptions(), TimeProvider.System);
    public string BaseUrl { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.MapGraphSandbox(Sandbox);
        await _app.StartAsync();
        BaseUrl = _app.Urls.First();
    }

    public async Task DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
    }

    /// <summary>A client signed in as <paramref name="mailbox"/>, the way the sandbox reads a caller.</summary>
    public HttpClient ClientFor(string mailbox)
    {
        var client = new HttpClient { BaseAddress = new Uri(BaseUrl + "/v1.0/") };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "sandbox:" + mailbox);
        return client;
    }
}
