using System.Text.Json.Nodes;
using OutlookFollowUp.Engine;
using OutlookFollowUp.Mailbox;

namespace OutlookFollowUp.Tests;

/// <summary>Reading one interview with its mail, and planning from exactly what was read.</summary>
public class GatewayReadTests(SandboxFixture fixture) : IClassFixture<SandboxFixture>
{
    [Fact]
    public async Task AnInterviewWithItsMailIsReadInOneRoundTripAndPlannedFromWhatWasRead()
    {
        var address = $"r{Guid.NewGuid():N}@outlook.com";
        fixture.Sandbox.AddMailbox(address, "Alex Rivera", "Pacific Standard Time");
        var invitation = fixture.Sandbox.DeliverEvent(address, new JsonObject
        {
            ["subject"] = "Interview: Senior Backend Engineer",
            ["body"] = new JsonObject { ["contentType"] = "html", ["content"] = "<p>We will make a decision within two weeks.</p>" },
            ["start"] = new JsonObject { ["dateTime"] = "2026-03-10T10:00:00", ["timeZone"] = "Pacific Standard Time" },
            ["end"] = new JsonObject { ["dateTime"] = "2026-03-10T11:00:00", ["timeZone"] = "Pacific Standard Time" },
            ["organizer"] = new JsonObject { ["emailAddress"] = new JsonObject { ["name"] = "Dana Whitfield", ["address"] = "dana.whitfield@fabrikam.com" } },
            ["attendees"] = new JsonArray(
                new JsonObject { ["type"] = "required", ["emailAddress"] = new JsonObject { ["name"] = "Alex Rivera", ["address"] = address } },
                new JsonObject { ["type"] = "required", ["emailAddress"] = new JsonObject { ["name"] = "Priya Natarajan", ["address"] = "priya.natarajan@fabrikam.com" } }),
        })!;
        fixture.Sandbox.Deliver(address, new JsonObject
        {
            ["subject"] = "Your application",
            ["receivedDateTime"] = "2026-03-18T17:00:00Z",
            ["from"] = new JsonObject { ["emailAddress"] = new JsonObject { ["name"] = "Dana Whitfield", ["address"] = "dana.whitfield@fabrikam.com" } },
            ["body"] = new JsonObject { ["contentType"] = "text", ["content"] = "Unfortunately we have decided to move forward with other candidates." },
        });
        var gateway = new GraphMailboxGateway(new Uri(fixture.BaseUrl + "/v1.0"), _ => Task.FromResult("sandbox:" + address), new MailboxResilienceOptions(), TimeProvider.System);

        var before = fixture.Sandbox.Log.Count(l => !l.InBatch);
        var context = await gateway.ReadInterviewAsync((string)invitation["id"]!, A.Utc("2026-03-01T00:00:00Z"));
        Assert.Equal(1, fixture.Sandbox.Log.Count(l => !l.InBatch) - before);
        Assert.Equal("UTC", context.Event.Start!.TimeZone);
        Assert.Single(context.Messages);

        var user = await gateway.GetUserAsync();
        var plan = Planner.Build(new PlanInput
        {
            Now = A.Utc("2026-03-18T18:00:00Z"),
            User = user,
            Facts = new UserFacts { Role = "Senior Backend Engineer" },
            Events = [context.Event],
            Messages = context.Messages,
        });
        Assert.Equal(ProcessState.Rejected, plan.Process.State);
        Assert.Equal("Fabrikam", plan.Process.Company);
        Assert.Equal(StepStatus.Due, plan.One(StepKind.RejectionReply).Status);
    }

    private static JsonObject Message(string from, string subject, string body, string received) => new()
    {
        ["subject"] = subject,
        ["receivedDateTime"] = received,
        ["from"] = new JsonObject { ["emailAddress"] = new JsonObject { ["name"] = from, ["address"] = from } },
        ["body"] = new JsonObject { ["contentType"] = "text", ["content"] = body },
    };

