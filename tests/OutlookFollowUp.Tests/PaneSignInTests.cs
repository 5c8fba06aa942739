using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;
using static OutlookFollowUp.Tests.PaneBrowserTests;

namespace OutlookFollowUp.Tests;

/// <summary>
/// How the pane signs in, in a real browser: nested app authentication (MSAL.js, brokered by the host) where Office
/// offers it, then Office SSO, then the sign-in dialog, the order Microsoft documents. The fake Office host answers
/// MSAL's broker requests on <c>window.nestedAppAuthBridge</c> as Office does.
/// </summary>
[Collection("browser")]
public sealed class PaneSignInTests(BrowserFixture browser)
{
    private const string ClientId = "3f2a9c1e-8b7d-4e6f-a5c4-1d2e3f4a5b6c";
    private const string Scope = "api://followup.contoso.com/" + ClientId + "/access_as_user";

    /// <summary>What the browser asked for beyond the pane's own API: MSAL's file, and anything sent to Entra ID.</summary>
    private sealed class Traffic
    {
        public List<string> Vendor { get; } = [];
        public List<string> Entra { get; } = [];
        public List<string> ApiAuthorization { get; } = [];
    }

    private static async Task<(IPage Page, List<string> Errors, Traffic Traffic)> OpenAsync(BrowserFixture browser, PaneHost host, FakeOffice office,
        string authority = "https://login.microsoftonline.com/common", Func<IPage, Task>? before = null)
    {
        var traffic = new Traffic();
        var config = new JsonObject { ["signIn"] = "office", ["clientId"] = ClientId, ["authority"] = authority, ["scope"] = Scope };
        var (page, errors) = await host.OpenAsync(browser.Browser, office, before: async p =>
        {
            await p.RouteAsync("**/pane/config.json", r => r.FulfillAsync(new() { ContentType = "application/json", Body = config.ToJsonString() }));
            // In NAA the host reaches Entra ID, never the pane: a request from the page to it is recorded and refused.
            await p.RouteAsync("https://login.microsoftonline.com/**", r => { traffic.Entra.Add(r.Request.Url); return r.AbortAsync(); });
            p.Request += (_, r) =>
            {
                if (r.Url.Contains("/pane/vendor/", StringComparison.Ordinal)) traffic.Vendor.Add(r.Url);
                if (r.Url.Contains("/api/", StringComparison.Ordinal) && r.Headers.TryGetValue("authorization", out var auth)) traffic.ApiAuthorization.Add(auth);
            };
            if (before is not null) await before(p);
        });
        return (page, errors, traffic);
    }

    private static async Task<List<(string Kind, string? Method, JsonObject? Params)>> CallsAsync(IPage page)
    {
        var json = await page.EvaluateAsync<string>("() => JSON.stringify(window.__officeCalls)");
        return JsonNode.Parse(json)!.AsArray().Select(c => c!.AsArray()).Select(c =>
            ((string)c[0]!, c.Count > 1 && c[1] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null, c.Count > 2 ? c[2] as JsonObject : c.Count > 1 ? c[1] as JsonObject : null)).ToList();
    }

    [Fact]
    public async Task WhereOfficeBrokersSignInThePaneGetsItsTokenThroughNestedAppAuthentication()
    {
        var (host, eventId, _) = await InterviewEndedAsync();
        await using var _ = host;
        // SSO would fail here: the plan on screen shows the token came through the broker.
        var token = Token;
        var office = OnEvent(eventId) with { Naa = new FakeBroker(), SsoError = 13000, Token = token };
        var (page, errors, traffic) = await OpenAsync(browser, host, office);

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Thank-you notes" })).ToBeVisibleAsync();
        var calls = await CallsAsync(page);
        var silent = Assert.Single(calls, c => c is { Kind: "naa", Method: "GetToken" });
        Assert.Equal(Scope, (string?)silent.Params!["scope"]);
        Assert.Equal(ClientId, (string?)silent.Params!["clientId"]);
        Assert.DoesNotContain(calls, c => c.Kind is "getAccessToken" or "displayDialogAsync");
        Assert.DoesNotContain(calls, c => c is { Kind: "naa", Method: "GetTokenPopup" });
        // MSAL.js from the service itself, and the access token (never the ID token) on every API call.
        Assert.Equal([host.BaseUrl + "/pane/vendor/msal-browser.min.js"], traffic.Vendor.Distinct());
        Assert.NotEmpty(traffic.ApiAuthorization);
        Assert.All(traffic.ApiAuthorization, a => Assert.Equal("Bearer " + token, a));
        Assert.Empty(traffic.Entra);
        Assert.Empty(errors);
    }

