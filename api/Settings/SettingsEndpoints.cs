using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using OutlookFollowUp.Api.Planning;
using OutlookFollowUp.Api.Processes;
using OutlookFollowUp.Api.SignIn;
using OutlookFollowUp.Engine;

namespace OutlookFollowUp.Api.Settings;

/// <summary>Who the pane is signed in as, and how the sweep is doing with their mailbox.</summary>
public sealed record MeView(string? Address, string? DisplayName, string? TimeZone, DateTime? LastSweepUtc, bool NeedsSignIn, string? LastError);

public static class SettingsEndpoints
{
    public static RouteGroupBuilder MapSettings(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api").WithTags("Settings")
            .RequireAuthorization(SignIn.SignInExtensions.PanePolicy).RequireRateLimiting(Guards.GuardExtensions.PerUser);
        group.MapGet("/settings", Get);
        group.MapPut("/settings", Put).WithMetadata(new RequestSizeLimitAttribute(ProcessEndpoints.MaxFactsBytes));
        group.MapGet("/me", Me);
        group.MapDelete("/me", Forget);
        return group;
    }

    public static async Task<Ok<UserSettings>> Get([AsParameters] PaneServices s, CancellationToken ct)
    {
        var user = await CurrentUser.GetAsync(s.Http, s.Db, s.Tokens, s.Time, ct);
        return TypedResults.Ok(UserPlans.Settings(user));
    }

    /// <summary>Replaces the settings whole; the next sweep plans with them.</summary>
    public static async Task<Results<Ok<UserSettings>, ValidationProblem>> Put(UserSettings settings, [AsParameters] PaneServices s, CancellationToken ct)
    {
        var problems = new Dictionary<string, string[]>();
        if (settings.MaxFollowUps is < 1 or > 3) problems["maxFollowUps"] = ["1, 2 or 3: the first follow-up and at most two more"];
        if (settings.Signature?.Length > 1000) problems["signature"] = ["at most 1000 characters"];
        if (settings.Holidays?.Count > 200) problems["holidays"] = ["at most 200 days"];
        if (problems.Count > 0) return TypedResults.ValidationProblem(problems);
        var user = await CurrentUser.GetAsync(s.Http, s.Db, s.Tokens, s.Time, ct);
        user.SettingsJson = System.Text.Json.JsonSerializer.Serialize(settings, PlanJson.Options);
        // Replan at the next pass: settings change every process.
        user.WakeUtc = s.Time.GetUtcNow().UtcDateTime;
        user.NextSweepUtc = s.Time.GetUtcNow().UtcDateTime;
        await s.Db.SaveChangesAsync(ct);
        return TypedResults.Ok(settings);
    }

    /// <summary>
    /// The user stops the service: the mailbox's change subscriptions are ended in Graph, and everything kept for the
    /// user goes in one transaction (the mail index, events, processes, steps, corrections, audit trail, tokens, the
    /// user). What the product wrote into the mailbox stays there: drafts and events are the user's. Signing in again
    /// starts afresh.
    /// </summary>
    public static async Task<NoContent> Forget([AsParameters] PaneServices s, Notifications.MailboxSubscriptions subscriptions,
        ILogger<MeView> log, CancellationToken ct)
    {
        var user = await CurrentUser.GetAsync(s.Http, s.Db, s.Tokens, s.Time, ct);
        await subscriptions.EndAsync(s.Mailboxes.For(user), user, ct);
        var id = user.Id;
        var tokens = SignIn.MsalGraphTokens.SessionKey(user);
        await using var transaction = await s.Db.Database.BeginTransactionAsync(ct);
        await s.Db.Mail.Where(x => x.UserId == id).ExecuteDeleteAsync(ct);
        await s.Db.Events.Where(x => x.UserId == id).ExecuteDeleteAsync(ct);
        await s.Db.Steps.Where(x => x.UserId == id).ExecuteDeleteAsync(ct);
        await s.Db.Processes.Where(x => x.UserId == id).ExecuteDeleteAsync(ct);
        await s.Db.Corrections.Where(x => x.UserId == id).ExecuteDeleteAsync(ct);
        await s.Db.Audit.Where(x => x.UserId == id).ExecuteDeleteAsync(ct);
        await s.Db.Subscriptions.Where(x => x.UserId == id).ExecuteDeleteAsync(ct);
        await s.Db.TokenCache.Where(x => x.Key == tokens).ExecuteDeleteAsync(ct);
        await s.Db.Users.Where(x => x.Id == id).ExecuteDeleteAsync(ct);
        await transaction.CommitAsync(ct);
        log.LogInformation("User {UserId} stopped the service; what was kept for them is deleted", id);
        return TypedResults.NoContent();
    }

    public static async Task<Ok<MeView>> Me([AsParameters] PaneServices s, CancellationToken ct)
    {
        var user = await CurrentUser.GetAsync(s.Http, s.Db, s.Tokens, s.Time, ct);
        return TypedResults.Ok(new MeView(user.Address, user.DisplayName, user.TimeZone, user.LastSweepUtc, user.NeedsSignIn, user.LastError));
    }
}