    [Fact]
    public async Task OlderMailComesAsHeadersWithOnlyTheBodiesThePlanNeeds()
    {
        var address = $"r{Guid.NewGuid():N}@outlook.com";
        fixture.Sandbox.AddMailbox(address, "Alex Rivera", "UTC");
        fixture.Sandbox.Deliver(address, Message("no-reply@greenhouse.io", "Your application",
            string.Concat(Enumerable.Repeat("Sent by our recruiting platform. ", 10)) + "Thank you for interviewing with Fabrikam. Unfortunately we will not move forward.", "2026-03-02T09:00:00Z"));
        fixture.Sandbox.Deliver(address, Message("dana.whitfield@fabrikam.com", "Next steps", "We expect to decide by March 20.", "2026-03-03T09:00:00Z"));
        for (var i = 0; i < 260; i++)
            fixture.Sandbox.Deliver(address, Message("alerts@jobs.example.com", $"Job alert {i}", "25 new jobs for you.", A.Utc("2026-03-05T00:00:00Z").AddHours(i).ToString("yyyy-MM-ddTHH:mm:ssZ")));
        var gateway = new GraphMailboxGateway(new Uri(fixture.BaseUrl + "/v1.0"), _ => Task.FromResult("sandbox:" + address), new MailboxResilienceOptions(), TimeProvider.System);

        var before = fixture.Sandbox.Log.Count(l => !l.InBatch);
        var mail = await gateway.ReadMailAsync(A.Utc("2026-03-01T00:00:00Z"), m => m.From?.EmailAddress?.Address is { } a && !a.EndsWith("jobs.example.com", StringComparison.Ordinal));

        // One $batch for the newest page of each folder, one page of headers for the rest, one $batch for two bodies.
        Assert.Equal(3, fixture.Sandbox.Log.Count(l => !l.InBatch) - before);
        Assert.Equal(262, mail.Select(m => m.Id).Distinct().Count());
        Assert.Equal(262, mail.Count);
        Assert.Contains("Unfortunately", mail.Single(m => m.From!.EmailAddress!.Address == "no-reply@greenhouse.io").Body!.Content);
        Assert.Contains("March 20", mail.Single(m => m.From!.EmailAddress!.Address == "dana.whitfield@fabrikam.com").Body!.Content);
        Assert.NotNull(mail.Single(m => m.Subject == "Job alert 259").Body); // the newest page comes whole
        Assert.Null(mail.Single(m => m.Subject == "Job alert 0").Body);     // older mail nobody asked about: headers only
        Assert.NotNull(mail.Single(m => m.Subject == "Job alert 0").ReceivedDateTime);
    }

    [Fact]
    public async Task MessagesComeWithTheirMessageIdThreadHeadersAndWhoWroteThem()
    {
        var address = $"r{Guid.NewGuid():N}@outlook.com";
        fixture.Sandbox.AddMailbox(address, "Alex Rivera", "UTC");
        var reply = Message("sam.okafor@fabrikam-labs.com", "Our decision", "Unfortunately we will not move forward.", "2026-03-05T09:00:00Z");
        reply["internetMessageId"] = "<reply-1@fabrikam-labs.com>";
        reply["internetMessageHeaders"] = new JsonArray(new JsonObject { ["name"] = "In-Reply-To", ["value"] = "<fu-1@outlook.com>" });
        reply["sender"] = new JsonObject { ["emailAddress"] = new JsonObject { ["name"] = "Sam Okafor", ["address"] = "sam.okafor@fabrikam-labs.com" } };
        fixture.Sandbox.Deliver(address, reply);
        var gateway = new GraphMailboxGateway(new Uri(fixture.BaseUrl + "/v1.0"), _ => Task.FromResult("sandbox:" + address), new MailboxResilienceOptions(), TimeProvider.System);

        var read = Assert.Single(await gateway.ReadMailAsync(A.Utc("2026-03-01T00:00:00Z")));

        Assert.Equal("<reply-1@fabrikam-labs.com>", read.InternetMessageId);
        Assert.Contains(read.InternetMessageHeaders!, h => h.Name == "In-Reply-To" && h.Value == "<fu-1@outlook.com>");
        Assert.Equal("sam.okafor@fabrikam-labs.com", read.WrittenBy?.EmailAddress?.Address);
    }

