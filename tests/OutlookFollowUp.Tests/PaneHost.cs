using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace OutlookFollowUp.Tests;

/// <summary>
/// One Chromium (Debian's, never Playwright's download) for every browser test, launched the way STACK.md says it
/// runs offline. Screenshots go to artifacts/screenshots.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    private IPlaywright? _playwright;
    public IBrowser Browser { get; private set; } = null!;
    public static string Screenshots { get; } = Path.Combine(Report.FindRoot(), "artifacts", "screenshots");

    public async Task InitializeAsync()
    {
        var chromium = Environment.GetEnvironmentVariable("OFU_CHROMIUM") ?? "/usr/bin/chromium";
        if (!File.Exists(chromium))
            throw new FileNotFoundException($"Chromium is expected at {chromium}: tests/run.sh installs Debian's chromium package");
        // Expectations wait for the pane, they do not time it: Playwright's 5 s default failed a pane that was on its way
        // while the suite's heaviest tests shared the 2 cores (CI). The benchmarks measure the pane's speed.
        Assertions.SetDefaultExpectTimeout(30_000);
        _playwright = await Playwright.CreateAsync();
        Browser = await LaunchAsync(_playwright, chromium);
        Directory.CreateDirectory(Screenshots);
    }

    /// <summary>Debian's Chromium, headless, with what keeps it from reaching hosts it cannot reach (../shared/STACK.md).</summary>
    public static Task<IBrowser> LaunchAsync(IPlaywright playwright, string chromium = "/usr/bin/chromium") =>
        playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
    }
}

[CollectionDefinition("browser")]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>;

/// <summary>What the fake Office host gives the pane: the item it is open on, and how sign-in goes.</summary>
public sealed record FakeOffice
{
    public string? Host { get; init; } = "Outlook";
    public object? Item { get; init; }
    public string? Token { get; init; }
    public int? SsoError { get; init; }
    public string? DialogToken { get; init; }
    /// <summary>Nested app authentication: null where the host does not offer it (Outlook.com, older Office).</summary>
    public FakeBroker? Naa { get; init; }
}

/// <summary>
/// How the host's broker answers MSAL.js (window.nestedAppAuthBridge, as Office provides it): <c>token</c>, or a
/// bridge status such as <c>USER_INTERACTION_REQUIRED</c>, <c>USER_CANCEL</c>, <c>NESTED_APP_AUTH_UNAVAILABLE</c>.
/// </summary>
public sealed record FakeBroker(string Silent = "token", string Popup = "token");

/// <summary>
/// The service on Kestrel (so a browser can reach it), over a sandbox mailbox on the test's clock; the pane loads from
/// it at /pane. Office.js is replaced by a fake host that answers as Outlook does for the item under test.
/// </summary>
public sealed class PaneHost : IAsyncDisposable
{
    public const string OfficeJs = "https://appsforoffice.microsoft.com/lib/1/hosted/office.js";
    private readonly ServiceFactory _service;

    private PaneHost(SandboxServer graph, ServiceFactory service, string baseUrl)
    {
        Graph = graph;
        _service = service;
        BaseUrl = baseUrl;
    }

    public SandboxServer Graph { get; }
    public string BaseUrl { get; }
    public IServiceProvider Services => _service.Services;

    public static async Task<PaneHost> StartAsync(ManualClock clock)
    {
        var graph = await SandboxServer.StartAsync(clock);
        var service = new ServiceFactory(graph.BaseUrl + "/v1.0").WithClock(clock);
        service.UseKestrel(0);
        service.StartServer();
        var address = service.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new PaneHost(graph, service, address.Replace("[::]", "127.0.0.1").Replace("localhost", "127.0.0.1"));
    }

