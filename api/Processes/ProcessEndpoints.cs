using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using OutlookFollowUp.Api.Data;
using OutlookFollowUp.Api.Planning;
using OutlookFollowUp.Api.SignIn;
using OutlookFollowUp.Engine;
using OutlookFollowUp.Mailbox;

namespace OutlookFollowUp.Api.Processes;

/// <summary>What the pane shows for one process: the plan and what the user told us.</summary>
public sealed record ProcessView(string ProcessKey, Plan Plan, UserFacts Facts);

/// <summary>One line of the dashboard; <see cref="NextStepDueLocal"/> is the wall clock in <see cref="TimeZone"/>, the mailbox's zone.</summary>
public sealed record ProcessListItem(string Key, string State, string? Company, string? Role, string? Title, DateTime? FirstInterviewUtc,
    string? NextStepKind, DateTime? NextStepDueUtc, string? NextStepDueLocal = null, string? TimeZone = null);

/// <summary>What the user says an employer's message is: a reply class ("rejection", "other"...).</summary>
public sealed record ReplyCorrection(string? Class);

/// <summary>What "draft now" or "accept" wrote, and the plan afterwards.</summary>
public sealed record WriteResult(WriteReport Writes, ProcessView View);

/// <summary>Everything a pane request needs, resolved by the framework; tests build it themselves.</summary>
public sealed record PaneServices(HttpContext Http, AppDb Db, IMailboxes Mailboxes, IGraphTokens Tokens, TimeProvider Time, UserPlans Plans);

public static class ProcessEndpoints
{
    /// <summary>The facts form is small; anything bigger is not a facts form.</summary>
    public const long MaxFactsBytes = 64 * 1024;

    public static RouteGroupBuilder MapProcesses(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api").WithTags("Processes")
            .RequireAuthorization(SignIn.SignInExtensions.PanePolicy).RequireRateLimiting(Guards.GuardExtensions.PerUser);
        group.MapGet("/events/{eventId}/plan", ForEvent);
        group.MapGet("/processes", List);
        group.MapGet("/people/{address}/process", ForPerson);
        group.MapGet("/processes/{processKey}", Get);
        group.MapGet("/processes/{processKey}/facts", GetFacts);
        group.MapPut("/processes/{processKey}/facts", PutFacts).WithMetadata(new RequestSizeLimitAttribute(MaxFactsBytes));
        group.MapPost("/processes/{processKey}/drafts", DraftNow);
        group.MapPost("/processes/{processKey}/reminders/{stepKey}/accept", Accept);
        group.MapPost("/processes/{processKey}/reminders/{stepKey}/dismiss", Dismiss);
        group.MapPut("/processes/{processKey}/replies/{messageId}", Correct).WithMetadata(new RequestSizeLimitAttribute(MaxFactsBytes));
        return group;
    }

    /// <summary>
    /// The plan for the event the pane was opened on (an invite, a meeting request's event, a calendar item), by its
    /// REST id: the event and the mail around it are read in one Graph round trip.
    /// </summary>
    public static Task<Results<Ok<ProcessView>, ProblemHttpResult>> ForEvent(string eventId, [AsParameters] PaneServices s, CancellationToken ct) =>
        Conflicts.RetryAsync(s.Db, () => ForEventOnce(eventId, s, ct));

    private static async Task<Results<Ok<ProcessView>, ProblemHttpResult>> ForEventOnce(string eventId, PaneServices s, CancellationToken ct)
    {
        if (!IsRestId(eventId))
            return NotFound("No such event in your calendar", "The pane sends the item's REST id (Office.context.mailbox.convertToRestId).");
        var user = await CurrentUser.GetAsync(s.Http, s.Db, s.Tokens, s.Time, ct);
        var mailbox = s.Mailboxes.For(user);
        var now = s.Time.GetUtcNow();
        var stored = await s.Db.Events.Where(e => e.UserId == user.Id).ToDictionaryAsync(e => e.EventId, ct);
        List<GraphMessage> mail;
        try
        {
            // The event, the mail feeds' changes and the texts the plans read, in one round trip for an event already
            // kept. The opened event is kept even when it does not look like an interview: the user may say it is one.
            (_, mail) = await s.Plans.MailAsync(mailbox, user, stored, now, synced: false, ct, eventId);
        }
        catch (MailboxException e) when (e.Status is 400 or 404)
        {
            return NotFound("No such event in your calendar", "The pane sends the item's REST id (Office.context.mailbox.convertToRestId).");
        }
        var plans = await s.Plans.PlanAsync(user, stored.Values.ToList(), mail, now, ct);
        await s.Plans.SaveAsync(user, plans, now, ct);
        var mine = plans.FirstOrDefault(p => p.Group.Events.Any(e => e.Id == eventId));
        return mine is null
            ? NotFound("This event cannot be planned", "Its start or end could not be read.")
            : TypedResults.Ok(View(mine));
    }