    [Fact]
    public async Task MailAtTheSameInstantAcrossThePageBoundaryIsNeitherLostNorDoubled()
    {
        var address = $"r{Guid.NewGuid():N}@outlook.com";
        fixture.Sandbox.AddMailbox(address, "Alex Rivera", "UTC");
        for (var i = 0; i < 230; i++) fixture.Sandbox.Deliver(address, Message("alerts@jobs.example.com", $"Job alert {i}", "25 new jobs for you.", "2026-03-05T09:00:00Z"));
        var gateway = new GraphMailboxGateway(new Uri(fixture.BaseUrl + "/v1.0"), _ => Task.FromResult("sandbox:" + address), new MailboxResilienceOptions(), TimeProvider.System);

        var mail = await gateway.ReadMailAsync(A.Utc("2026-03-01T00:00:00Z"), _ => false);

        Assert.Equal(230, mail.Count);
        Assert.Equal(230, mail.Select(m => m.Id).Distinct().Count());
    }

    [Fact]
    public async Task AnUnknownEventIsAMailboxErrorWithGraphsCode()
    {
        var address = $"r{Guid.NewGuid():N}@outlook.com";
        fixture.Sandbox.AddMailbox(address, "Alex Rivera", "UTC");
        var gateway = new GraphMailboxGateway(new Uri(fixture.BaseUrl + "/v1.0"), _ => Task.FromResult("sandbox:" + address), new MailboxResilienceOptions(), TimeProvider.System);
        var error = await Assert.ThrowsAsync<MailboxException>(() => gateway.ReadInterviewAsync("AAMkNoSuchEvent", A.Utc("2026-03-01T00:00:00Z")));
        Assert.Equal(404, error.Status);
        Assert.Equal("ErrorItemNotFound", error.Code);
    }
}

/// <summary>A mailbox that keeps failing is left alone for a while: calls fail at once instead of piling up.</summary>
public class GatewayCircuitTests(SandboxFixture fixture) : IClassFixture<SandboxFixture>
{
    [Fact]
    public async Task AMailboxThatKeepsFailingIsLeftAloneForAWhile()
    {
        var address = $"c{Guid.NewGuid():N}@contoso.com";
        fixture.Sandbox.AddMailbox(address, "Alex", "UTC");
        var gateway = new GraphMailboxGateway(new Uri(fixture.BaseUrl + "/v1.0"), _ => Task.FromResult("sandbox:" + address), new MailboxResilienceOptions
        {
            BaseDelay = TimeSpan.FromMilliseconds(5), MaxRetryAttempts = 2, BreakMinimumThroughput = 4, BreakDuration = TimeSpan.FromSeconds(30),
        }, TimeProvider.System);
        fixture.Sandbox.InjectFaults(new GraphSandbox.FaultOptions { Rate = 1, Throttle = false, Latency = false, DropConnection = false, CommitThenFail = false });
        try
        {
            for (var i = 0; i < 3; i++)
                await Assert.ThrowsAnyAsync<Exception>(() => gateway.GetUserAsync());
            var before = fixture.Sandbox.Log.Count;
            await Assert.ThrowsAsync<Polly.CircuitBreaker.BrokenCircuitException>(() => gateway.GetUserAsync());
            Assert.Equal(before, fixture.Sandbox.Log.Count); // the open circuit sends nothing
        }
        finally
        {
            fixture.Sandbox.InjectFaults(new GraphSandbox.FaultOptions { Rate = 0 });
        }
    }
}