    /// <summary>A page of the pane at the given width, with the fake Office host; console errors are collected.</summary>
    /// <param name="timezoneId">The browser's own zone (the machine's by default): the pane must show the mailbox's, whatever it is.</param>
    public async Task<(IPage Page, List<string> Errors)> OpenAsync(IBrowser browser, FakeOffice office, int width = 360, Func<IPage, Task>? before = null,
        string? timezoneId = null)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = 900 }, Locale = "en-US", TimezoneId = timezoneId,
        });
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, m) => { if (m.Type == "error") errors.Add(m.Text); };
        page.PageError += (_, e) => errors.Add(e);
        await page.RouteAsync(OfficeJs, route => route.FulfillAsync(new RouteFulfillOptions { ContentType = "text/javascript", Body = Script(office) }));
        if (before is not null) await before(page);
        await page.GotoAsync(BaseUrl + "/pane/taskpane.html");
        return (page, errors);
    }

    /// <summary>The fake host: Office.onReady, the mailbox item, id conversion, SSO and the dialog API, as Outlook answers.</summary>
    public static string Script(FakeOffice office) => $$"""
        (function () {
          const cfg = {{JsonSerializer.Serialize(office, new JsonSerializerOptions(JsonSerializerDefaults.Web))}};
          const calls = window.__officeCalls = [];
          const item = cfg.item || undefined;
          window.Office = {
            onReady: (callback) => {
              const info = { host: cfg.host, platform: cfg.host ? 'OfficeOnline' : null };
              if (callback) callback(info);
              return Promise.resolve(info);
            },
            MailboxEnums: { RestVersion: { v2_0: 'v2.0' } },
            EventType: { DialogMessageReceived: 'dialogMessageReceived', DialogEventReceived: 'dialogEventReceived' },
            context: {
              requirements: { isSetSupported: (name) => name === 'NestedAppAuth' ? Boolean(cfg.naa) : true },
              mailbox: cfg.host ? {
                item,
                convertToRestId: (id) => id,
                convertToEwsId: (id) => id,
                displayMessageForm: (id) => calls.push(['displayMessageForm', id]),
              } : undefined,
              ui: {
                messageParent: (message) => calls.push(['messageParent', message]),
                displayDialogAsync: (url, options, callback) => {
                  calls.push(['displayDialogAsync', url]);
                  const handlers = {};
                  const dialog = { addEventHandler: (type, handler) => { handlers[type] = handler; }, close: () => calls.push(['close']) };
                  callback({ status: 'succeeded', value: dialog });
                  setTimeout(() => handlers.dialogMessageReceived({ message: JSON.stringify({ token: cfg.dialogToken, expiresIn: 3600 }) }), 50);
                },
              },
            },
            auth: {
              getAccessToken: (options) => {
                calls.push(['getAccessToken', options || {}]);
                return cfg.ssoError ? Promise.reject({ code: cfg.ssoError, message: 'SSO error ' + cfg.ssoError }) : Promise.resolve(cfg.token);
              },
            },
          };
          if (!cfg.naa) return;
          // The broker: each request MSAL posts is answered on the listener it registered, as the Office host does.
          const b64 = (o) => btoa(JSON.stringify(o)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
          const account = { homeAccountId: 'oid-1.tenant-1', environment: 'login.microsoftonline.com', tenantId: 'tenant-1', username: 'jordan.lee@outlook.com', localAccountId: 'oid-1' };
          const idToken = b64({ alg: 'none', typ: 'JWT' }) + '.' + b64({ oid: 'oid-1', tid: 'tenant-1', preferred_username: account.username, name: 'Jordan Lee',
            iss: 'https://login.microsoftonline.com/tenant-1/v2.0', aud: 'client', iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 3600 }) + '.';
          const listeners = [];
          window.nestedAppAuthBridge = {
            addEventListener: (type, listener) => listeners.push(listener),
            removeEventListener: (type, listener) => listeners.splice(listeners.indexOf(listener), 1),
            postMessage: (text) => {
              const request = JSON.parse(text);
              calls.push(['naa', request.method, request.tokenParams || {}]);
              const answer = (body) => setTimeout(() => listeners.forEach((l) => l(JSON.stringify({ messageType: 'NestedAppAuthResponse', requestId: request.requestId, ...body }))), 10);
              if (request.method === 'GetInitContext') {
                answer({ success: true, initContext: { sdkName: 'fake-office', sdkVersion: '1.0', accountContext: { homeAccountId: account.homeAccountId, environment: account.environment, tenantId: account.tenantId }, capabilities: {} } });
                return;
              }
              const outcome = request.method === 'GetToken' ? cfg.naa.silent : cfg.naa.popup;
              if (outcome === 'token') {
                answer({ success: true, account, token: { access_token: cfg.token, id_token: idToken, expires_in: 3600, scope: request.tokenParams.scope, authority: 'https://login.microsoftonline.com/tenant-1' } });
              } else {
                answer({ success: false, error: { status: outcome, code: 'fake_' + outcome.toLowerCase(), description: 'the fake host answers ' + outcome } });
              }
            },
          };
        })();
        """;

    public async ValueTask DisposeAsync()
    {
        await _service.DisposeAsync();
        await Graph.DisposeAsync();
    }
}