    /// <summary>
    /// The process a message belongs to, by its sender (the pane opened on an employer's reply or a meeting request):
    /// the process with that person in it, else the latest with someone of the same company domain.
    /// </summary>
    public static Task<Results<Ok<ProcessView>, ProblemHttpResult>> ForPerson(string address, [AsParameters] PaneServices s, CancellationToken ct) =>
        Conflicts.RetryAsync(s.Db, () => ForPersonOnce(address, s, ct));

    private static async Task<Results<Ok<ProcessView>, ProblemHttpResult>> ForPersonOnce(string address, PaneServices s, CancellationToken ct)
    {
        var who = address.Trim().ToLowerInvariant();
        if (who.Length > 320 || who.Count(c => c == '@') != 1) return NotFound("No process with this person", "Send the sender's e-mail address.");
        var user = await CurrentUser.GetAsync(s.Http, s.Db, s.Tokens, s.Time, ct);
        var (plans, _) = await PlanAsync(s, user, ct);
        var candidates = plans.Where(p => p.Plan.Process.State != ProcessState.NotInterview)
            .OrderByDescending(p => p.Plan.Process.Rounds.Count > 0 ? p.Plan.Process.Rounds[^1].StartUtc : DateTimeOffset.MinValue).ToList();
        static IEnumerable<string> Everyone(Plan plan) => plan.Process.Rounds.SelectMany(r => r.Interviewers).Select(p => p.Address)
            .Concat(plan.Steps.SelectMany(st => st.Recipients).Select(p => p.Address)).OfType<string>().Select(a => a.ToLowerInvariant());
        var domain = who[(who.IndexOf('@') + 1)..];
        var match = candidates.FirstOrDefault(p => Everyone(p.Plan).Contains(who))
            ?? (People.IsFreeMail(who) ? null : candidates.FirstOrDefault(p => Everyone(p.Plan).Any(a => a.EndsWith("@" + domain, StringComparison.Ordinal))));
        return match is null ? NotFound("No process with this person", "Open the interview's calendar item to start one.") : TypedResults.Ok(View(match));
    }

