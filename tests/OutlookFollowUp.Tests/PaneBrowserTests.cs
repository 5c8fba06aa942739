using Microsoft.EntityFrameworkCore;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Deque.AxeCore.Playwright;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using OutlookFollowUp.Api.Sweep;
using static Microsoft.Playwright.Assertions;
using static OutlookFollowUp.Tests.ServiceEndToEndTests;

namespace OutlookFollowUp.Tests;

/// <summary>
/// The task pane in a real browser (Debian's Chromium), against the real service and the sandbox mailbox, with a fake
/// Office host in place of Outlook: what a job seeker sees and does, by mouse and by keyboard.
/// </summary>
[Collection("browser")]
public sealed class PaneBrowserTests(BrowserFixture browser)
{
    private const string Jordan = "jordan.lee@outlook.com";
    private static JsonObject Maya => ServiceEndToEndTests.Person("Maya Patel", "maya.patel@contoso.com");

    internal static async Task<(PaneHost Host, string EventId, ManualClock Clock)> InterviewEndedAsync(string subject = "Interview: Data Engineer at Contoso",
        string interviewerName = "Sam Ortiz")
    {
        var clock = new ManualClock(DateTimeOffset.Parse("2026-11-17T20:00:00Z")); // an hour after the interview, in Los Angeles
        var host = await PaneHost.StartAsync(clock);
        host.Graph.Sandbox.AddMailbox(Jordan, "Jordan Lee", "Pacific Standard Time");
        var invite = host.Graph.Sandbox.DeliverEvent(Jordan, ServiceEndToEndTests.Interview(subject, "2026-11-17T09:00:00", "2026-11-17T11:00:00", "Pacific Standard Time",
            Maya, ServiceEndToEndTests.Person("Jordan Lee", Jordan), ServiceEndToEndTests.Person(interviewerName, "sam.ortiz@contoso.com"),
            ServiceEndToEndTests.Person("Ana Silva", "ana.silva@contoso.com")))!;
        return (host, (string)invite["id"]!, clock);
    }

    internal static string Token => TestTokens.For("tenant-1", "oid-" + Jordan, Jordan);

