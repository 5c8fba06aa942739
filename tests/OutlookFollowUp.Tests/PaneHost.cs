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
}

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
        })();
        """;

    public async ValueTask DisposeAsync()
    {
        await _service.DisposeAsync();
        await Graph.DisposeAsync();
    }
}
