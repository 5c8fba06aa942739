using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Options;
using OutlookFollowUp.Api.Data;
using OutlookFollowUp.Api.Notifications;
using OutlookFollowUp.Api.Planning;
using OutlookFollowUp.Api.SignIn;
using OutlookFollowUp.Mailbox;

namespace OutlookFollowUp.Api.Sweep;

/// <summary>What one pass did, summed over the mailboxes it swept.</summary>
public sealed record SweepReport(int Users, int Idle, int Planned, int SignInNeeded, int Failed, int LeasesLost, WriteReport Writes)
{
    public static readonly SweepReport Empty = new(0, 0, 0, 0, 0, 0, WriteReport.None);

    public override string ToString() =>
        $"swept {Users} mailbox(es): {Planned} replanned, {Idle} unchanged, {SignInNeeded} waiting for sign-in, {Failed} failed; "
        + $"{Writes.Created} written, {Writes.AlreadyThere} already there, {Writes.Withdrawn} withdrawn, {Writes.KeptEdited} kept (edited by the user), {Writes.Failed} writes failed";
}

public enum UserOutcome { Idle, Planned, SignInNeeded, Failed, LeaseLost }

/// <summary>
/// Makes every due mailbox match its plans: pull changes (one request when nothing changed), replan what changed or
/// what time moved on, write what is due. Any number of instances can run passes at once over one database.
/// </summary>
public sealed class Sweeper(IServiceScopeFactory scopes, IMailboxes mailboxes, IOptions<SweepOptions> options,
    TimeProvider time, ILogger<Sweeper> log)
{
    /// <summary>This instance's name on the leases it holds.</summary>
    public string Owner { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}"[..^24];

    /// <summary>Sweeps every mailbox due at <paramref name="now"/>, until none is left that this instance can claim.</summary>
    public async Task<SweepReport> RunOnceAsync(DateTimeOffset now, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        var o = options.Value;
        var total = SweepReport.Empty;
        var gate = new object();
        // The claims stream into the workers: a worker that finds the claimed batch handed out claims the next one while
        // the others go on. Waiting for a whole batch before claiming the next left the slots idle behind each batch's
        // slowest mailbox and during every claim.
        await Parallel.ForEachAsync(ClaimedAsync(now, cancellationToken), new ParallelOptions { MaxDegreeOfParallelism = o.Parallelism, CancellationToken = cancellationToken }, async (id, ct) =>
        {
            var (outcome, writes) = await SweepUserAsync(id, now, ct);
            lock (gate)
            {
                total = total with
                {
                    Users = total.Users + 1,
                    Idle = total.Idle + (outcome == UserOutcome.Idle ? 1 : 0),
                    Planned = total.Planned + (outcome == UserOutcome.Planned ? 1 : 0),
                    SignInNeeded = total.SignInNeeded + (outcome == UserOutcome.SignInNeeded ? 1 : 0),
                    Failed = total.Failed + (outcome == UserOutcome.Failed ? 1 : 0),
                    LeasesLost = total.LeasesLost + (outcome == UserOutcome.LeaseLost ? 1 : 0),
                    Writes = total.Writes.Add(writes),
                };
                progress?.Report(total.Users);
            }
        });
        return total;
    }

    /// <summary>The mailboxes due at <paramref name="now"/> that this instance claims, a batch at a time, until none is left.</summary>
    private async IAsyncEnumerable<Guid> ClaimedAsync(DateTimeOffset now, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var o = options.Value;
        while (!cancellationToken.IsCancellationRequested)
        {
            IReadOnlyList<Guid> claimed;
            await using (var scope = scopes.CreateAsyncScope())
                claimed = await Leases.ClaimAsync(scope.ServiceProvider.GetRequiredService<AppDb>(), Owner, now.UtcDateTime,
                    time.GetUtcNow().UtcDateTime, o.Lease, o.BatchSize, cancellationToken);
            if (claimed.Count == 0) yield break;
            foreach (var id in claimed) yield return id;
        }
    }

    /// <summary>One claimed mailbox; every outcome releases the lease and sets when to look again.</summary>
    public async Task<(UserOutcome, WriteReport)> SweepUserAsync(Guid id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var o = options.Value;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDb>();
        var user = await db.Users.FirstOrDefaultAsync(u => u.Id == id && u.LeaseOwner == Owner, cancellationToken);
        if (user is null) return (UserOutcome.LeaseLost, WriteReport.None);
        var outcome = UserOutcome.Failed;
        var writes = WriteReport.None;
        try
        {
            var gateway = mailboxes.For(user);
            var plans = scope.ServiceProvider.GetRequiredService<UserPlans>();
            var swept = await SweepAsync(db, plans, gateway, user, now, cancellationToken);
            (outcome, writes) = (swept.Outcome, swept.Writes);
            // Watched by Graph's notifications: the next look is the backstop's, or when a plan changes by time alone.
            var subscriptions = scope.ServiceProvider.GetRequiredService<MailboxSubscriptions>();
            var watched = await subscriptions.EnsureAsync(gateway, user, now, cancellationToken);
            user.LastError = null;
            user.Failures = 0;
            // The plans, the writes' outcomes, when to look again and the lease's release commit in one transaction:
            // each was a write of its own, and on SQLite every write waits for the one writer before it.
            await using var finish = await db.Database.BeginTransactionAsync(cancellationToken);
            if (swept.Plans is { } planned) await plans.SaveAsync(user, planned, now, cancellationToken, swept.Records);
            var next = now + (watched ? subscriptions.BackstopPoll : o.Interval);
            // The plans saved their wake time straight to the database; the tracked row does not have it.
            if (watched && await db.Users.Where(u => u.Id == id).Select(u => u.WakeUtc).FirstAsync(cancellationToken) is { } wake
                && wake > now.UtcDateTime && wake < next.UtcDateTime)
                next = new DateTimeOffset(wake, TimeSpan.Zero);
            user.NextSweepUtc = next.UtcDateTime;
            return await SaveAndReleaseAsync(db, user, now, finish) ? (outcome, writes) : (UserOutcome.LeaseLost, writes);
        }
        catch (LeaseLostException)
        {
            log.LogWarning("Lost the lease on user {UserId} before writing; another instance sweeps it", id);
            return (UserOutcome.LeaseLost, writes);
        }
        catch (SignInRequiredException e)
        {
            outcome = UserOutcome.SignInNeeded;
            user.NeedsSignIn = true;
            user.LastError = e.Message;
            user.NextSweepUtc = (now + o.Interval).UtcDateTime;
            log.LogInformation("User {UserId} must sign in again: {Reason}", id, e.Message);
        }
        catch (DbUpdateException e) when (Conflicts.IsUniqueViolation(e) && !cancellationToken.IsCancellationRequested)
        {
            // The pane saved the same rows first: this pass's unsaved state goes (its delta links included, so the next
            // pass reads the same changes again, which the ingest absorbs) and the mailbox is looked at again soon.
            db.ChangeTracker.Clear();
            user = await db.Users.FirstAsync(u => u.Id == id, CancellationToken.None);
            user.NextSweepUtc = (now + TimeSpan.FromSeconds(10)).UtcDateTime;
            log.LogInformation("Sweeping user {UserId} met the pane's writes; again in a moment", id);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // Whatever went wrong with this mailbox (Graph, the network, one odd item), the pass goes on with the others.
            // Back off this mailbox only: 1, 2, 4... minutes up to a day; the others go on.
            user.Failures++;
            user.LastError = e is MailboxException m ? $"Graph {m.Status} {m.Code} (request-id {m.RequestId ?? "none"})" : e.GetType().Name;
            var backoff = TimeSpan.FromMinutes(Math.Min(1440, Math.Pow(2, Math.Min(user.Failures - 1, 11))));
            // Graph's own wait, when it gave one longer than the back-off (reads no longer wait out long ones).
            if (e is MailboxException { RetryAfter: { } asked } && asked > backoff) backoff = asked < TimeSpan.FromDays(1) ? asked : TimeSpan.FromDays(1);
            user.NextSweepUtc = (now + backoff).UtcDateTime;
            log.LogWarning("Sweeping user {UserId} failed ({Failures} in a row): {Error}", id, user.Failures, user.LastError);
        }
        await using (var failed = await db.Database.BeginTransactionAsync(CancellationToken.None))
            return await SaveAndReleaseAsync(db, user, now, failed) ? (outcome, writes) : (UserOutcome.LeaseLost, writes);
    }

    /// <summary>
    /// Marks the pass done, gives the lease back and saves what the pass tracked, in <paramref name="transaction"/>;
    /// false, with nothing saved, when the lease is no longer this instance's: a pass that outlived its lease must not
    /// overwrite what the new holder saved (its schedule, its back-off).
    /// </summary>
    private async Task<bool> SaveAndReleaseAsync(AppDb db, UserRecord user, DateTimeOffset now, IDbContextTransaction transaction)
    {
        user.LastSweepUtc = now.UtcDateTime;
        if (!await Leases.ReleaseAsync(db, user.Id, Owner, time.GetUtcNow().UtcDateTime, CancellationToken.None))
        {
            log.LogWarning("Lost the lease on user {UserId} during the pass; another instance sweeps it", user.Id);
            return false; // the transaction's disposal rolls back what it holds
        }
        await db.SaveChangesAsync(CancellationToken.None);
        await transaction.CommitAsync(CancellationToken.None);
        return true;
    }

    /// <summary>What a mailbox's sweep did; <see cref="Plans"/> (with the step rows they were written against) are saved by the caller.</summary>
    private sealed record Swept(UserOutcome Outcome, WriteReport Writes, IReadOnlyList<PlannedProcess>? Plans = null, Dictionary<string, StepRecord>? Records = null);

    private async Task<Swept> SweepAsync(AppDb db, UserPlans plans, IMailboxGateway mailbox, UserRecord user, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var o = options.Value;
        // Graph's calendarView delta keeps the window it began with: a link months old no longer sees interviews booked
        // past its end. The calendar feed starts over (one full read of the window) once its window has moved by a quarter.
        if (user.CalendarWindowUtc is not { } began || now.UtcDateTime - began > TimeSpan.FromDays(o.CalendarDays / 4.0))
            user.CalendarDeltaLink = null;
        var first = user.CalendarDeltaLink is null;
        var changes = await mailbox.SyncAsync(UserPlans.MailState(user) with { CalendarDeltaLink = user.CalendarDeltaLink },
            now.AddDays(-o.CalendarDays), now.AddDays(o.CalendarDays), now - UserPlans.MailHorizon, cancellationToken);
        // The mail index takes the changes here, saved with the links that follow them.
        var (ingested, events) = await plans.IngestAsync(user, changes, cancellationToken);
        var changed = ingested || first || changes.Resynced;
        user.CalendarDeltaLink = changes.State.CalendarDeltaLink;
        if (first) user.CalendarWindowUtc = now.UtcDateTime;
        UserPlans.TakeMailLinks(user, changes.State);
        // Nothing to plan: the new links (and the index) are saved with the lease's release, in one transaction.
        if (!changed && (user.WakeUtc is null || user.WakeUtc > now.UtcDateTime)) return new(UserOutcome.Idle, WriteReport.None);
        // Changes are remembered as "wake now" together with the new delta links: if this pass dies before planning,
        // the next one still replans. The plans read the index from the database, so it is saved first.
        if (changed) user.WakeUtc = now.UtcDateTime;
        await db.SaveChangesAsync(cancellationToken);

        var records = await plans.StepRecordsAsync(user, cancellationToken);
        var (planned, mail) = await plans.PlanAllAsync(mailbox, user, now, cancellationToken, synced: true, events: events, steps: records);
        var writes = UserPlans.WritesFor(planned, records, mail, now, userAsked: false);
        var report = await plans.WriteAsync(mailbox, user, writes, now,
            ct => Leases.RenewAsync(db, user.Id, Owner, time.GetUtcNow().UtcDateTime, o.Lease, ct), cancellationToken, records, saveOutcomes: false);
        return new(UserOutcome.Planned, report, planned, records);
    }
}