    private static async Task AsJordanAsync(PaneHost host, string path)
    {
        using var http = new HttpClient { BaseAddress = new Uri(host.BaseUrl) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        (await http.GetAsync(path)).EnsureSuccessStatusCode();
    }

    internal static FakeOffice OnEvent(string eventId) => new() { Item = new { itemType = "appointment", itemId = eventId }, Token = Token };

    private static List<JsonObject> Items(PaneHost host, bool events)
    {
        var box = host.Graph.Sandbox.Find(Jordan)!;
        lock (box.Gate) return (events ? box.Events.Values : box.Messages.Values).Select(m => (JsonObject)m.DeepClone()).ToList();
    }

    internal static async Task AssertAccessibleAsync(IPage page, string state)
    {
        var result = await page.RunAxe();
        var serious = result.Violations.Where(v => v.Impact is "serious" or "critical").Select(v => $"{v.Id} ({v.Impact}): {v.Help} at {string.Join(", ", v.Nodes.Select(n => n.Html))}").ToList();
        Assert.True(serious.Count == 0, $"axe found in the {state} state:\n{string.Join("\n", serious)}");
    }

    [Fact]
    public async Task OnAnEndedInterviewItShowsEveryInterviewerAndDraftsTheirThankYous()
    {
        var (host, eventId, _) = await InterviewEndedAsync();
        await using var _ = host;
        var (page, errors) = await host.OpenAsync(browser.Browser, OnEvent(eventId));

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Thank-you notes" })).ToBeVisibleAsync();
        foreach (var name in new[] { "Maya Patel", "Sam Ortiz", "Ana Silva" })
            await Expect(page.Locator("li[data-step^='ofu1-ty-']").Filter(new() { HasText = name })).ToContainTextAsync("Ready to draft");
        await AssertAccessibleAsync(page, "plan");

        await page.GetByRole(AriaRole.Button, new() { Name = "Draft them now" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status).First).ToContainTextAsync("drafts are in your Drafts folder");
        var drafts = Items(host, events: false).Where(m => Key(m)?.StartsWith("ofu1-ty-") == true).ToList();
        Assert.Equal(["ana.silva@contoso.com", "maya.patel@contoso.com", "sam.ortiz@contoso.com"],
            drafts.Select(d => (string)d["toRecipients"]![0]!["emailAddress"]!["address"]!).Order().ToList());

        // Each interviewer's line now opens its draft in Outlook.
        await page.GetByRole(AriaRole.Button, new() { Name = "Open the draft to Sam Ortiz" }).ClickAsync();
        var opened = await page.EvaluateAsync<string>("() => window.__officeCalls.filter(c => c[0] === 'displayMessageForm').map(c => c[1])[0]");
        Assert.Equal((string)drafts.Single(d => (string?)d["toRecipients"]![0]!["emailAddress"]!["address"] == "sam.ortiz@contoso.com")["id"]!, opened);
        await AssertAccessibleAsync(page, "plan after drafting");
        foreach (var width in new[] { 320, 450 })
        {
            await page.SetViewportSizeAsync(width, 900);
            await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.Screenshots, $"pane-plan-{width}.png"), FullPage = true });
        }
        Assert.Empty(errors);
    }

    [Fact]
    public async Task AnAcceptedReminderIsInTheCalendar()
    {
        var (host, eventId, _) = await InterviewEndedAsync();
        await using var _ = host;
        var (page, errors) = await host.OpenAsync(browser.Browser, OnEvent(eventId));

        var accept = page.GetByRole(AriaRole.Button, new() { Name = "Accept: Connect with Sam Ortiz on LinkedIn" });
        await accept.ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status).First).ToHaveTextAsync("Added to your calendar.");
        var reminder = Assert.Single(Items(host, events: true), e => Key(e)?.StartsWith("ofu1-li-") == true);
        Assert.Equal("Connect with Sam Ortiz on LinkedIn", (string?)reminder["subject"]);
        await Expect(page.Locator("li", new() { HasText = "Connect with Sam Ortiz on LinkedIn" })).ToContainTextAsync("In your calendar");
        Assert.Empty(errors);
    }

    [Fact]
    public async Task SettingADecisionDateMovesTheFollowUp()
    {
        var (host, eventId, _) = await InterviewEndedAsync();
        await using var _ = host;
        var (page, errors) = await host.OpenAsync(browser.Browser, OnEvent(eventId));
        var followUp = page.Locator("li[data-step^='ofu1-fu-']").First;
        var before = await followUp.InnerTextAsync();

        await page.GetByLabel("Decision expected by").FillAsync("2026-12-04");
        await page.GetByLabel("Why you fit, in one sentence").FillAsync("I have run data platforms like yours for five years.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();

        await Expect(page.GetByText("They expect to decide by Friday, December 4.")).ToBeVisibleAsync();
        var after = await page.Locator("li[data-step^='ofu1-fu-']").First.InnerTextAsync();
        Assert.NotEqual(before, after);
        Assert.Contains("2026-12-04", after); // the reason names the date they gave
        Assert.Contains("Mon, Dec 7", after); // the first business day after it
        Assert.Empty(errors);
    }

    [Fact]
    public async Task OnARejectionItShowsTheGraciousReplyDraft()
    {
        var (host, _, clock) = await InterviewEndedAsync();
        await using var _ = host;
        await AsJordanAsync(host, "/api/me"); // signs up, as the pane's first request does
        host.Graph.Sandbox.Deliver(Jordan, new JsonObject
        {
            ["subject"] = "Your application for Data Engineer",
            ["from"] = Maya.DeepClone(),
            ["toRecipients"] = new JsonArray(ServiceEndToEndTests.Person("Jordan Lee", Jordan)),
            ["body"] = new JsonObject { ["contentType"] = "text", ["content"] = "Hi Jordan, thank you for your time. Unfortunately, we have decided to move forward with other candidates." },
        });
        clock.Advance(TimeSpan.FromDays(2));
        await host.Services.GetRequiredService<Sweeper>().RunOnceAsync(clock.GetUtcNow());

        var office = new FakeOffice { Item = new { itemType = "message", from = new { emailAddress = "maya.patel@contoso.com", displayName = "Maya Patel" } }, Token = Token };
        var (page, errors) = await host.OpenAsync(browser.Browser, office);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToBeVisibleAsync();
        await Expect(page.Locator("header")).ToContainTextAsync("Not selected");
        var reply = page.Locator("li[data-step^='ofu1-rr-']");
        await Expect(reply).ToContainTextAsync("Reply to their decision to Maya Patel");
        await Expect(reply).ToContainTextAsync("Draft ready");
        Assert.Equal(0, await page.Locator("form[aria-labelledby='facts-title']").CountAsync()); // no facts form on a closed process
        await reply.GetByRole(AriaRole.Button).ClickAsync();
        var opened = await page.EvaluateAsync<string>("() => window.__officeCalls.filter(c => c[0] === 'displayMessageForm').map(c => c[1])[0]");
        Assert.Equal((string)Items(host, events: false).Single(m => Key(m)?.StartsWith("ofu1-rr-") == true)["id"]!, opened);
        await AssertAccessibleAsync(page, "rejection");
        Assert.Empty(errors);
    }

    [Fact]
    public async Task EveryTimeShownIsTheMailboxsWallClockWithItsZoneNamed()
    {
        var (host, eventId, _) = await InterviewEndedAsync();
        await using var _ = host;
        // The browser is in Tokyo; the mailbox in Los Angeles: the pane shows Los Angeles' clock and says so.
        var (page, errors) = await host.OpenAsync(browser.Browser, OnEvent(eventId), timezoneId: "Asia/Tokyo");
        await Expect(page.Locator("#zone")).ToHaveTextAsync("Times are in Pacific Standard Time, your mailbox's time zone.");
        var times = await page.Locator("[data-time]").AllInnerTextsAsync();
        Assert.NotEmpty(times);
        Assert.All(times, t => Assert.EndsWith("(Pacific Standard Time)", t));
        // The thank-yous are due the morning after the interview (9-11 in Los Angeles), not at Tokyo's hour.
        await Expect(page.Locator("li[data-step^='ofu1-ty-']").First).ToContainTextAsync("Wed, Nov 18, 11:00 AM (Pacific Standard Time)");
        Assert.Empty(errors);
    }

    [Fact]
    public async Task RightAfterTheInterviewItAsksWhenTheyWillDecideAndOneTapAnswers()
    {
        var (host, eventId, _) = await InterviewEndedAsync();
        await using var _ = host;
        var (page, errors) = await host.OpenAsync(browser.Browser, OnEvent(eventId));
        var ask = page.GetByRole(AriaRole.Heading, new() { Name = "When did they say they would decide?" });
        await Expect(ask).ToBeVisibleAsync();
        await AssertAccessibleAsync(page, "asking the decision date");
        await page.GetByRole(AriaRole.Group, new() { Name = "When they said they would decide" }).GetByRole(AriaRole.Button, new() { Name = "In two weeks" }).ClickAsync();
        await Expect(page.GetByText("They expect to decide by")).ToBeVisibleAsync();
        await Expect(ask).ToHaveCountAsync(0);
        Assert.Empty(errors);
    }

    [Fact]
    public async Task BeforeTheInterviewItSaysWhatToDoInTheRoom()
    {
        var clock = new ManualClock(DateTimeOffset.Parse("2026-11-16T20:00:00Z")); // the day before, in Los Angeles
        await using var host = await PaneHost.StartAsync(clock);
        host.Graph.Sandbox.AddMailbox(Jordan, "Jordan Lee", "Pacific Standard Time");
        var invite = host.Graph.Sandbox.DeliverEvent(Jordan, ServiceEndToEndTests.Interview("Interview: Data Engineer at Contoso", "2026-11-17T10:00:00",
            "2026-11-17T11:00:00", "Pacific Standard Time", Maya, ServiceEndToEndTests.Person("Jordan Lee", Jordan),
            ServiceEndToEndTests.Person("Sam Ortiz", "sam.ortiz@contoso.com")))!;
        var (page, errors) = await host.OpenAsync(browser.Browser, OnEvent((string)invite["id"]!));
        var room = page.Locator("section[aria-labelledby='room-title']");
        await Expect(room).ToContainTextAsync("Ask what the next steps are and when they expect to decide");
        await Expect(room).ToContainTextAsync("Sam Ortiz");
        // The reminder shortly before it starts, 9:30 in Los Angeles for a 10:00 interview.
        await Expect(page.Locator("li[data-step^='ofu1-pre-']")).ToContainTextAsync("Tue, Nov 17, 9:30 AM (Pacific Standard Time)");
        await AssertAccessibleAsync(page, "before the interview");
        Assert.Empty(errors);
    }

    [Fact]
    public async Task AClosedProcessShowsWhatIsLeftToDoAndNoFactsForm()
    {
        var (host, page, errors) = await OpenedOnMayasMessageAsync("Your application for Data Engineer",
            "Hi Jordan, thank you for your time. Unfortunately, we have decided to move forward with other candidates.");
        await using var _ = host;
        await Expect(page.Locator("header")).ToContainTextAsync("Not selected");
        var left = page.Locator("section[aria-labelledby='left-title']");
        await Expect(left).ToContainTextAsync("Reply to their decision");
        await Expect(left).ToContainTextAsync("Stay in touch");
        await Expect(left).Not.ToContainTextAsync("Follow-up");
        Assert.Equal(0, await page.Locator("form[aria-labelledby='facts-title']").CountAsync());
        Assert.Empty(errors);
    }

    /// <summary>Maya's message two days after the interview, swept, and the pane opened on it.</summary>
    private async Task<(PaneHost Host, IPage Page, List<string> Errors)> OpenedOnMayasMessageAsync(string subject, string body)
    {
        var (host, _, clock) = await InterviewEndedAsync();
        await AsJordanAsync(host, "/api/me");
        host.Graph.Sandbox.Deliver(Jordan, new JsonObject
        {
            ["subject"] = subject,
            ["from"] = Maya.DeepClone(),
            ["toRecipients"] = new JsonArray(ServiceEndToEndTests.Person("Jordan Lee", Jordan)),
            ["body"] = new JsonObject { ["contentType"] = "text", ["content"] = body },
        });
        clock.Advance(TimeSpan.FromDays(2));
        await host.Services.GetRequiredService<Sweeper>().RunOnceAsync(clock.GetUtcNow());
        var office = new FakeOffice { Item = new { itemType = "message", from = new { emailAddress = "maya.patel@contoso.com", displayName = "Maya Patel" } }, Token = Token };
        var (page, errors) = await host.OpenAsync(browser.Browser, office);
        return (host, page, errors);
    }

    [Fact]
    public async Task AMaybeRejectionAsksInThePaneAndTheTapDraftsTheGraciousReply()
    {
        // Worded so that the embedded reader leans to a rejection without being sure of it.
        var (host, page, errors) = await OpenedOnMayasMessageAsync("Following up",
            "Hi Jordan, thanks for coming in. We decided to keep looking for someone with more platform experience.");
        await using var _ = host;
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Did Contoso turn you down?" })).ToBeVisibleAsync();
        await Expect(page.Locator("header")).ToContainTextAsync("Paused");
        Assert.Equal(0, await page.Locator("li[data-step^='ofu1-rr-']").CountAsync());
        await AssertAccessibleAsync(page, "maybe-rejection");

        await page.Locator("[data-key='answer-yes']").ClickAsync();
        await Expect(page.Locator("header")).ToContainTextAsync("Not selected");
        await Expect(page.Locator("li[data-step^='ofu1-rr-']")).ToContainTextAsync("Draft ready");
        await Expect(page.Locator("p.saved[role='status']").First).ToContainTextAsync("Drafts folder");
        Assert.Single(Items(host, events: false), m => Key(m)?.StartsWith("ofu1-rr-") == true);
        Assert.Equal(0, await page.GetByRole(AriaRole.Heading, new() { Name = "Did Contoso turn you down?" }).CountAsync());
        Assert.Empty(errors);
    }

    [Fact]
    public async Task ACorrectionOfAWrongReadingReplansAtOnce()
    {
        var (host, page, errors) = await OpenedOnMayasMessageAsync("Your application for Data Engineer",
            "Hi Jordan, thank you for your time. Unfortunately, we have decided to move forward with other candidates.");
        await using var _ = host;
        await Expect(page.Locator("header")).ToContainTextAsync("Not selected");
        var reading = page.GetByRole(AriaRole.Combobox, new() { NameRegex = new System.Text.RegularExpressions.Regex("^What the message of .* from maya.patel@contoso.com is$") });
        await Expect(reading).ToHaveValueAsync("rejection");

        // The user knows better: it was a status update. The plan follows at once: no gracious reply, follow-ups again.
        await reading.SelectOptionAsync("in-process");
        await Expect(page.Locator("header")).Not.ToContainTextAsync("Not selected");
        await Expect(page.Locator("p.saved[role='status']").First).ToContainTextAsync("follows what you said");
        await Expect(page.Locator("p.saved[role='status']").First).ToContainTextAsync("withdrawn"); // the sweep's gracious reply
        await Expect(page.Locator("li[data-reply]")).ToContainTextAsync("Still in process (as you said)");
        Assert.Equal(0, await page.Locator("li[data-step^='ofu1-rr-']").CountAsync());
        Assert.DoesNotContain(Items(host, events: false), m => Key(m)?.StartsWith("ofu1-rr-") == true);
        Assert.Empty(errors);
    }

    [Fact]
    public async Task HostileSubjectsAndNamesAreShownAsTextAndNothingRuns()
    {
        const string name = "<img src=x onerror=\"window.__pwned=1\">";
        var (host, eventId, _) = await InterviewEndedAsync("Interview <img src=x onerror=\"window.__pwned=2\"> at Contoso", interviewerName: name);
        await using var _ = host;
        var (page, errors) = await host.OpenAsync(browser.Browser, OnEvent(eventId));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Thank-you notes" })).ToBeVisibleAsync();

        await Expect(page.Locator("li[data-step^='ofu1-ty-']").Filter(new() { HasText = name })).ToHaveCountAsync(1);
        Assert.Equal(0, await page.Locator("#app img").CountAsync());
        Assert.True(await page.EvaluateAsync<bool>("() => window.__pwned === undefined"), "a script in the data ran");
        Assert.Empty(errors);
    }

    [Fact]
    public async Task TheMainFlowWorksWithTheKeyboardAlone()
    {
        var (host, eventId, _) = await InterviewEndedAsync();
        await using var _ = host;
        var (page, errors) = await host.OpenAsync(browser.Browser, OnEvent(eventId));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Thank-you notes" })).ToBeVisibleAsync();

        async Task TabToAsync(string label)
        {
            for (var i = 0; i < 60; i++)
            {
                await page.Keyboard.PressAsync("Tab");
                var focused = await page.EvaluateAsync<string>("() => document.activeElement?.getAttribute('aria-label') || document.activeElement?.textContent || ''");
                if (focused.Trim() == label) return;
            }
            Assert.Fail($"Tab never reached '{label}'");
        }

        await TabToAsync("Draft them now");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.GetByRole(AriaRole.Status).First).ToContainTextAsync("drafts are in your Drafts folder");
        await TabToAsync("Accept: Connect with Ana Silva on LinkedIn");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.GetByRole(AriaRole.Status).First).ToHaveTextAsync("Added to your calendar.");
        await TabToAsync("In a week");
        await page.Keyboard.PressAsync("Enter");
        await TabToAsync("Save");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.GetByRole(AriaRole.Status).First).ToContainTextAsync("Saved.");
        Assert.Equal(3, Items(host, events: false).Count(m => Key(m)?.StartsWith("ofu1-ty-") == true));
        Assert.Single(Items(host, events: true), e => Key(e)?.StartsWith("ofu1-li-") == true);
        Assert.Empty(errors);
    }

    [Fact]
    public async Task AnEventThatIsNotAnInterviewOffersToTreatItAsOne()
    {
        var clock = new ManualClock(DateTimeOffset.Parse("2026-11-17T20:00:00Z"));
        await using var host = await PaneHost.StartAsync(clock);
        host.Graph.Sandbox.AddMailbox(Jordan, "Jordan Lee", "Pacific Standard Time");
        var standup = ServiceEndToEndTests.Interview("Weekly team sync", "2026-11-17T09:00:00", "2026-11-17T09:30:00", "Pacific Standard Time",
            ServiceEndToEndTests.Person("Jordan Lee", Jordan), ServiceEndToEndTests.Person("Kim Lee", "kim.lee@outlook.com"));
        standup["body"]!["content"] = "Our weekly sync.";
        var id = (string)host.Graph.Sandbox.DeliverEvent(Jordan, standup)!["id"]!;
        var (page, errors) = await host.OpenAsync(browser.Browser, OnEvent(id));

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "This does not look like an interview" })).ToBeVisibleAsync();
        await AssertAccessibleAsync(page, "not an interview");
        await page.GetByRole(AriaRole.Button, new() { Name = "Treat as an interview" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status).First).ToHaveTextAsync("Saved.");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "What they told you" })).ToBeVisibleAsync();
        Assert.Empty(errors);
    }

    [Fact]
    public async Task AMaybeInterviewAsksAndTheAnswerMakesThePlan()
    {
        var clock = new ManualClock(DateTimeOffset.Parse("2026-11-17T20:00:00Z"));
        await using var host = await PaneHost.StartAsync(clock);
        host.Graph.Sandbox.AddMailbox(Jordan, "Jordan Lee", "Pacific Standard Time");
        var chat = ServiceEndToEndTests.Interview("Chat about the Data Engineer role", "2026-11-17T09:00:00", "2026-11-17T10:00:00", "Pacific Standard Time",
            Maya, ServiceEndToEndTests.Person("Jordan Lee", Jordan));
        chat["body"]!["content"] = "Looking forward to talking.";
        var id = (string)host.Graph.Sandbox.DeliverEvent(Jordan, chat)!["id"]!;
        var (page, errors) = await host.OpenAsync(browser.Browser, OnEvent(id));

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Is this an interview?" })).ToBeVisibleAsync();
        await AssertAccessibleAsync(page, "maybe an interview");
        Assert.Equal(0, await page.Locator("li[data-step^='ofu1-ty-']").CountAsync());
        await page.GetByRole(AriaRole.Button, new() { Name = "Yes, it is an interview" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status).First).ToHaveTextAsync("Saved.");
        await Expect(page.Locator("li[data-step^='ofu1-ty-']").Filter(new() { HasText = "Maya Patel" })).ToContainTextAsync("Ready to draft");
        Assert.Empty(errors);
    }

    [Fact]
    public async Task WordsTheSpellCheckFlagsAreShownWithSuggestions()
    {
        var (host, eventId, _) = await InterviewEndedAsync();
        await using var _ = host;
        var (page, errors) = await host.OpenAsync(browser.Browser, OnEvent(eventId));
        await page.GetByLabel("Why you fit, in one sentence").FillAsync("I have recieved two awards for data platforms like yours.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();

        var spelling = page.Locator("section", new() { Has = page.GetByRole(AriaRole.Heading, new() { Name = "Check the spelling" }) });
        await Expect(spelling).ToContainTextAsync("recieved");
        await Expect(spelling).ToContainTextAsync("received");
        await AssertAccessibleAsync(page, "spelling flagged");
        Assert.Empty(errors);
    }

    [Fact]
    public async Task WhenTheServiceCannotBeReachedItSaysSoAndRetries()
    {
        var (host, eventId, _) = await InterviewEndedAsync();
        await using var _ = host;
        var (page, errors) = await host.OpenAsync(browser.Browser, OnEvent(eventId), before: p => p.RouteAsync("**/api/**", r => r.AbortAsync()));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Cannot reach OutlookFollowUp" })).ToBeVisibleAsync();
        await AssertAccessibleAsync(page, "unreachable");
        await page.UnrouteAsync("**/api/**");
        await page.GetByRole(AriaRole.Button, new() { Name = "Try again" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Thank-you notes" })).ToBeVisibleAsync();
        Assert.All(errors, e => Assert.Contains("net::ERR_FAILED", e)); // the browser's own report of the aborted request
    }

    [Fact]
    public async Task ASaveThatFailsKeepsWhatTheUserTypedAndRetries()
    {
        var (host, eventId, _) = await InterviewEndedAsync();
        await using var _ = host;
        var (page, _) = await host.OpenAsync(browser.Browser, OnEvent(eventId));
        const string fit = "I have run data platforms like yours for five years.";
        await page.GetByLabel("Why you fit, in one sentence").FillAsync(fit);
        await page.RouteAsync("**/facts", r => r.AbortAsync());
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Cannot reach OutlookFollowUp" })).ToBeFocusedAsync();
        await Expect(page.GetByLabel("Why you fit, in one sentence")).ToHaveValueAsync(fit);
        await AssertAccessibleAsync(page, "save failed");
        await page.UnrouteAsync("**/facts");
        await page.GetByRole(AriaRole.Button, new() { Name = "Try again" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status).First).ToContainTextAsync("Saved.");
        await Expect(page.GetByLabel("Why you fit, in one sentence")).ToHaveValueAsync(fit);
    }

    [Fact]
    public async Task AConsentChallengeSendsTheClaimsBackToOfficeSignIn()
    {
        var (host, eventId, _) = await InterviewEndedAsync();
        await using var _ = host;
        const string claims = "{\"access_token\":{\"acrs\":{\"essential\":true,\"value\":\"c1\"}}}";
        var problem = new JsonObject
        {
            ["type"] = "https://outlookfollowup.app/problems/sign-in-required", ["title"] = "Sign-in required", ["status"] = 403,
            ["detail"] = "Your organization asks you to sign in again with multi-factor authentication.", ["claims"] = claims,
        }.ToJsonString();
        var (page, _) = await host.OpenAsync(browser.Browser, OnEvent(eventId), before: p => p.RouteAsync("**/api/events/**", r =>
            r.FulfillAsync(new() { Status = 403, ContentType = "application/problem+json", Body = problem }), new() { Times = 1 }));

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Permission needed" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("multi-factor authentication");
        await AssertAccessibleAsync(page, "consent needed");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Thank-you notes" })).ToBeVisibleAsync();
        var challenge = await page.EvaluateAsync<string>("() => window.__officeCalls.filter(c => c[0] === 'getAccessToken').map(c => c[1].authChallenge).find(Boolean)");
        Assert.Equal(claims, challenge);
    }

    [Fact]
    public async Task NotSignedInToOfficeSaysWhatToDo()
    {
        var (host, eventId, _) = await InterviewEndedAsync();
        await using var _ = host;
        var (page, errors) = await host.OpenAsync(browser.Browser, OnEvent(eventId) with { SsoError = 13001 });
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Not signed in" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Sign in to Office");
        await AssertAccessibleAsync(page, "not signed in");
        Assert.Empty(errors);
    }

    [Fact]
    public async Task WhereSsoIsNotAvailableItSignsInThroughAnOfficeDialog()
    {
        var (host, eventId, _) = await InterviewEndedAsync();
        await using var _ = host;
        var config = new JsonObject { ["signIn"] = "office", ["clientId"] = "3f2a9c1e-8b7d-4e6f-a5c4-1d2e3f4a5b6c", ["authority"] = "https://login.microsoftonline.com/common", ["scope"] = "api://x/access_as_user" };
        var office = OnEvent(eventId) with { SsoError = 13003, Token = null, DialogToken = Token };
        var (page, errors) = await host.OpenAsync(browser.Browser, office, before: p => p.RouteAsync("**/pane/config.json", r =>
            r.FulfillAsync(new() { ContentType = "application/json", Body = config.ToJsonString() })));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Thank-you notes" })).ToBeVisibleAsync();
        var dialog = await page.EvaluateAsync<string>("() => window.__officeCalls.find(c => c[0] === 'displayDialogAsync')[1]");
        Assert.Equal(host.BaseUrl + "/pane/signin.html", dialog);
        Assert.Empty(errors);
    }

    [Fact]
    public async Task TheSignInDialogCompletesTheCodeFlowWithPkceAndHandsTheTokenToThePane()
    {
        var (host, _, _) = await InterviewEndedAsync();
        await using var _ = host;
        const string authority = "https://login.microsoftonline.com/contoso.onmicrosoft.com";
        var config = new JsonObject { ["signIn"] = "office", ["clientId"] = "3f2a9c1e-8b7d-4e6f-a5c4-1d2e3f4a5b6c", ["authority"] = authority, ["scope"] = "api://x/access_as_user" };
        var context = await browser.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.RouteAsync(PaneHost.OfficeJs, r => r.FulfillAsync(new() { ContentType = "text/javascript", Body = PaneHost.Script(new FakeOffice()) }));
        await page.RouteAsync("**/pane/config.json", r => r.FulfillAsync(new() { ContentType = "application/json", Body = config.ToJsonString() }));
        // Entra ID, as far as the dialog sees it: the authorize page sends the browser back with a code; the token
        // endpoint gives a token only for the verifier whose hash came with the authorize request.
        string? challenge = null, redirect = null;
        await page.RouteAsync(authority + "/oauth2/v2.0/authorize*", r =>
        {
            var q = System.Web.HttpUtility.ParseQueryString(new Uri(r.Request.Url).Query);
            Assert.Equal("code", q["response_type"]);
            Assert.Equal("S256", q["code_challenge_method"]);
            Assert.Contains("api://x/access_as_user", q["scope"]);
            (challenge, redirect) = (q["code_challenge"], q["redirect_uri"]);
            return r.FulfillAsync(new() { Status = 302, Headers = new Dictionary<string, string> { ["Location"] = $"{redirect}?code=the-code&state={Uri.EscapeDataString(q["state"]!)}" } });
        });
        await page.RouteAsync(authority + "/oauth2/v2.0/token", r =>
        {
            var form = System.Web.HttpUtility.ParseQueryString(r.Request.PostData ?? "");
            var hash = Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(form["code_verifier"] ?? "")))
                .TrimEnd('=').Replace('+', '-').Replace('/', '_');
            var ok = form["grant_type"] == "authorization_code" && form["code"] == "the-code" && hash == challenge && form["redirect_uri"] == redirect;
            return r.FulfillAsync(new()
            {
                Status = ok ? 200 : 400, ContentType = "application/json", Headers = new Dictionary<string, string> { ["Access-Control-Allow-Origin"] = "*" },
                Body = ok ? "{\"access_token\":\"the-token\",\"expires_in\":3600}" : "{\"error\":\"invalid_grant\"}",
            });
        });

        await page.GotoAsync(host.BaseUrl + "/pane/signin.html");
        await page.WaitForFunctionAsync("() => (window.__officeCalls || []).some(c => c[0] === 'messageParent')");
        var message = JsonNode.Parse(await page.EvaluateAsync<string>("() => window.__officeCalls.find(c => c[0] === 'messageParent')[1]"))!;
        Assert.Equal("the-token", (string?)message["token"]);
        Assert.Equal(host.BaseUrl + "/pane/signin.html", redirect);
    }

    [Fact]
    public async Task TheDashboardLeadsWithWhatIsDueNowAndNamesTheMailboxsZone()
    {
        var (host, _, clock) = await InterviewEndedAsync();
        await using var _ = host;
        // A second employer's interview next week: its first step comes later, so it comes second.
        host.Graph.Sandbox.DeliverEvent(Jordan, ServiceEndToEndTests.Interview("Interview: Platform Engineer", "2026-11-24T10:00:00", "2026-11-24T11:00:00",
            "Pacific Standard Time", ServiceEndToEndTests.Person("Lena Koch", "lena.koch@fabrikam.com"), ServiceEndToEndTests.Person("Jordan Lee", Jordan)));
        await AsJordanAsync(host, "/api/me");
        await host.Services.GetRequiredService<Sweeper>().RunOnceAsync(clock.GetUtcNow());
        var (page, errors) = await host.OpenAsync(browser.Browser, new FakeOffice { Token = Token }, timezoneId: "Europe/Berlin");
        var rows = page.Locator("ul.items > li");
        await Expect(rows).ToHaveCountAsync(2);
        await Expect(rows.Nth(0)).ToContainTextAsync("Contoso");
        await Expect(rows.Nth(0)).ToContainTextAsync("Next: Thank-you note, Wed, Nov 18, 11:00 AM (Pacific Standard Time)");
        await Expect(rows.Nth(1)).ToContainTextAsync("Fabrikam");
        await Expect(rows.Nth(1)).ToContainTextAsync("(Pacific Standard Time)");
        Assert.Empty(errors);
    }

    [Fact]
    public async Task WithNoItemSelectedItShowsTheDashboard()
    {
        var (host, eventId, _) = await InterviewEndedAsync();
        await using var _ = host;
        await AsJordanAsync(host, $"/api/events/{eventId}/plan");
        // The pane pinned in Outlook with nothing selected: every process, and each one's plan a click away.
        var (page, errors) = await host.OpenAsync(browser.Browser, new FakeOffice { Token = Token }, width: 450);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Your interview processes" })).ToBeVisibleAsync();
        await AssertAccessibleAsync(page, "dashboard");
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.Screenshots, "pane-dashboard-450.png"), FullPage = true });
        await page.GetByRole(AriaRole.Button, new() { Name = "Contoso" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Thank-you notes" })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "All your interview processes" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Your interview processes" })).ToBeVisibleAsync();
        Assert.Empty(errors);
    }

    [Fact]
    public async Task TheUserCanDeleteWhatIsKeptAboutThemFromTheDashboardAfterConfirming()
    {
        var (host, eventId, _) = await InterviewEndedAsync();
        await using var _ = host;
        await AsJordanAsync(host, $"/api/events/{eventId}/plan");
        var (page, errors) = await host.OpenAsync(browser.Browser, new FakeOffice { Token = Token });
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete what OutlookFollowUp keeps about me" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Delete everything OutlookFollowUp keeps about you?" })).ToBeVisibleAsync();
        await AssertAccessibleAsync(page, "forget confirmation");
        // Cancel deletes nothing.
        await page.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Delete what OutlookFollowUp keeps about me" })).ToBeFocusedAsync();
        await using (var scope = host.Services.CreateAsyncScope())
            Assert.Equal(1, await scope.ServiceProvider.GetRequiredService<Api.Data.AppDb>().Users.CountAsync());

        await page.GetByRole(AriaRole.Button, new() { Name = "Delete what OutlookFollowUp keeps about me" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Yes, delete it" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Deleted" })).ToBeVisibleAsync();
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<Api.Data.AppDb>();
            Assert.Equal((0, 0, 0), (await db.Users.CountAsync(), await db.Processes.CountAsync(), await db.Events.CountAsync()));
        }
        Assert.Empty(errors);
    }

    /// <summary>Microsoft's CDN, served from the npm package: office.js and the files it loads beside itself.</summary>
    private static async Task<(IPage Page, List<string> Errors)> WithRealOfficeJsAsync(IBrowser browser, string url)
    {
        var officeDist = Path.Combine(Report.FindRoot(), "tests", "browser", "node_modules", "@microsoft", "office-js", "dist");
        Assert.True(Directory.Exists(officeDist), $"the real office.js is expected at {officeDist}: tests/run.sh installs it with npm");
        var context = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 360, Height = 700 }, Locale = "en-US" });
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, m) => { if (m.Type == "error") errors.Add(m.Text); };
        page.PageError += (_, e) => errors.Add(e);
        await page.RouteAsync("https://appsforoffice.microsoft.com/**", async route =>
        {
            var file = Path.Combine(officeDist, new Uri(route.Request.Url).AbsolutePath.Replace("/lib/1/hosted/", ""));
            if (File.Exists(file)) await route.FulfillAsync(new() { Path = file, ContentType = "text/javascript" });
            else await route.FulfillAsync(new() { Status = 404 });
        });
        // Office.js frames Microsoft's telemetry proxy 3 s after it loads; no internet here, so an empty page stands in.
        await page.RouteAsync(OfficeTelemetryFrame, route => route.FulfillAsync(new() { Body = "<!doctype html><title>telemetry</title>", ContentType = "text/html" }));
        await page.GotoAsync(url);
        return (page, errors);
    }

    [Fact]
    public async Task TheRealOfficeJsOutsideOfficeGivesAHelpfulMessageAndNoConsoleError()
    {
        var (host, _, _) = await InterviewEndedAsync();
        await using var _ = host;
        var (page, errors) = await WithRealOfficeJsAsync(browser.Browser, host.BaseUrl + "/pane/taskpane.html");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign-in not available here" })).ToBeVisibleAsync(new() { Timeout = 15000 });
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Open OutlookFollowUp from Outlook");
        Assert.Empty(errors);
    }

    private const string OfficeTelemetryFrame = "https://telemetryservice.firstpartyapps.oaspapps.com/**";

    [Fact]
    public async Task ThePanesPolicyLetsOfficeJsFrameItsTelemetryWithoutAConsoleError()
    {
        // A pane left open more than 3 s: office.js adds a hidden frame (an inline style) for its telemetry. A policy
        // that blocks it fills the console of every open pane with errors (CI caught it on a slow first sweep).
        var (host, _, _) = await InterviewEndedAsync();
        await using var _ = host;
        var (page, errors) = await WithRealOfficeJsAsync(browser.Browser, host.BaseUrl + "/pane/taskpane.html");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign-in not available here" })).ToBeVisibleAsync(new() { Timeout = 15000 });
        var frame = page.Locator("iframe[src^='https://telemetryservice.firstpartyapps.oaspapps.com/']");
        await Expect(frame).ToHaveCountAsync(1, new() { Timeout = 15000 });
        await Expect(frame).ToBeHiddenAsync();
        for (var i = 0; i < 50 && !page.Frames.Any(f => f.Url.StartsWith("https://telemetryservice.firstpartyapps.oaspapps.com/")); i++)
            await Task.Delay(200);
        Assert.Empty(errors);
        Assert.Contains(page.Frames, f => f.Url.StartsWith("https://telemetryservice.firstpartyapps.oaspapps.com/"));
    }

    [Fact]
    public async Task ThePanesPolicyStillRefusesInlineScriptsStyleElementsAndOtherFrames()
    {
        var (host, eventId, _) = await InterviewEndedAsync();
        await using var _ = host;
        var (page, _) = await host.OpenAsync(browser.Browser, OnEvent(eventId));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Thank-you notes" })).ToBeVisibleAsync();
        var probe = await page.EvaluateAsync<JsonElement>("""
            async () => {
              const refused = [];
              document.addEventListener('securitypolicyviolation', e => refused.push(e.effectiveDirective));
              const script = document.createElement('script'); script.textContent = 'window.ofuProbeRan = true'; document.head.append(script);
              const style = document.createElement('style'); style.textContent = 'body { --ofu-probe: 1; }'; document.head.append(style);
              const frame = document.createElement('iframe'); frame.src = 'https://example.org/'; document.body.append(frame);
              for (let i = 0; i < 50 && refused.length < 3; i++) await new Promise(r => setTimeout(r, 100));
              return { ran: window.ofuProbeRan === true, styled: getComputedStyle(document.body).getPropertyValue('--ofu-probe') !== '', refused };
            }
            """);
        Assert.False(probe.GetProperty("ran").GetBoolean());
        Assert.False(probe.GetProperty("styled").GetBoolean());
        Assert.Equal(["frame-src", "script-src-elem", "style-src-elem"], probe.GetProperty("refused").EnumerateArray().Select(e => e.GetString()!).Order().ToList());
    }

    [Fact]
    public async Task InTheDemoTheRealOfficeJsOutsideOutlookShowsTheDashboard()
    {
        // The product as `dotnet run --project api` starts it: demo mode, its own sandbox, a fresh database where it runs.
        var dir = Directory.CreateTempSubdirectory("ofu-demo-");
        try
        {
            await using var demo = await ServiceProcess.StartAsync("demo", new Dictionary<string, string>(), dir.FullName);
            var (page, errors) = await WithRealOfficeJsAsync(browser.Browser, demo.BaseUrl + "/pane/taskpane.html");
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Your interview processes" })).ToBeVisibleAsync(new() { Timeout = 15000 });
            // The first sweep may still be reading the mailbox when the pane asks: the list fills on a reload.
            for (var i = 0; i < 20 && await page.Locator("#app li").CountAsync() == 0; i++)
            {
                await Task.Delay(500);
                await page.ReloadAsync();
                await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Your interview processes" })).ToBeVisibleAsync(new() { Timeout = 15000 });
            }
            await Expect(page.Locator("#app li").Filter(new() { HasText = "Fabrikam" })).ToHaveCountAsync(1);
            await AssertAccessibleAsync(page, "demo dashboard");
            await page.GetByRole(AriaRole.Button, new() { Name = "Fabrikam" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Thank-you notes" })).ToBeVisibleAsync();
            Assert.Empty(errors);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void ThePanesOwnJsAndCssStayUnder60Kilobytes()
    {
        var addin = Path.Combine(Report.FindRoot(), "addin");
        // Vendored libraries (MSAL.js, loaded only where nested app authentication is offered) are not the pane's own code.
        var files = Directory.GetFiles(addin, "*.*", SearchOption.AllDirectories).Where(f => f.EndsWith(".js") || f.EndsWith(".css"))
            .Where(f => !f.Contains(Path.DirectorySeparatorChar + "vendor" + Path.DirectorySeparatorChar)).ToList();
        Assert.NotEmpty(files);
        var total = files.Sum(f => new FileInfo(f).Length);
        Assert.True(total < 60 * 1024, $"the pane's JS and CSS total {total} bytes");
    }
}