    [Fact]
    public async Task WhenTheBrokerNeedsTheUserThePaneAsksThroughTheHostsPopup()
    {
        var (host, eventId, _) = await InterviewEndedAsync();
        await using var _ = host;
        var office = OnEvent(eventId) with { Naa = new FakeBroker(Silent: "USER_INTERACTION_REQUIRED"), SsoError = 13000 };
        var (page, errors, _) = await OpenAsync(browser, host, office);

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Thank-you notes" })).ToBeVisibleAsync();
        var naa = (await CallsAsync(page)).Where(c => c.Kind == "naa").Select(c => c.Method).ToList();
        Assert.Equal(["GetInitContext", "GetToken", "GetTokenPopup"], naa.Take(3));
        Assert.Empty(errors);
    }

    [Fact]
    public async Task WhereTheHostOffersNoBrokerMsalIsNeverLoadedAndOfficeSsoSignsIn()
    {
        var (host, eventId, _) = await InterviewEndedAsync();
        await using var _ = host;
        var (page, errors, traffic) = await OpenAsync(browser, host, OnEvent(eventId));

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Thank-you notes" })).ToBeVisibleAsync();
        var calls = await CallsAsync(page);
        Assert.Contains(calls, c => c.Kind == "getAccessToken");
        Assert.DoesNotContain(calls, c => c.Kind == "naa");
        Assert.Empty(traffic.Vendor);
        Assert.Empty(errors);
    }

    [Fact]
    public async Task WhenTheBrokerIsUnavailableItFallsBackToSsoAndThenToTheDialog()
    {
        var (host, eventId, _) = await InterviewEndedAsync();
        await using var _ = host;
        const string unavailable = "NESTED_APP_AUTH_UNAVAILABLE";
        var token = Token;
        var office = OnEvent(eventId) with { Naa = new FakeBroker(unavailable, unavailable), SsoError = 13003, Token = null, DialogToken = token };
        var (page, errors, traffic) = await OpenAsync(browser, host, office);

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Thank-you notes" })).ToBeVisibleAsync();
        var calls = await CallsAsync(page);
        int First(string kind) => calls.FindIndex(c => c.Kind == kind);
        Assert.True(First("naa") >= 0 && First("naa") < First("getAccessToken") && First("getAccessToken") < First("displayDialogAsync"),
            string.Join(", ", calls.Select(c => c.Kind + (c.Method is null ? "" : ":" + c.Method))));
        Assert.Equal(host.BaseUrl + "/pane/signin.html", calls.First(c => c.Kind == "displayDialogAsync").Method);
        Assert.All(traffic.ApiAuthorization, a => Assert.Equal("Bearer " + token, a));
        // MSAL reports the broker's refusal on the console (console.log, not an error); the pane shows none.
        Assert.Empty(errors);
    }

