using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OutlookFollowUp.Api.Demo;
using OutlookFollowUp.Engine;

namespace OutlookFollowUp.Tests;

/// <summary>The engine's window over HTTP, through the real host: ProblemDetails for every bad request, never a 5xx.</summary>
public class PlanEndpointTests(ServiceFactory factory) : IClassFixture<ServiceFactory>
{
    private HttpClient Client() => factory.ClientFor("alex@example.com");

    private static readonly string Sample = File.ReadAllText(Path.Combine(Report.FindRoot(), "api", "samples", "scenario.json"));

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");

    [Fact]
    public async Task PreviewReturnsThePlanForAScenario()
    {
        var response = await Client().PostAsync("/api/plans/preview", Json(Sample));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var plan = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("thank-you", plan["process"]!["state"]!.GetValue<string>());
        var engine = Planner.Build(PlanJson.ReadScenario(Sample));
        Assert.Equal(engine.Steps.Select(s => s.Key), plan["steps"]!.AsArray().Select(s => s!["key"]!.GetValue<string>()));
    }

    [Fact]
    public async Task WithoutNowThePlanIsForTheServicesClock()
    {
        var clock = new FixedClock(DateTimeOffset.Parse("2026-03-17T17:00:00Z"));
        var client = factory.WithWebHostBuilder(b => b.ConfigureServices(s => s.Replace(ServiceDescriptor.Singleton<TimeProvider>(clock)))).CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", TestTokens.For("tenant-1", "oid-1", "alex@example.com"));
        var scenario = JsonNode.Parse(Sample)!.AsObject();
        scenario.Remove("now");
        var plan = await client.PostAsync("/api/plans/preview", Json(scenario.ToJsonString()));
        var body = JsonNode.Parse(await plan.Content.ReadAsStringAsync())!;
        Assert.Equal("2026-03-17T17:00:00+00:00", body["now"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("{ not json")]
    [InlineData("[]")]
    [InlineData("{\"now\": \"yesterday\"}")]
    [InlineData("")]
    public async Task MalformedBodiesAreBadRequestsWithProblemDetails(string body)
    {
        var response = await Client().PostAsync("/api/plans/preview", Json(body));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("   at ", await response.Content.ReadAsStringAsync()); // no stack trace
    }

    [Fact]
    public async Task AScenarioTheEngineRejectsIsABadRequestThatSaysWhy()
    {
        var scenario = JsonNode.Parse(Sample)!;
        scenario["user"]!["timeZone"] = "Mars/Olympus_Mons";
        var response = await Client().PostAsync("/api/plans/preview", Json(scenario.ToJsonString()));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Contains("unknown time zone 'Mars/Olympus_Mons'", problem["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task AnOversizedBodyIsRefused()
    {
        // The in-memory test server does not enforce body limits; Kestrel, which users run, does.
        // The address comes from the host's own settings: the factory's UseKestrel(port) races the server's start.
        await using var service = new ServiceFactory();
        await using var kestrel = service.WithWebHostBuilder(b => b.UseUrls("http://127.0.0.1:0"));
        kestrel.UseKestrel();
        kestrel.StartServer();
        var huge = "{\"pad\": \"" + new string('x', (int)Api.Plans.PlanEndpoints.MaxScenarioBytes + 10) + "\"}";
        var client = kestrel.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", TestTokens.For("tenant-1", "oid-1", "alex@example.com"));
        var response = await client.PostAsync("/api/plans/preview", Json(huge));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task TheServiceReportsItsHealth()
    {
        // This factory's Graph address is a closed port: the service is up but degraded, and says which part is down.
        var response = await factory.CreateClient().GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var health = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("Degraded", health["status"]!.GetValue<string>());
        Assert.Equal("Healthy", health["checks"]!["database"]!["status"]!.GetValue<string>());
        Assert.Equal("Degraded", health["checks"]!["graph"]!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task TheHomePageShowsTheSamplePlan()
    {
        var html = await factory.CreateClient().GetStringAsync("/");
        Assert.Contains("Thank you for your time: Senior Backend Engineer interview", html);
        Assert.Contains("Fabrikam", html);
    }

    [Fact]
    public void TheHomePageShowsHostileTextAsText()
    {
        var hostile = "<img src=x onerror=alert(1)>";
        var input = A.Input("2026-03-10T19:00:00Z", [A.Interview("2026-03-10T10:00", with: [new EmailAddress(hostile, "x@fabrikam.com")], subject: "Interview " + hostile)],
            facts: new UserFacts { Company = hostile, Role = hostile });
        var html = DemoPage.Render(Planner.Build(input));
        Assert.DoesNotContain("<img", html);
        Assert.Contains("&lt;img src=x onerror=alert(1)&gt;", html);
    }
}