/// <summary>The demo mailbox: what a new user sees with zero set-up, read through the gateway and planned.</summary>
public class DemoMailboxTests(SandboxFixture fixture) : IClassFixture<SandboxFixture>
{
    [Fact]
    public async Task TheDemoMailboxShowsProcessesAtEveryStage()
    {
        var now = A.Utc("2026-11-18T20:00:00Z"); // a Wednesday afternoon in Los Angeles
        GraphSandbox.DemoMailbox.Seed(fixture.Sandbox, now);
        var gateway = new GraphMailboxGateway(new Uri(fixture.BaseUrl + "/v1.0"), _ => Task.FromResult("sandbox:" + GraphSandbox.DemoMailbox.Address),
            new MailboxResilienceOptions(), TimeProvider.System);
        var user = await gateway.GetUserAsync();
        var sync = await gateway.SyncAsync(null, now.AddDays(-30), now.AddDays(30));
        // The feeds give headers; the text of every message comes by id, as a plan fetches what it reads.
        var texts = (await gateway.ReadAsync(new MailboxReadRequest { TextOf = sync.Messages.Select(m => m.Id!).ToList() })).Texts;
        var mail = sync.Messages.Select(m => texts.TryGetValue(m.Id!, out var t) ? m with { Subject = t.Subject, Body = t.Body, BodyPreview = t.BodyPreview } : m).ToList();
        var states = new Dictionary<string, ProcessState>();
        foreach (var process in ProcessGrouping.Group(sync.Events, user))
        {
            var plan = Planner.Build(new PlanInput { Now = now, User = user, Events = process.Events, Messages = mail });
            states[process.Events[0].Subject!] = plan.Process.State;
        }
        Assert.Equal(ProcessState.ThankYou, states["Onsite interview: Senior Backend Engineer"]);
        Assert.Equal(ProcessState.FollowingUp, states["Technical interview - Proseware"]);
        Assert.Equal(ProcessState.Rejected, states["Final round interview: Product Analyst"]);
        Assert.Equal(ProcessState.NextRound, states["Phone screen - Northwind"]);
        Assert.Equal(ProcessState.NotInterview, states["Podcast interview: careers in data"]);
    }
}

/// <summary>The mail of one conversation, or from the people of a process, since a date.</summary>
public class GatewayMessageQueryTests(SandboxFixture fixture) : IClassFixture<SandboxFixture>
{
    [Fact]
    public async Task MessagesAreFoundByConversationOrSenderSinceADateAcrossPages()
    {
        var address = $"q{Guid.NewGuid():N}@outlook.com";
        fixture.Sandbox.AddMailbox(address, "Alex", "UTC");
        JsonObject From(string who) => new() { ["emailAddress"] = new JsonObject { ["name"] = who, ["address"] = who } };
        for (var i = 0; i < 120; i++)
            fixture.Sandbox.Deliver(address, new JsonObject { ["subject"] = $"update {i}", ["from"] = From("dana@fabrikam.com"), ["receivedDateTime"] = "2026-03-12T10:00:00Z" });
        fixture.Sandbox.Deliver(address, new JsonObject { ["subject"] = "old", ["from"] = From("dana@fabrikam.com"), ["receivedDateTime"] = "2026-02-01T10:00:00Z" });
        fixture.Sandbox.Deliver(address, new JsonObject { ["subject"] = "in thread", ["conversationId"] = "conv-1", ["from"] = From("tom@fabrikam.com"), ["receivedDateTime"] = "2026-03-12T10:00:00Z" });
        fixture.Sandbox.Deliver(address, new JsonObject { ["subject"] = "newsletter", ["from"] = From("news@example.com"), ["receivedDateTime"] = "2026-03-12T10:00:00Z" });
        var gateway = new GraphMailboxGateway(new Uri(fixture.BaseUrl + "/v1.0"), _ => Task.FromResult("sandbox:" + address), new MailboxResilienceOptions(), TimeProvider.System);

        var found = await gateway.GetMessagesAsync(new MessageQuery(A.Utc("2026-03-01T00:00:00Z"), "conv-1", ["dana@fabrikam.com"]));
        Assert.Equal(121, found.Count); // 120 from Dana across two pages, and the thread's reply; not the old one or the newsletter
        Assert.Contains(found, m => m.Subject == "in thread");
        Assert.DoesNotContain(found, m => m.Subject is "old" or "newsletter");
        await Assert.ThrowsAsync<ArgumentException>(() => gateway.GetMessagesAsync(new MessageQuery(A.Utc("2026-03-01T00:00:00Z"))));
    }
}
