using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OutlookFollowUp.Api.Data;
using OutlookFollowUp.Api.Planning;
using OutlookFollowUp.Api.Processes;
using OutlookFollowUp.Api.SignIn;
using OutlookFollowUp.GraphSandbox;
using Sandbox = OutlookFollowUp.GraphSandbox.GraphSandbox;

namespace OutlookFollowUp.Api.Demo;

/// <summary>
/// Zero configuration, outside Production only: the Graph sandbox served by this very server with the demo mailbox
/// seeded around "now", a fresh SQLite file, the demo user signed up, and a page showing their processes.
/// </summary>
public static class DemoMode
{
    public const string TenantId = "demo-tenant";
    public const string ObjectId = "demo-user";
    /// <summary>The demo's database, made afresh at each start: the sandbox mailbox it mirrors is, too.</summary>
    public const string DatabaseFile = "outlookfollowup-demo.db";

    /// <summary>The host names the demo answers to, unless AllowedHosts names others.</summary>
    public static readonly string[] LoopbackHosts = ["localhost", "127.0.0.1", "[::1]", "::1"];

    /// <summary>
    /// The demo answers without a password: only to the loopback names (or the operator's AllowedHosts), so that a web
    /// page elsewhere cannot read it through a DNS name pointed at 127.0.0.1 (rebinding). Refused as a problem, after
    /// the error pages are in place (the framework's own host filter answers in HTML before them).
    /// </summary>
    public static void UseDemoHosts(this WebApplication app, ServiceMode mode)
    {
        if (!mode.Demo) return;
        var configured = app.Configuration["AllowedHosts"];
        var allowed = string.IsNullOrWhiteSpace(configured) || configured == "*"
            ? LoopbackHosts
            : configured.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        app.Use(async (http, next) =>
        {
            var host = http.Request.Host.Host;
            if (allowed.Any(a => string.Equals(a, host, StringComparison.OrdinalIgnoreCase)))
            {
                await next();
                return;
            }
            await Results.Problem(title: "Unknown host", detail: "The demo answers on localhost only.", statusCode: StatusCodes.Status400BadRequest).ExecuteAsync(http);
        });
    }

    public static void AddDemo(this WebApplicationBuilder builder, ServiceMode mode)
    {
        if (!mode.Demo) return;
        if (string.IsNullOrEmpty(builder.Configuration["Database:ConnectionString"]))
        {
            builder.Configuration["Database:ConnectionString"] = "Data Source=" + DatabaseFile;
            builder.Configuration["Demo:FreshDatabase"] = "true";
        }
        builder.Services.AddSingleton(sp => new Sandbox(new SandboxOptions(), sp.GetRequiredService<TimeProvider>()));

    }

    /// <summary>Before migrations: the demo database starts empty at each start.</summary>
    public static void ForgetLastDemo(this WebApplication app, ServiceMode mode)
    {
        if (!mode.Demo || app.Configuration["Demo:FreshDatabase"] != "true") return;
        foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(DatabaseFile + suffix);
    }

    public static async Task UseDemoAsync(this WebApplication app, ServiceMode mode)
    {
        if (!mode.Demo) return;
        var sandbox = app.Services.GetRequiredService<Sandbox>();
        var now = app.Services.GetRequiredService<TimeProvider>().GetUtcNow();
        DemoMailbox.Seed(sandbox, now);
        app.MapGraphSandbox(sandbox, GraphMailboxes.DemoGraphPath).ExcludeFromDescription();

        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDb>();
            if (!await db.Users.AnyAsync(u => u.TenantId == TenantId && u.ObjectId == ObjectId))
            {
                db.Users.Add(new UserRecord
                {
                    Id = Guid.NewGuid(), TenantId = TenantId, ObjectId = ObjectId, Address = DemoMailbox.Address, DisplayName = "Alex Rivera",
                    CreatedUtc = now.UtcDateTime, NextSweepUtc = now.UtcDateTime,
                });
                await db.SaveChangesAsync();
            }
        }

        var demo = app.MapGroup("/demo").ExcludeFromDescription();
        demo.MapPost("/token", Token);
        demo.MapGet("/processes", Processes);
        app.MapGet("/", DemoPage.Show).ExcludeFromDescription();
    }

    /// <summary>A token for the demo user, from the local issuer: what the pane uses in the demo.</summary>
    public static Ok<DemoToken> Token(IOptions<LocalIssuerOptions> issuer, TimeProvider time) =>
        TypedResults.Ok(new DemoToken(LocalTokens.Mint(issuer.Value, TenantId, ObjectId, DemoMailbox.Address, "Alex Rivera", time.GetUtcNow(), TimeSpan.FromHours(1)), 3600));

    /// <summary>The demo user's processes and their plans as JSON, without signing in.</summary>
    public static async Task<Ok<List<ProcessView>>> Processes(AppDb db, UserPlans plans, IMailboxes mailboxes, TimeProvider time, CancellationToken ct) =>
        TypedResults.Ok((await PlanDemoUserAsync(db, plans, mailboxes, time, ct))
            .Select(p => new ProcessView(p.Group.Key, p.Plan, UserPlans.Facts(p.Record))).ToList());

    internal static async Task<IReadOnlyList<PlannedProcess>> PlanDemoUserAsync(AppDb db, UserPlans userPlans, IMailboxes mailboxes, TimeProvider time, CancellationToken ct)
    {
        var user = await db.Users.FirstAsync(u => u.TenantId == TenantId && u.ObjectId == ObjectId, ct);
        if (user.TimeZone is null) return []; // the first sweep has not read the mailbox yet
        var (plans, _) = await userPlans.PlanAllAsync(mailboxes.For(user), user, time.GetUtcNow(), ct);
        return plans;
    }
}

public sealed record DemoToken(string AccessToken, int ExpiresIn);