    /// <summary>The dashboard: every process of the user's, the next step first.</summary>
    public static async Task<Ok<List<ProcessListItem>>> List([AsParameters] PaneServices s, CancellationToken ct)
    {
        var user = await CurrentUser.GetAsync(s.Http, s.Db, s.Tokens, s.Time, ct);
        var rows = await s.Db.Processes.AsNoTracking().Where(p => p.UserId == user.Id && p.State != "not-interview" && p.State != "").ToListAsync(ct);
        // Times as the mailbox's zone shows them (as plans give dueLocal), not the browser's.
        UserCalendar calendar;
        try { calendar = new UserCalendar(user.TimeZone, null, null); }
        catch (PlanInputException) { calendar = new UserCalendar("UTC", null, null); }
        return TypedResults.Ok(rows
            .OrderBy(p => p.NextStepDueUtc ?? DateTime.MaxValue).ThenByDescending(p => p.FirstInterviewUtc)
            .Select(p => new ProcessListItem(p.Key, p.State, p.Company, p.Role, p.Title, p.FirstInterviewUtc, p.NextStepKind, p.NextStepDueUtc,
                p.NextStepDueUtc is { } due ? calendar.ToLocal(new DateTimeOffset(due, TimeSpan.Zero)).ToString("yyyy-MM-dd'T'HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture) : null,
                calendar.ZoneId))
            .ToList());
    }

    /// <summary>One process's plan, replanned now.</summary>
    public static Task<Results<Ok<ProcessView>, ProblemHttpResult>> Get(string processKey, [AsParameters] PaneServices s, CancellationToken ct) =>
        Conflicts.RetryAsync(s.Db, () => GetOnce(processKey, s, ct));

    private static async Task<Results<Ok<ProcessView>, ProblemHttpResult>> GetOnce(string processKey, PaneServices s, CancellationToken ct)
    {
        var user = await CurrentUser.GetAsync(s.Http, s.Db, s.Tokens, s.Time, ct);
        if (!await Owns(s.Db, user, processKey, ct)) return NoProcess();
        var (plans, _) = await PlanAsync(s, user, ct, only: processKey);
        return plans.FirstOrDefault(p => p.Group.Key == processKey) is { } p ? TypedResults.Ok(View(p)) : NoProcess();
    }

    public static async Task<Results<Ok<UserFacts>, ProblemHttpResult>> GetFacts(string processKey, [AsParameters] PaneServices s, CancellationToken ct)
    {
        var user = await CurrentUser.GetAsync(s.Http, s.Db, s.Tokens, s.Time, ct);
        var record = await s.Db.Processes.AsNoTracking().FirstOrDefaultAsync(p => p.UserId == user.Id && p.Key == processKey, ct);
        return record is null ? NoProcess() : TypedResults.Ok(UserPlans.Facts(record));
    }

    /// <summary>Saves what the user told us (replacing it whole), and returns the plan it gives.</summary>
    public static Task<Results<Ok<ProcessView>, ProblemHttpResult, ValidationProblem>> PutFacts(string processKey, UserFacts facts,
        [AsParameters] PaneServices s, CancellationToken ct) =>
        Conflicts.RetryAsync(s.Db, () => PutFactsOnce(processKey, facts, s, ct));

    private static async Task<Results<Ok<ProcessView>, ProblemHttpResult, ValidationProblem>> PutFactsOnce(string processKey, UserFacts facts, PaneServices s, CancellationToken ct)
    {
        var user = await CurrentUser.GetAsync(s.Http, s.Db, s.Tokens, s.Time, ct);
        var record = await s.Db.Processes.FirstOrDefaultAsync(p => p.UserId == user.Id && p.Key == processKey, ct);
        if (record is null) return NoProcess();
        if (FactsProblems(facts, s.Time.GetUtcNow()) is { Count: > 0 } problems) return TypedResults.ValidationProblem(problems);
        var before = UserPlans.Facts(record).IsInterview;
        record.FactsJson = System.Text.Json.JsonSerializer.Serialize(facts, PlanJson.Options);
        record.UpdatedUtc = s.Time.GetUtcNow().UtcDateTime;
        await s.Db.SaveChangesAsync(ct);
        var (plans, _) = await PlanAsync(s, user, ct);
        if (plans.FirstOrDefault(p => p.Group.Key == processKey) is not { } planned) return NoProcess();
        // "This is an interview" / "not an interview" becomes labelled data for the user's later invites.
        if (facts.IsInterview != before) await s.Plans.LabelInvitesAsync(user, planned.Group.Events, facts.IsInterview, s.Time.GetUtcNow(), ct);
        return TypedResults.Ok(View(planned));
    }

    /// <summary>"Draft now": writes the process's due drafts, including those that need a look, at once.</summary>
    public static Task<Results<Ok<WriteResult>, ProblemHttpResult>> DraftNow(string processKey, [AsParameters] PaneServices s, CancellationToken ct) =>
        Conflicts.RetryAsync(s.Db, () => DraftNowOnce(processKey, s, ct));

    private static async Task<Results<Ok<WriteResult>, ProblemHttpResult>> DraftNowOnce(string processKey, PaneServices s, CancellationToken ct)
    {
        var user = await CurrentUser.GetAsync(s.Http, s.Db, s.Tokens, s.Time, ct);
        if (!await Owns(s.Db, user, processKey, ct)) return NoProcess();
        return await WriteAndReplanAsync(s, user, processKey, w => w is NewDraft, ct);
    }

    /// <summary>
    /// The user says what an employer's message is ("a rejection", "not a rejection"...): kept per user, it overrides the
    /// reading of that message and is a neighbour for later ones; the process is replanned at once and the drafts that
    /// are now due (the gracious reply to a confirmed rejection) are written, as "draft now" would.
    /// </summary>
    public static Task<Results<Ok<WriteResult>, ProblemHttpResult>> Correct(string processKey, string messageId, ReplyCorrection correction,
        [AsParameters] PaneServices s, CancellationToken ct) =>
        Conflicts.RetryAsync(s.Db, () => CorrectOnce(processKey, messageId, correction, s, ct));

    private static async Task<Results<Ok<WriteResult>, ProblemHttpResult>> CorrectOnce(string processKey, string messageId, ReplyCorrection correction,
        PaneServices s, CancellationToken ct)
    {
        if (correction.Class is not { Length: <= 32 } token || ReplyClassifier.ClassOf(token) is not { } said)
            return TypedResults.Problem(title: "Say what the message is",
                detail: "class is one of rejection, on-hold, offer, next-round, in-process, references, auto-reply, other.",
                statusCode: StatusCodes.Status400BadRequest);
        var user = await CurrentUser.GetAsync(s.Http, s.Db, s.Tokens, s.Time, ct);
        if (!await Owns(s.Db, user, processKey, ct)) return NoProcess();
        var (plans, mail) = await PlanAsync(s, user, ct, only: processKey);
        if (messageId.Length > 1024 || plans.FirstOrDefault(p => p.Group.Key == processKey) is not { } planned
            || planned.Plan.Process.Replies.All(r => r.MessageId != messageId))
            return NotFound("No such employer message in this process", "Corrections name a message the process's plan lists in process.replies.");
        await s.Plans.CorrectAsync(user, messageId, said, s.Time.GetUtcNow(), ct);
        // The mail just read serves the replan: only the reading changed.
        return await WriteAndReplanAsync(s, user, processKey, w => w is NewDraft or DeleteDraft, ct, mail);
    }

    /// <summary>Accepts a suggested reminder: the event is created in the calendar now when it is due.</summary>
    public static Task<Results<Ok<WriteResult>, ProblemHttpResult>> Accept(string processKey, string stepKey, [AsParameters] PaneServices s, CancellationToken ct) =>
        Conflicts.RetryAsync(s.Db, () => DecideAsync(processKey, stepKey, accept: true, s, ct));

    /// <summary>Dismisses a suggested reminder; the plan stops offering it.</summary>
    public static Task<Results<Ok<WriteResult>, ProblemHttpResult>> Dismiss(string processKey, string stepKey, [AsParameters] PaneServices s, CancellationToken ct) =>
        Conflicts.RetryAsync(s.Db, () => DecideAsync(processKey, stepKey, accept: false, s, ct));

    private static async Task<Results<Ok<WriteResult>, ProblemHttpResult>> DecideAsync(string processKey, string stepKey, bool accept, PaneServices s, CancellationToken ct)
    {
        var user = await CurrentUser.GetAsync(s.Http, s.Db, s.Tokens, s.Time, ct);
        var record = await s.Db.Processes.FirstOrDefaultAsync(p => p.UserId == user.Id && p.Key == processKey, ct);
        if (record is null) return NoProcess();
        // The step as the last plan saved it: a decision needs no plan of its own, only the one it changes (below).
        var step = await s.Db.Steps.AsNoTracking().FirstOrDefaultAsync(x => x.UserId == user.Id && x.ProcessKey == processKey && x.Key == stepKey, ct);
        if (step is null || !ReminderKinds.Contains(step.Kind)) return NotFound("No such reminder in this process", "Reminders are named by the step key the plan gives.");
        var facts = UserPlans.Facts(record);
        var accepted = (facts.AcceptedSteps ?? []).Where(k => k != stepKey).ToList();
        var dismissed = (facts.DismissedSteps ?? []).Where(k => k != stepKey).ToList();
        (accept ? accepted : dismissed).Add(stepKey);
        record.FactsJson = System.Text.Json.JsonSerializer.Serialize(facts with { AcceptedSteps = accepted, DismissedSteps = dismissed }, PlanJson.Options);
        await s.Db.SaveChangesAsync(ct);
        return await WriteAndReplanAsync(s, user, processKey, w => accept && w is NewEvent && w.StepKey == stepKey, ct);
    }

    /// <summary>Step kinds that are reminders (calendar events the user accepts or dismisses), as stored.</summary>
    private static readonly HashSet<string> ReminderKinds = Enum.GetValues<StepKind>()
        .Where(k => k is not (StepKind.ThankYou or StepKind.FollowUp or StepKind.RejectionReply))
        .Select(k => System.Text.Json.JsonSerializer.Serialize(k).Trim('"')).ToHashSet();

    private static async Task<Results<Ok<WriteResult>, ProblemHttpResult>> WriteAndReplanAsync(PaneServices s, UserRecord user, string processKey,
        Func<MailboxWrite, bool> which, CancellationToken ct, IReadOnlyList<GraphMessage>? readMail = null)
    {
        var now = s.Time.GetUtcNow();
        var mailbox = s.Mailboxes.For(user);
        var (plans, mail) = await PlanAsync(s, user, ct, readMail, processKey);
        var records = await s.Plans.StepRecordsAsync(user, ct);
        var writes = UserPlans.WritesFor(plans.Where(p => p.Group.Key == processKey).ToList(), records, mail, now, userAsked: true)
            .Where(w => which(w.Write)).ToList();
        // The pane writes under the user's own request; the step keys keep it from doubling what the sweep writes.
        var report = await s.Plans.WriteAsync(mailbox, user, writes, now, _ => Task.FromResult(true), ct, records: records);
        // A draft written now is seen in the mail (its key, its version): read again only then. Reminder events and
        // decisions show in the plan from what is stored, so the mail already read serves.
        if (writes.Count > 0) (plans, _) = await PlanAsync(s, user, ct, writes.Any(w => w.Write is NewDraft) ? null : mail, processKey);
        return plans.FirstOrDefault(p => p.Group.Key == processKey) is { } p ? TypedResults.Ok(new WriteResult(report, View(p))) : NoProcess();
    }

    private static async Task<(IReadOnlyList<PlannedProcess>, IReadOnlyList<GraphMessage>)> PlanAsync(PaneServices s, UserRecord user, CancellationToken ct,
        IReadOnlyList<GraphMessage>? mail = null, string? only = null)
    {
        var now = s.Time.GetUtcNow();
        var mailbox = s.Mailboxes.For(user);
        // Without mail given, the plans' read brings the profile along when it is due.
        if (mail is not null) await s.Plans.RefreshProfileAsync(mailbox, user, now, ct);
        var result = await s.Plans.PlanAllAsync(mailbox, user, now, ct, mail, only);
        await s.Plans.SaveAsync(user, result.Plans, now, ct);
        return result;
    }

    private static Task<bool> Owns(AppDb db, UserRecord user, string processKey, CancellationToken ct) =>
        db.Processes.AnyAsync(p => p.UserId == user.Id && p.Key == processKey, ct);

    private static ProcessView View(PlannedProcess p) => new(p.Group.Key, p.Plan, UserPlans.Facts(p.Record));

    private static ProblemHttpResult NoProcess() =>
        NotFound("No such process", "Processes are listed at GET /api/processes; each is yours alone.");

    private static ProblemHttpResult NotFound(string title, string detail) =>
        TypedResults.Problem(title: title, detail: detail, statusCode: StatusCodes.Status404NotFound);

    /// <summary>
    /// Outlook's REST ids are URL-safe base64 (what convertToRestId gives); anything else is not an item of anyone's
    /// mailbox, and is refused before it reaches Graph.
    /// </summary>
    public static bool IsRestId(string id) => id.Length is > 0 and <= 512 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '=');