    [Fact]
    public async Task ACancelledSignInThroughTheBrokerSaysSoAndTriesNoOtherWay()
    {
        var (host, eventId, _) = await InterviewEndedAsync();
        await using var _ = host;
        var office = OnEvent(eventId) with { Naa = new FakeBroker(Silent: "USER_INTERACTION_REQUIRED", Popup: "USER_CANCEL") };
        var (page, _, _) = await OpenAsync(browser, host, office);

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Not signed in" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Sign-in was cancelled");
        await AssertAccessibleAsync(page, "sign-in cancelled");
        var calls = await CallsAsync(page);
        Assert.DoesNotContain(calls, c => c.Kind is "getAccessToken" or "displayDialogAsync");
    }

    [Fact]
    public async Task AConsentChallengeGoesBackThroughTheBrokersPopupWithTheClaims()
    {
        var (host, eventId, _) = await InterviewEndedAsync();
        await using var _ = host;
        const string claims = "{\"access_token\":{\"acrs\":{\"essential\":true,\"value\":\"c1\"}}}";
        var problem = new JsonObject
        {
            ["type"] = "https://outlookfollowup.app/problems/sign-in-required", ["title"] = "Sign-in required", ["status"] = 403,
            ["detail"] = "Your organization asks you to sign in again with multi-factor authentication.", ["claims"] = claims,
        }.ToJsonString();
        var office = OnEvent(eventId) with { Naa = new FakeBroker(), SsoError = 13000 };
        var (page, _, _) = await OpenAsync(browser, host, office, before: p => p.RouteAsync("**/api/events/**", r =>
            r.FulfillAsync(new() { Status = 403, ContentType = "application/problem+json", Body = problem }), new() { Times = 1 }));

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Permission needed" })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Thank-you notes" })).ToBeVisibleAsync();
        var popup = Assert.Single(await CallsAsync(page), c => c is { Kind: "naa", Method: "GetTokenPopup" });
        // MSAL adds its own ID-token claims beside the challenge; the challenge reaches the host as the API gave it.
        var sent = JsonNode.Parse((string)popup.Params!["claims"]!)!;
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(claims)!["access_token"], sent["access_token"]), sent.ToJsonString());
    }

    [Fact]
    public async Task InAnOutlookComMailboxAPersonalAccountSignsInThroughTheDialog()
    {
        var (host, eventId, _) = await InterviewEndedAsync();
        await using var _ = host;
        // Outlook.com offers no nested app authentication; the pane then takes the way that works there, the dialog
        // against the "common" authority that personal Microsoft accounts sign in through.
        var office = OnEvent(eventId) with { Naa = null, SsoError = 13012, Token = null, DialogToken = Token };
        var (page, errors, traffic) = await OpenAsync(browser, host, office, authority: "https://login.microsoftonline.com/common");

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Thank-you notes" })).ToBeVisibleAsync();
        var calls = await CallsAsync(page);
        Assert.DoesNotContain(calls, c => c.Kind == "naa");
        Assert.Contains(calls, c => c.Kind == "displayDialogAsync");
        Assert.Empty(traffic.Vendor);
        Assert.Empty(errors);
    }

    [Fact]
    public void ThePanesCopyOfMsalIsTheNpmPackagesFileUnchanged()
    {
        var root = Report.FindRoot();
        var package = Path.Combine(root, "tests", "browser", "node_modules", "@azure", "msal-browser");
        if (!Directory.Exists(package))
            throw new DirectoryNotFoundException($"{package} is missing: tests/run.sh installs tests/browser's npm packages");
        var pinned = (string)JsonNode.Parse(File.ReadAllText(Path.Combine(root, "tests", "browser", "package.json")))!["devDependencies"]!["@azure/msal-browser"]!;
        Assert.Equal(pinned, (string)JsonNode.Parse(File.ReadAllText(Path.Combine(package, "package.json")))!["version"]!);
        Assert.StartsWith("5.", pinned);
        var served = File.ReadAllBytes(Path.Combine(root, "addin", "vendor", "msal-browser.min.js"));
        Assert.True(served.AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(package, "lib", "msal-browser.min.js"))),
            "addin/vendor/msal-browser.min.js differs from the npm package's lib/msal-browser.min.js");
    }
}