    /// <summary>Limits that keep a form a form: the engine reads every field, and notes end up in mail.</summary>
    public static Dictionary<string, string[]> FactsProblems(UserFacts f, DateTimeOffset now)
    {
        var problems = new Dictionary<string, string[]>();
        void Check(bool bad, string field, string message) { if (bad) problems[field] = [message]; }
        Check(f.FitLine?.Length > 300, "fitLine", "at most 300 characters: one sentence");
        Check(f.Role?.Length > 200, "role", "at most 200 characters");
        Check(f.Company?.Length > 200, "company", "at most 200 characters");
        Check(f.InterviewerNotes?.Count > 50, "interviewerNotes", "at most 50 interviewers");
        Check(f.InterviewerNotes?.Any(n => n.Key.Length > 320 || n.Value?.Length > 500) == true, "interviewerNotes", "an address of at most 320 characters, a note of at most 500");
        Check(f.DecisionDate is { } d && (d < DateOnly.FromDateTime(now.UtcDateTime).AddYears(-2) || d > DateOnly.FromDateTime(now.UtcDateTime).AddYears(2)),
            "decisionDate", "within two years of today");
        Check(f.ContactPerson?.Address is { } a && (a.Length > 320 || !a.Contains('@')), "contactPerson", "an email address");
        Check(f.MutualConnection?.Address is { } m && (m.Length > 320 || !m.Contains('@')), "mutualConnection", "an email address");
        Check((f.AcceptedSteps?.Count ?? 0) + (f.DismissedSteps?.Count ?? 0) > 500, "acceptedSteps", "at most 500 decisions");
        // A null in a list or a note would be saved and then refused by the engine, hiding the process: refused here.
        Check(f.InterviewerNotes?.Any(n => n.Value is null || n.Key.Length == 0) == true, "interviewerNotes", "a note (text) for each interviewer's address");
        Check(f.AcceptedSteps?.Any(k => string.IsNullOrWhiteSpace(k) || k.Length > 200) == true, "acceptedSteps", "step keys as the plan gives them");
        Check(f.DismissedSteps?.Any(k => string.IsNullOrWhiteSpace(k) || k.Length > 200) == true, "dismissedSteps", "step keys as the plan gives them");
        return problems;
    }
}
