using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OutlookFollowUp.Api.Data;
using OutlookFollowUp.Engine;
using OutlookFollowUp.Mailbox;
using OutlookFollowUp.Reader;

namespace OutlookFollowUp.Api.Planning;

/// <summary>One process as planned now: its events, what the user said of it, and the engine's plan.</summary>
public sealed record PlannedProcess(ProcessGroup Group, ProcessRecord Record, Plan Plan);

/// <summary>What the sweep or the pane did to a mailbox in one go.</summary>
public sealed record WriteReport(int Created, int AlreadyThere, int Withdrawn, int KeptEdited, int Failed)
{
    public static readonly WriteReport None = new(0, 0, 0, 0, 0);
    public WriteReport Add(WriteReport o) => new(Created + o.Created, AlreadyThere + o.AlreadyThere, Withdrawn + o.Withdrawn, KeptEdited + o.KeptEdited, Failed + o.Failed);
}

/// <summary>
/// The work shared by the sweep, the pane, the demo and settings: keep a user's interview events, plan each process
/// with the mail read fresh from the mailbox (never stored), and make the mailbox match the plan. Scoped: one per
/// request or per mailbox of a sweep pass, on that scope's database context.
/// </summary>
public sealed class UserPlans(AppDb db, Spelling.Spelling spelling, Reading.Reading reading)
{
    /// <summary>How far back the mail of a process is read, before its first interview.</summary>
    private static readonly TimeSpan MailLead = TimeSpan.FromDays(14);

    /// <summary>How far back the mail index reaches, and no plan reads further.</summary>
    public static readonly TimeSpan MailHorizon = TimeSpan.FromDays(400);

    // What the index keeps of a message's headers: the auto-reply ones the reader trusts and the threading ones, each
    // value bounded (References is read to 16,000 characters by the engine).
    private static readonly string[] KeptHeaders = ["Auto-Submitted", "X-Autoreply", "X-Autorespond", "Precedence", "In-Reply-To", "References"];
    private const int MaxHeaderValue = 16_000, MaxRecipients = 100;

    public static UserProfile Profile(UserRecord user) => new()
    {
        Address = user.Address,
        DisplayName = user.DisplayName,
        TimeZone = user.TimeZone,
        WorkingHours = user.WorkingHoursJson is { } hours ? JsonSerializer.Deserialize<WorkingHours>(hours, PlanJson.Options) : null,
        Aliases = user.AliasesJson is { } aliases ? Read<List<string>>(aliases) : null,
    };

    /// <summary>Reads the user's name, zone and working hours from the mailbox when never read or a day old.</summary>
    public async Task RefreshProfileAsync(IMailboxGateway mailbox, UserRecord user, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (user.ProfileReadUtc is { } read && read >= now.UtcDateTime.AddDays(-1)) return;
        SetProfile(user, await mailbox.GetUserAsync(cancellationToken), now);
    }

    /// <summary>
    /// Whether the profile is due a read (never read, or a day old): the sweep then reads it with the texts its plans
    /// read. Only the plans use more of it than the address the user signed in with (their zone, working hours and
    /// aliases); keeping what comes in needs the address alone.
    /// </summary>
    public static bool ProfileDue(UserRecord user, DateTimeOffset now) => user.ProfileReadUtc is not { } read || read < now.UtcDateTime.AddDays(-1);

    public static void SetProfile(UserRecord user, UserProfile profile, DateTimeOffset now)
    {
        user.Address = profile.Address ?? user.Address;
        user.DisplayName = profile.DisplayName ?? user.DisplayName;
        user.TimeZone = profile.TimeZone ?? user.TimeZone;
        user.WorkingHoursJson = profile.WorkingHours is { } h ? JsonSerializer.Serialize(h, PlanJson.Options) : user.WorkingHoursJson;
        user.AliasesJson = profile.Aliases is { Count: > 0 } a ? JsonSerializer.Serialize(a, PlanJson.Options) : user.AliasesJson;
        user.ProfileReadUtc = now.UtcDateTime;
    }

    public static UserSettings Settings(UserRecord user) => Read<UserSettings>(user.SettingsJson) ?? new UserSettings();

    public static UserFacts Facts(ProcessRecord process) => Read<UserFacts>(process.FactsJson) ?? new UserFacts();

    // A kept event's JSON, parsed once per scope (a sweep's mailbox, a pane request): the ingest, the texts' choice and
    // the plans each read every kept event. Keyed by the stored string itself, so an event saved anew is parsed anew.
    private readonly Dictionary<string, GraphEvent?> _events = new(ReferenceEqualityComparer.Instance);

    private GraphEvent? EventOf(EventRecord e)
    {
        if (!_events.TryGetValue(e.Json, out var parsed)) _events[e.Json] = parsed = Read<GraphEvent>(e.Json);
        return parsed;
    }

    public static T? Read<T>(string json) where T : class
    {
        try { return JsonSerializer.Deserialize<T>(json, PlanJson.Options); }
        catch (JsonException) { return null; }
    }

    /// <summary>
    /// Keeps the events that are, or may be, interviews (or that the user says are), drops removed ones, and says
    /// whether anything the plans read has changed: an interview event, or mail from or to a process's people.
    /// </summary>
    /// <returns>Whether the plans' input changed, and the user's kept events as the ingest leaves them (for
    /// <see cref="PlanAllAsync"/> once saved).</returns>
    public async Task<(bool Changed, Dictionary<string, EventRecord> Events)> IngestAsync(UserRecord user, SyncChanges changes, CancellationToken cancellationToken)
    {
        await IndexAsync(user, changes, cancellationToken);
        var profile = Profile(user);
        var stored = await db.Events.Where(e => e.UserId == user.Id).ToDictionaryAsync(e => e.EventId, cancellationToken);
        var facts = await db.Processes.Where(p => p.UserId == user.Id).ToDictionaryAsync(p => p.Key, p => Facts(p), cancellationToken);
        var changed = false;
        MailReader? inviteReader = null;
        foreach (var id in changes.RemovedEventIds)
            if (stored.Remove(id, out var gone)) { db.Events.Remove(gone); changed = true; }
        foreach (var e in changes.Events)
        {
            if (e.Id is null) continue;
            var says = facts.GetValueOrDefault(e.ICalUId ?? e.Id)?.IsInterview;
            // The product's own reminders are kept too: the plans read them to know a reminder exists.
            var verdict = StepKeys.FromProperties(e.SingleValueExtendedProperties) is not null
                ? DetectionVerdict.Interview
                : InterviewDetector.Detect(e, profile, says, inviteReader ??= await InviteReaderAsync(user, stored.Values, cancellationToken), cancellationToken).Verdict;
            if (verdict == DetectionVerdict.NotInterview && says is null && !stored.ContainsKey(e.Id)) continue;
            if (verdict == DetectionVerdict.NotInterview && says is null && stored.Remove(e.Id, out var notNow))
            {
                db.Events.Remove(notNow); // it was an interview candidate and no longer looks like one (cancelled, declined)
                changed = true;
                continue;
            }
            Upsert(user, stored, e);
            changed = true;
        }
        KeepInviteReadings(inviteReader, stored);
        if (changed || changes.Messages.Count == 0) return (changed, stored);

        // The drafts the product just wrote come back through the Drafts feed: as written, they change no plan.
        var written = await db.Steps.Where(st => st.UserId == user.Id && st.ItemId != null && st.ItemLastModifiedUtc != null)
            .Select(st => new { st.ItemId, st.ItemLastModifiedUtc }).ToListAsync(cancellationToken);
        var asWritten = written.GroupBy(w => w.ItemId!).ToDictionary(g => g.Key, g => g.Max(w => w.ItemLastModifiedUtc!.Value));
        var messages = changes.Messages.Where(m => !(m.IsDraft == true && m.Id is { } id && asWritten.TryGetValue(id, out var at)
                                                     && m.LastModifiedDateTime?.UtcDateTime <= at.AddSeconds(1))).ToList();
        var people = PeopleOf(stored.Values, []);
        var domains = people.Select(People.Organization).Where(o => o.Length > 0).ToHashSet(StringComparer.OrdinalIgnoreCase);
        return (messages.Any(m =>
        {
            var from = m.From?.EmailAddress?.Address;
            var all = new[] { from }.Concat((m.ToRecipients ?? []).Concat(m.CcRecipients ?? []).Select(r => r.EmailAddress?.Address))
                .Where(a => !string.IsNullOrWhiteSpace(a) && !People.SameAddress(a, user.Address)).Select(a => a!);
            // Applicant-tracking systems write from their own domains: any robot's mail may be the employer's answer.
            return People.IsRobot(from) || all.Any(a => people.Contains(People.Normalize(a)) || domains.Contains(People.Organization(a)));
        }), stored);
    }

    /// <summary>
    /// Keeps the mail index as the feeds say: new and changed messages upserted (headers only), removed ones dropped,
    /// and for a folder whose feed started over, what it no longer lists. Saved with the caller's next save, together
    /// with the delta links that follow these changes.
    /// </summary>
    public async Task IndexAsync(UserRecord user, SyncChanges changes, CancellationToken cancellationToken)
    {
        var changed = changes.Messages.Where(m => m.Id is { Length: > 0 and <= 512 }).GroupBy(m => m.Id!).Select(g => g.Last()).ToList();
        var ids = changed.Select(m => m.Id!).Concat(changes.RemovedMessageIds).Distinct().ToList();
        var rows = new Dictionary<string, MailRecord>(StringComparer.Ordinal);
        foreach (var chunk in ids.Chunk(500))
            foreach (var row in await db.Mail.Where(x => x.UserId == user.Id && chunk.Contains(x.MessageId)).ToListAsync(cancellationToken))
                rows[row.MessageId] = row;
        // A message moved between folders leaves one feed (@removed) and arrives in another: it is kept, as it now is.
        var present = changed.Select(m => m.Id!).ToHashSet(StringComparer.Ordinal);
        foreach (var id in changes.RemovedMessageIds.Where(id => !present.Contains(id)))
            if (rows.Remove(id, out var gone)) db.Mail.Remove(gone);
        foreach (var m in changed)
        {
            var folder = changes.FolderOf.GetValueOrDefault(m.Id!) ?? (m.IsDraft == true ? "drafts" : "inbox");
            var json = JsonSerializer.Serialize(Headers(m), PlanJson.Options);
            var at = (folder switch
            {
                "sentitems" => m.SentDateTime ?? m.ReceivedDateTime,
                "drafts" => m.LastModifiedDateTime ?? m.CreatedDateTime,
                _ => m.ReceivedDateTime ?? m.SentDateTime,
            })?.UtcDateTime ?? DateTime.SpecifyKind(DateTime.MinValue, DateTimeKind.Utc);
            if (rows.TryGetValue(m.Id!, out var row))
            {
                row.Folder = folder;
                row.AtUtc = at;
                row.Json = json;
            }
            else
            {
                row = new MailRecord { UserId = user.Id, MessageId = m.Id!, Folder = folder, AtUtc = at, Json = json };
                db.Mail.Add(row);
                rows[m.Id!] = row;
            }
        }
        foreach (var folder in changes.ResyncedFolders)
        {
            var listed = changed.Where(m => changes.FolderOf.GetValueOrDefault(m.Id!) == folder).Select(m => m.Id!).ToHashSet(StringComparer.Ordinal);
            var kept = await db.Mail.Where(x => x.UserId == user.Id && x.Folder == folder).ToListAsync(cancellationToken);
            db.Mail.RemoveRange(kept.Where(x => !listed.Contains(x.MessageId)));
        }
    }

    /// <summary>A message as the index keeps it: no text, the kept headers bounded, recipients capped.</summary>
    private static GraphMessage Headers(GraphMessage m) => m with
    {
        Subject = null,
        Body = null,
        BodyPreview = null,
        ToRecipients = m.ToRecipients?.Take(MaxRecipients).ToList(),
        CcRecipients = m.CcRecipients?.Take(MaxRecipients).ToList(),
        InternetMessageHeaders = m.InternetMessageHeaders?
            .Where(h => KeptHeaders.Contains(h.Name?.Trim(), StringComparer.OrdinalIgnoreCase))
            .Select(h => h with { Value = h.Value is { Length: > MaxHeaderValue } v ? v[..MaxHeaderValue] : h.Value }).Take(20).ToList(),
    };

    /// <summary>The index's messages since <paramref name="since"/>, headers only.</summary>
    private async Task<List<GraphMessage>> IndexedAsync(UserRecord user, DateTimeOffset since, CancellationToken cancellationToken)
    {
        var from = since.UtcDateTime;
        var rows = await db.Mail.AsNoTracking().Where(x => x.UserId == user.Id && x.AtUtc >= from).Select(x => x.Json).ToListAsync(cancellationToken);
        return rows.Select(j => Read<GraphMessage>(j)).OfType<GraphMessage>().ToList();
    }

    /// <summary>Where a mail feed stands for this user.</summary>
    public static SyncState MailState(UserRecord user) => new(null, user.InboxDeltaLink, user.SentDeltaLink, user.DraftsDeltaLink);

    /// <summary>Takes the mail feeds' new links (the calendar's is the sweep's alone).</summary>
    public static void TakeMailLinks(UserRecord user, SyncState state)
    {
        user.InboxDeltaLink = state.InboxDeltaLink;
        user.SentDeltaLink = state.SentDeltaLink;
        user.DraftsDeltaLink = state.DraftsDeltaLink;
    }

    /// <summary>
    /// The mail plans read: the index since the kept interviews' mail begins, brought up to date first in the same
    /// round trip that fetches the text of the messages the plans will read, and, when the pane opened on one, the
    /// event itself (kept at once, so its people count). With <paramref name="synced"/> the sweep has just read the
    /// feeds: only texts are fetched. New mail to be read, or a first-seen event's people, cost one more round trip.
    /// </summary>
    public async Task<(GraphEvent? Opened, List<GraphMessage> Mail)> MailAsync(IMailboxGateway mailbox, UserRecord user,
        Dictionary<string, EventRecord> stored, DateTimeOffset now, bool synced, CancellationToken cancellationToken, string? eventId = null)
    {
        var needs = await TextNeedsAsync(user, stored.Values.ToList(), cancellationToken);
        var since = MailSince(stored.Values.ToList(), now);
        var mail = await IndexedAsync(user, since, cancellationToken);
        var texts = new Dictionary<string, MessageText>(StringComparer.Ordinal);
        GraphEvent? opened = null;
        // The daily profile rides with the first read below: no round trip of its own.
        var profileDue = ProfileDue(user, now);
        if (!synced || eventId is not null)
        {
            // An event not kept yet brings people the texts depend on: its texts wait for it.
            var known = eventId is null || stored.ContainsKey(eventId);
            var asked = known ? needs.Of(mail, now) : [];
            var read = await mailbox.ReadAsync(new MailboxReadRequest
            {
                EventId = eventId, Feeds = !synced, MailState = MailState(user), MailSince = now - MailHorizon, TextOf = asked, Profile = profileDue,
            }, cancellationToken);
            foreach (var (id, text) in read.Texts) texts[id] = text;
            if (read.Profile is { } profile)
            {
                SetProfile(user, profile, now);
                profileDue = false;
            }
            if (read.Event is { } e)
            {
                opened = e with { Id = eventId };
                Upsert(user, stored, opened);
            }
            var mailChanged = false;
            if (read.Changes is { } changes)
            {
                await IndexAsync(user, changes, cancellationToken);
                TakeMailLinks(user, changes.State);
                mailChanged = changes.Messages.Count > 0 || changes.RemovedMessageIds.Count > 0;
            }
            await db.SaveChangesAsync(cancellationToken);
            if (!known)
            {
                needs = await TextNeedsAsync(user, stored.Values.ToList(), cancellationToken);
                var earlier = MailSince(stored.Values.ToList(), now);
                mailChanged |= earlier < since;
                since = earlier;
            }
            if (mailChanged) mail = await IndexedAsync(user, since, cancellationToken);
            // Unchanged mail and people: what was asked is what is needed, and its texts are here.
            if (!mailChanged && known) return (opened, WithTexts(mail, texts));
        }
        var missing = needs.Of(mail, now).Where(id => !texts.ContainsKey(id)).ToList();
        if (missing.Count > 0 || profileDue)
        {
            var read = await mailbox.ReadAsync(new MailboxReadRequest { TextOf = missing, Profile = profileDue }, cancellationToken);
            foreach (var (id, text) in read.Texts) texts[id] = text;
            if (read.Profile is { } profile) SetProfile(user, profile, now);
        }
        return (opened, WithTexts(mail, texts));
    }

    private static List<GraphMessage> WithTexts(List<GraphMessage> mail, Dictionary<string, MessageText> texts) =>
        mail.Select(m => m.Id is not null && texts.TryGetValue(m.Id, out var t) ? m with { Subject = t.Subject, Body = t.Body, BodyPreview = t.BodyPreview } : m).ToList();

    public void Upsert(UserRecord user, Dictionary<string, EventRecord> stored, GraphEvent e)
    {
        var json = JsonSerializer.Serialize(e, PlanJson.Options);
        var start = StartOf(e);
        if (stored.TryGetValue(e.Id!, out var row))
        {
            row.Json = json;
            row.ICalUId = e.ICalUId;
            row.StartUtc = start;
        }
        else
        {
            row = new EventRecord { UserId = user.Id, EventId = e.Id!, ICalUId = e.ICalUId, StartUtc = start, Json = json };
            db.Events.Add(row);
            stored[e.Id!] = row;
        }
    }

    private static DateTime StartOf(GraphEvent e)
    {
        try { return UserCalendar.ParseGraphDateTime(e.Start, "start").UtcDateTime; }
        catch (PlanInputException) { return DateTime.SpecifyKind(DateTime.MinValue, DateTimeKind.Utc); }
    }

    /// <summary>Everyone on the kept events (organizers, attendees), and <paramref name="more"/>, as addresses compare.</summary>
    private HashSet<string> PeopleOf(IEnumerable<EventRecord> events, IEnumerable<string?> more) =>
        events.SelectMany(e => Participants(EventOf(e))).Concat(more.Where(a => !string.IsNullOrWhiteSpace(a)).Select(a => a!))
            .Select(People.Normalize).ToHashSet(StringComparer.OrdinalIgnoreCase);

    private static IEnumerable<string> Participants(GraphEvent? e) =>
        e is null ? [] : new[] { e.Organizer?.EmailAddress?.Address }
            .Concat((e.Attendees ?? []).Select(a => a.EmailAddress?.Address))
            .Where(a => !string.IsNullOrWhiteSpace(a)).Select(a => a!);

    /// <summary>
    /// Plans every kept process of the user, with the mail since the earliest (Inbox, Sent Items, Drafts) read in one
    /// round trip (unless <paramref name="mail"/> was just read), and returns that mail too: the writes need its versions.
    /// </summary>
    /// <param name="only">Plan this process alone (the others keep their last plan); null: every process.</param>
    /// <param name="synced">The mail feeds were just read (the sweep): the index is current, only texts are fetched.</param>
    /// <param name="events">The user's kept events as this context tracks and has saved them (the sweep's ingest); null: read.</param>
    /// <param name="steps">The user's step rows as <see cref="StepRecordsAsync"/> gave them to this context; null: read.</param>
    public async Task<(IReadOnlyList<PlannedProcess> Plans, IReadOnlyList<GraphMessage> Mail)> PlanAllAsync(IMailboxGateway mailbox,
        UserRecord user, DateTimeOffset now, CancellationToken cancellationToken, IReadOnlyList<GraphMessage>? mail = null,
        string? only = null, bool synced = false, Dictionary<string, EventRecord>? events = null, Dictionary<string, StepRecord>? steps = null)
    {
        var stored = events ?? await db.Events.Where(e => e.UserId == user.Id).ToDictionaryAsync(e => e.EventId, cancellationToken);
        if (stored.Count == 0) return ([], []);
        mail ??= (await MailAsync(mailbox, user, stored, now, synced, cancellationToken)).Mail;
        return (await PlanAsync(user, stored.Values.ToList(), mail, now, cancellationToken, only, steps), mail);
    }

    /// <summary>Where the plans' mail begins: two weeks before the earliest kept interview, within the index's horizon.</summary>
    public static DateTimeOffset MailSince(IReadOnlyList<EventRecord> events, DateTimeOffset now)
    {
        var since = events.Count == 0 ? now - MailLead : new DateTimeOffset(events.Min(e => e.StartUtc), TimeSpan.Zero) - MailLead;
        if (since > now - MailLead) since = now - MailLead;
        return since < now - MailHorizon ? now - MailHorizon : since;
    }

    /// <summary>
    /// Which messages a plan reads the text of: mail from anyone on the user's kept events or named in their facts,
    /// from their organizations or an applicant-tracking system (whose mail names the company only in its text); the
    /// user's own mail to them; replies in those threads from addresses not met before; and the newest robot mail
    /// (a tracking system the list does not know). The engine reads text only of what its employer side matches and
    /// of the user's mail to it, which this contains; the rest of the mail is read as headers.
    /// </summary>
    private async Task<TextNeeds> TextNeedsAsync(UserRecord user, IReadOnlyList<EventRecord> events, CancellationToken cancellationToken)
    {
        var facts = await db.Processes.Where(p => p.UserId == user.Id).Select(p => p.FactsJson).ToListAsync(cancellationToken);
        var people = PeopleOf(events, facts.Select(f => Read<UserFacts>(f)?.ContactPerson?.Address));
        // As the engine: free-mail domains and the user's own organization are no employer's.
        var own = People.IsFreeMail(user.Address) ? "" : People.Organization(user.Address);
        var organizations = people.Where(a => !People.IsFreeMail(a)).Select(People.Organization).Where(o => o.Length > 0 && o != own)
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        var mine = new[] { user.Address }.Concat(Profile(user).Aliases ?? []).Where(a => !string.IsNullOrWhiteSpace(a)).Select(People.Normalize)
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        return new TextNeeds(people, organizations, mine);
    }

    private sealed record TextNeeds(HashSet<string> People, HashSet<string> Organizations, HashSet<string> Mine)
    {
        private const int NewestRobots = 20;
        private static readonly TimeSpan RobotWindow = TimeSpan.FromDays(14);

        private bool Employer(EmailAddress? who)
        {
            var address = OutlookFollowUp.Engine.People.Normalize(who?.Address);
            return address.Length > 0 && !Mine.Contains(address)
                   && (People.Contains(address) || Organizations.Contains(OutlookFollowUp.Engine.People.Organization(address))
                       || OutlookFollowUp.Engine.People.IsRecruitingService(address) || OutlookFollowUp.Engine.People.RobotNaming(who, Organizations));
        }

        public List<string> Of(IReadOnlyList<GraphMessage> mail, DateTimeOffset now)
        {
            var wanted = new HashSet<string>(StringComparer.Ordinal);
            var threads = new HashSet<string>(StringComparer.Ordinal);
            var answered = new HashSet<string>(StringComparer.Ordinal);
            foreach (var m in mail)
            {
                if (m.Id is null || !Mine.Contains(OutlookFollowUp.Engine.People.Normalize(m.From?.EmailAddress?.Address))) continue;
                if (!(m.ToRecipients ?? []).Concat(m.CcRecipients ?? []).Any(r => Employer(r.EmailAddress))) continue;
                // The product's own drafts are known by their step keys; their threads still lead to the answers.
                if (StepKeys.FromProperties(m.SingleValueExtendedProperties) is null) wanted.Add(m.Id);
                if (m.ConversationId is { Length: > 0 } c) threads.Add(c);
                if (Threads.Id(m) is { } own) answered.Add(own);
            }
            foreach (var m in mail)
            {
                if (m.Id is null || wanted.Contains(m.Id) || StepKeys.FromProperties(m.SingleValueExtendedProperties) is not null) continue;
                if (Employer(m.From?.EmailAddress) || (m.ConversationId is { } c && threads.Contains(c)) || Threads.Answers(m).Any(answered.Contains))
                    wanted.Add(m.Id);
            }
            foreach (var m in mail.Where(m => m.Id is not null && !wanted.Contains(m.Id) && m.ReceivedDateTime >= now - RobotWindow
                                              && OutlookFollowUp.Engine.People.IsRobot(m.From?.EmailAddress?.Address))
                         .OrderByDescending(m => m.ReceivedDateTime).Take(NewestRobots))
                wanted.Add(m.Id!);
            return [.. wanted];
        }
    }

    public async Task<IReadOnlyList<PlannedProcess>> PlanAsync(UserRecord user, IReadOnlyList<EventRecord> events,
        IReadOnlyList<GraphMessage> mail, DateTimeOffset now, CancellationToken cancellationToken, string? only = null,
        Dictionary<string, StepRecord>? stepRecords = null)
    {
        var profile = Profile(user);
        var settings = Settings(user);
        var records = await db.Processes.Where(p => p.UserId == user.Id).ToDictionaryAsync(p => p.Key, cancellationToken);
        var steps = stepRecords?.Values.ToList() ?? await db.Steps.Where(s => s.UserId == user.Id).ToListAsync(cancellationToken);
        var written = steps.Where(s => s is { ItemId: not null, ItemLastModifiedUtc: not null })
            .Select(s => new RecordedWrite(s.Key, s.ItemId!, new DateTimeOffset(s.ItemLastModifiedUtc!.Value, TimeSpan.Zero))).ToList();
        var corrections = await db.Corrections.AsNoTracking().Where(c => c.UserId == user.Id).OrderByDescending(c => c.CreatedUtc)
            .Take(Reading.ReaderOptions.MaxCorrections).ToListAsync(cancellationToken);
        var said = new Dictionary<string, ReplyClass>(StringComparer.Ordinal);
        foreach (var c in corrections)
            if (ReplyClassifier.ClassOf(c.Class) is { } cls) said.TryAdd(c.MessageId, cls);
        var reader = reading.Reader is null ? null : reading.Reader.ForUser(
            Neighbours(corrections.Where(c => ReplyClassifier.ClassOf(c.Class) is not null)),
            await StoredReadingsAsync(user, mail, events, cancellationToken),
            Neighbours(corrections.Where(IsInviteLabel)));
        IMailReader? engineReader = reader;
        if (reading.Chat is { } chat)
        {
            await chat.PrimeAsync(EmployerTexts(profile, mail), cancellationToken);
            engineReader = chat.Over(reader);
        }
        var graphEvents = events.Select(EventOf).Where(e => e is not null).Select(e => e!).ToList();
        var ours = graphEvents.Where(e => StepKeys.FromProperties(e.SingleValueExtendedProperties) is not null).ToList();
        var result = new List<PlannedProcess>();
        // Grouping needs every event (a process is the events of one employer); planning needs only the one asked for.
        foreach (var group in ProcessGrouping.Group(graphEvents.Except(ours).ToList(), profile).Where(g => only is null || g.Key == only))
        {
            if (!records.TryGetValue(group.Key, out var record))
            {
                record = new ProcessRecord { UserId = user.Id, Key = group.Key, UpdatedUtc = now.UtcDateTime };
                db.Processes.Add(record);
                records[group.Key] = record;
            }
            var facts = Facts(record);
            var company = record.Company;
            var history = new CompanyHistory
            {
                StayInTouchReminders = company is null ? [] : steps
                    .Where(s => s.Kind == "stay-in-touch" && s.ProcessKey != group.Key && records.GetValueOrDefault(s.ProcessKey)?.Company == company)
                    .Select(s => new DateTimeOffset(s.DueUtc, TimeSpan.Zero)).ToList(),
            };
            try
            {
                var plan = Planner.Build(new PlanInput
                {
                    Now = now, User = profile, Settings = settings, Facts = facts, ProcessId = group.Key,
                    Events = [.. group.Events, .. ours], Messages = mail, CompanyHistory = history, Written = written, Corrections = said,
                }, spelling.Checker, cancellationToken, engineReader);
                result.Add(new PlannedProcess(group, record, plan));
            }
            catch (PlanInputException)
            {
                // One unreadable event must not stop the user's other processes; the process keeps its last summary.
            }
        }
        if (reader is not null) await StoreReadingsAsync(user, reader.NewReadings, cancellationToken);
        return result;
    }

    /// <summary>
    /// The texts a language model is asked about before a plan: the newest received messages with a text, not the
    /// user's own, as the engine gives them to a reader (the texts fetched are already only the employer side's).
    /// </summary>
    private static IEnumerable<string> EmployerTexts(UserProfile profile, IReadOnlyList<GraphMessage> mail) => mail
        .Where(m => m.IsDraft != true && m.Body?.Content is { Length: > 0 } && m.ReceivedDateTime is not null
                    && !People.SameAddress(m.From?.EmailAddress?.Address, profile.Address)
                    && !(profile.Aliases ?? []).Any(a => People.SameAddress(m.From?.EmailAddress?.Address, a)))
        .OrderByDescending(m => m.ReceivedDateTime).Take(ChatReader.MaxPerPlan)
        .Select(ChatReader.TextOf);

    /// <summary>The reader with the user's word on earlier invites as neighbours and the kept events' readings (null: no reader).</summary>
    private async Task<MailReader?> InviteReaderAsync(UserRecord user, IEnumerable<EventRecord> events, CancellationToken cancellationToken)
    {
        if (reading.Reader is null) return null;
        var said = await db.Corrections.AsNoTracking()
            .Where(c => c.UserId == user.Id && c.Vector != null && (c.Class == MailReader.InterviewLabel || c.Class == MailReader.NotInterviewLabel))
            .OrderByDescending(c => c.CreatedUtc).Take(Reading.ReaderOptions.MaxCorrections).ToListAsync(cancellationToken);
        return reading.Reader.ForUser([], EventReadings(events), Neighbours(said));
    }

    /// <summary>The invite readings kept on these events, by <see cref="MailReader.EventKey"/>.</summary>
    private static Dictionary<string, StoredReading> EventReadings(IEnumerable<EventRecord> events)
    {
        var stored = new Dictionary<string, StoredReading>(StringComparer.Ordinal);
        foreach (var e in events)
            if (e.Reading is not null && MailReader.FromBytes(e.Reading) is { } r) stored[MailReader.EventKey(e.EventId)] = r;
        return stored;
    }

    /// <summary>
    /// Puts what the reader encoded for invites on their tracked event rows (saved with them); an invite that is not
    /// kept (not an interview) has no row, and its reading stays in the process's cache only.
    /// </summary>
    private static void KeepInviteReadings(MailReader? reader, Dictionary<string, EventRecord> rows)
    {
        if (reader is null) return;
        foreach (var row in rows.Values)
            if (reader.NewReadings.TryGetValue(MailReader.EventKey(row.EventId), out var r)) row.Reading = MailReader.ToBytes(r);
    }

    private static bool IsInviteLabel(CorrectionRecord c) => c.Class is MailReader.InterviewLabel or MailReader.NotInterviewLabel;

    /// <summary>Corrections with a vector, as the reader's nearest neighbours.</summary>
    private static List<Correction> Neighbours(IEnumerable<CorrectionRecord> corrections) => corrections
        .Where(c => c.Vector is { Length: > 0 }).Select(c => new Correction(c.MessageId, c.Class, ReaderModel.DequantizeBytes(c.Vector!))).ToList();

    /// <summary>The reader's features stored for these messages (read before, here or on another instance).</summary>
    private async Task<IReadOnlyDictionary<string, StoredReading>> StoredReadingsAsync(UserRecord user, IReadOnlyList<GraphMessage> mail,
        IReadOnlyList<EventRecord> events, CancellationToken cancellationToken)
    {
        var stored = EventReadings(events);
        var ids = mail.Where(m => m.Id is not null && m.IsDraft != true).Select(m => m.Id!).Distinct().ToList();
        if (ids.Count == 0) return stored;
        var rows = await db.Mail.AsNoTracking().Where(m => m.UserId == user.Id && m.Reading != null && ids.Contains(m.MessageId))
            .Select(m => new { m.MessageId, m.Reading }).ToListAsync(cancellationToken);
        foreach (var r in rows)
            if (MailReader.FromBytes(r.Reading) is { } s) stored[r.MessageId] = s;
        return stored;
    }

    /// <summary>
    /// Keeps what the reader encoded, by message id, on the message's index row, and an invite's on its event row
    /// (none: nothing to keep it on; the process's cache still has it), each encoded once. A row this context tracks
    /// (the sweep's, just indexed) is saved with the plans; any other gets a statement of its own now.
    /// </summary>
    private async Task StoreReadingsAsync(UserRecord user, IReadOnlyDictionary<string, StoredReading> readings, CancellationToken cancellationToken)
    {
        foreach (var (id, r) in readings)
        {
            var bytes = MailReader.ToBytes(r);
            if (MailReader.EventIdOf(id) is { } eventId)
            {
                if (db.Events.Local.FirstOrDefault(e => e.UserId == user.Id && e.EventId == eventId) is { } kept) kept.Reading = bytes;
                else
                    await db.Events.Where(e => e.UserId == user.Id && e.EventId == eventId)
                        .ExecuteUpdateAsync(u => u.SetProperty(e => e.Reading, bytes), cancellationToken);
                continue;
            }
            if (db.Mail.Local.FirstOrDefault(m => m.UserId == user.Id && m.MessageId == id) is { } tracked) tracked.Reading = bytes;
            else
                await db.Mail.Where(m => m.UserId == user.Id && m.MessageId == id)
                    .ExecuteUpdateAsync(u => u.SetProperty(m => m.Reading, bytes), cancellationToken);
        }
    }

    /// <summary>
    /// Keeps the user's word on a process's invites ("this is an interview", "not an interview"; null takes it back)
    /// as labelled data: per event, its id, the label and the invite's vector, never its text. Later invites like
    /// them read the same way.
    /// </summary>
    public async Task LabelInvitesAsync(UserRecord user, IReadOnlyList<GraphEvent> events, bool? isInterview, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var ids = events.Where(e => e.Id is not null).Select(e => e.Id!).Distinct().ToList();
        var kept = await db.Corrections.Where(c => c.UserId == user.Id && ids.Contains(c.MessageId)
            && (c.Class == MailReader.InterviewLabel || c.Class == MailReader.NotInterviewLabel)).ToDictionaryAsync(c => c.MessageId, cancellationToken);
        foreach (var e in events.Where(e => e.Id is not null).DistinctBy(e => e.Id))
        {
            if (isInterview is not bool says)
            {
                if (kept.Remove(e.Id!, out var gone)) db.Corrections.Remove(gone);
                continue;
            }
            var vector = reading.Reader?.InviteVector(InterviewDetector.ForReading(e), cancellationToken);
            if (vector is null) continue;
            if (!kept.TryGetValue(e.Id!, out var record))
            {
                record = new CorrectionRecord { UserId = user.Id, MessageId = e.Id!, Class = MailReader.InterviewLabel };
                db.Corrections.Add(record);
            }
            record.Class = says ? MailReader.InterviewLabel : MailReader.NotInterviewLabel;
            record.Vector = ReaderModel.QuantizeBytes(vector);
            record.CreatedUtc = now.UtcDateTime;
        }
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>
    /// Keeps what the user said an employer's message is, with the message's vector when the reader has read it (so
    /// that later messages like it read the same way); the next plan reads it.
    /// </summary>
    public async Task CorrectAsync(UserRecord user, string messageId, ReplyClass said, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var vector = reading.Reader?.KnownVector(messageId);
        if (vector is null && await db.Mail.AsNoTracking().Where(m => m.UserId == user.Id && m.MessageId == messageId)
                .Select(m => m.Reading).FirstOrDefaultAsync(cancellationToken) is { } stored && MailReader.FromBytes(stored) is { } read)
            vector = Features.Whole(read.Features);
        var record = await db.Corrections.FirstOrDefaultAsync(c => c.UserId == user.Id && c.MessageId == messageId, cancellationToken);
        if (record is null)
        {
            record = new CorrectionRecord { UserId = user.Id, MessageId = messageId, Class = Token(said) };
            db.Corrections.Add(record);
        }
        record.Class = Token(said);
        record.Vector = vector is null ? record.Vector : ReaderModel.QuantizeBytes(vector);
        record.CreatedUtc = now.UtcDateTime;
        db.Audit.Add(new AuditRecord
        {
            UserId = user.Id, AtUtc = now.UtcDateTime, Action = "reading-corrected", ItemId = messageId,
            Detail = $"the user read message {messageId} as {Token(said)}",
        });
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>
    /// The writes that make the mailbox match the plans. The sweep writes what is due; the pane's "draft now" also
    /// writes drafts that need a look (the user is there to look) and those the user deleted.
    /// </summary>
    public static IReadOnlyList<(PlannedProcess Process, PlanStep Step, MailboxWrite Write)> WritesFor(
        IReadOnlyList<PlannedProcess> plans, IReadOnlyDictionary<string, StepRecord> records, IReadOnlyList<GraphMessage> mail,
        DateTimeOffset now, bool userAsked)
    {
        var changeKeys = mail.Where(m => m.Id is not null && m.ChangeKey is not null).GroupBy(m => m.Id!).ToDictionary(g => g.Key, g => g.First().ChangeKey!);
        var writes = new List<(PlannedProcess, PlanStep, MailboxWrite)>();
        foreach (var p in plans)
        foreach (var step in p.Plan.Steps)
        {
            records.TryGetValue(step.Key, out var record);
            var mayExist = record?.AttemptedUtc is not null;
            // A draft the product wrote and the user deleted stays deleted; the pane can ask for it again.
            var deletedByUser = record?.WrittenUtc is not null && step.Written is null && !userAsked;
            var available = step.AvailableFromUtc <= now && step.Written is null && !deletedByUser;
            if (available && step.Mail is { } mail1 && (step.Status == StepStatus.Due || (userAsked && step.Status == StepStatus.NeedsReview)))
                writes.Add((p, step, new NewDraft(step.Key, mail1, step.Recipients, mayExist)));
            else if (available && step.Reminder is { Accepted: true } && step.Status == StepStatus.Due)
                writes.Add((p, step, new NewEvent(step.Key, step.Reminder, mayExist)));
            else if (step.WithdrawDraft && step.Written is { Sent: false } w && changeKeys.TryGetValue(w.Id, out var changeKey))
                writes.Add((p, step, new DeleteDraft(step.Key, w.Id, $"W/\"{changeKey}\"")));
        }
        return writes;
    }

    /// <summary>
    /// Records the intent, writes, and records the outcome with an audit line each. The intent is saved first: if the
    /// process dies between the write and the record, the next attempt looks the key up instead of writing twice.
    /// </summary>
    /// <param name="records">The user's step rows as <see cref="StepRecordsAsync"/> gave them to this context, if the caller has them.</param>
    /// <param name="saveOutcomes">False: the outcomes and their audit lines stay tracked, saved by the caller's next save
    /// (the sweep's, with the plans and the lease in one transaction).</param>
    public async Task<WriteReport> WriteAsync(IMailboxGateway mailbox, UserRecord user,
        IReadOnlyList<(PlannedProcess Process, PlanStep Step, MailboxWrite Write)> writes, DateTimeOffset now,
        Func<CancellationToken, Task<bool>> stillMine, CancellationToken cancellationToken, Dictionary<string, StepRecord>? records = null,
        bool saveOutcomes = true)
    {
        if (writes.Count == 0) return WriteReport.None;
        records ??= await StepRecordsAsync(user, cancellationToken);
        foreach (var (p, step, _) in writes) Record(user, records, p.Group.Key, step).AttemptedUtc = now.UtcDateTime;
        // The intent and the lease's check commit together: one write transaction instead of two, and a lease found
        // lost leaves no intent behind for writes that were never tried.
        await using (var intent = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(cancellationToken) : null)
        {
            await db.SaveChangesAsync(cancellationToken);
            // Another instance may have taken this user over (a lease that ran out): then it writes, not us.
            if (!await stillMine(cancellationToken)) throw new LeaseLostException();
            if (intent is not null) await intent.CommitAsync(cancellationToken);
        }

        var outcomes = await mailbox.ApplyAsync(writes.Select(w => w.Write).ToList(), cancellationToken);
        var report = WriteReport.None;
        foreach (var ((p, step, write), outcome) in writes.Zip(outcomes))
        {
            var record = records[step.Key];
            record.Outcome = outcome.Status.ToString();
            record.Error = outcome.Error;
            switch (outcome.Status)
            {
                case WriteStatus.Created or WriteStatus.AlreadyThere:
                    record.ItemId = outcome.ItemId;
                    record.ItemLastModifiedUtc = outcome.LastModified?.UtcDateTime;
                    record.WrittenUtc = now.UtcDateTime;
                    report = report.Add(outcome.Status == WriteStatus.Created ? new(1, 0, 0, 0, 0) : new(0, 1, 0, 0, 0));
                    break;
                case WriteStatus.Deleted:
                    report = report.Add(new(0, 0, 1, 0, 0));
                    break;
                case WriteStatus.KeptEdited:
                    report = report.Add(new(0, 0, 0, 1, 0));
                    break;
                default:
                    report = report.Add(new(0, 0, 0, 0, 1));
                    break;
            }
            db.Audit.Add(new AuditRecord
            {
                UserId = user.Id, AtUtc = now.UtcDateTime, ProcessKey = p.Group.Key, StepKey = step.Key, ItemId = outcome.ItemId,
                Action = (write, outcome.Status) switch
                {
                    (DeleteDraft, WriteStatus.Deleted) => "draft-withdrawn",
                    (DeleteDraft, WriteStatus.KeptEdited) => "draft-kept-edited",
                    (_, WriteStatus.Failed) => "write-failed",
                    (_, WriteStatus.AlreadyThere) => "already-there",
                    (NewEvent, _) => "reminder-created",
                    _ => "draft-created",
                },
                // The rule and the message it answers, never text from anyone's mail (a reason may quote the employer).
                Detail = Trim(AuditDetail(step, outcome.Error)),
            });
        }
        if (saveOutcomes) await db.SaveChangesAsync(cancellationToken);
        return report;
    }

    private static string Trim(string s) => s.Length <= 500 ? s : s[..500];

    /// <summary>"R6, replying to message AAMk...": the rule (the reason's leading id) and ids, no words of a mail.</summary>
    internal static string AuditDetail(PlanStep step, string? error)
    {
        var rule = step.Reason.Length > 1 && step.Reason[0] == 'R' && char.IsAsciiDigit(step.Reason[1])
            ? new string(step.Reason.TakeWhile(c => c == 'R' || char.IsAsciiDigit(c)).ToArray())
            : step.Kind.ToString();
        var detail = step.Mail?.ReplyToMessageId is { } replyTo ? $"{rule}, replying to message {replyTo}" : rule;
        return error is null ? detail : $"{detail} ({error})";
    }

    public Task<Dictionary<string, StepRecord>> StepRecordsAsync(UserRecord user, CancellationToken cancellationToken) =>
        db.Steps.Where(s => s.UserId == user.Id).ToDictionaryAsync(s => s.Key, cancellationToken);

    private StepRecord Record(UserRecord user, Dictionary<string, StepRecord> records, string processKey, PlanStep step)
    {
        if (!records.TryGetValue(step.Key, out var record))
        {
            record = new StepRecord { UserId = user.Id, Key = step.Key, ProcessKey = processKey, Kind = Token(step.Kind), Status = Token(step.Status) };
            db.Steps.Add(record);
            records[step.Key] = record;
        }
        record.Status = Token(step.Status);
        record.AvailableFromUtc = step.AvailableFromUtc.UtcDateTime;
        record.DueUtc = step.DueUtc.UtcDateTime;
        return record;
    }

    /// <summary>
    /// Keeps each process's summary and steps, and when the user's plans next change by time alone: the sweep replans
    /// then, or daily while a process is open (a thank-you withdrawn after a week, a follow-up once the date passed).
    /// </summary>
    public async Task SaveAsync(UserRecord user, IReadOnlyList<PlannedProcess> plans, DateTimeOffset now, CancellationToken cancellationToken,
        Dictionary<string, StepRecord>? records = null)
    {
        records ??= await StepRecordsAsync(user, cancellationToken);
        DateTimeOffset? wake = null;
        foreach (var p in plans)
        {
            var plan = p.Plan;
            var r = p.Record;
            r.State = Token(plan.Process.State);
            r.Company = plan.Process.Company;
            r.Role = plan.Process.Role;
            r.Title = p.Group.Events[0].Subject;
            r.FirstInterviewUtc = plan.Process.Rounds.Count > 0 ? plan.Process.Rounds[0].StartUtc.UtcDateTime : null;
            var next = NextStep(plan);
            r.NextStepKind = next is null ? null : Token(next.Kind);
            r.NextStepDueUtc = next?.DueUtc.UtcDateTime;
            r.UpdatedUtc = now.UtcDateTime;
            foreach (var step in plan.Steps) Record(user, records, p.Group.Key, step);
            var later = plan.Steps.Where(s => s.Status == StepStatus.Scheduled && s.AvailableFromUtc > now).Select(s => s.AvailableFromUtc).DefaultIfEmpty(DateTimeOffset.MaxValue).Min();
            if (plan.Process.State is not (ProcessState.NotInterview or ProcessState.MovedOn) && later > now.AddDays(1)) later = now.AddDays(1);
            if (later != DateTimeOffset.MaxValue && (wake is null || later < wake)) wake = later;
        }
        await db.SaveChangesAsync(cancellationToken);
        // The pane may have saved new settings while this plan was made from the row read before: then the next pass
        // replans at once (the wake-up the pane set may already be overwritten by this pass). Otherwise a wake-up still
        // ahead is kept when sooner than this plan's. Done in the database: the tracked row may be older than it.
        // Only plain values go into the query: EF compiles any expression over captured values alone (`planned == null`)
        // into a new dynamic method on every call, and their finalization cost a large sweep a tenth of its processor time.
        var at = now.UtcDateTime;
        var planned = wake?.UtcDateTime;
        var keepIfBefore = planned ?? DateTime.MaxValue;
        var settingsUsed = db.Entry(user).Property(u => u.SettingsJson).OriginalValue;
        await db.Users.Where(u => u.Id == user.Id).ExecuteUpdateAsync(set => set.SetProperty(u => u.WakeUtc,
            u => u.SettingsJson != settingsUsed ? at
                : u.WakeUtc != null && u.WakeUtc > at && u.WakeUtc < keepIfBefore ? u.WakeUtc : planned), cancellationToken);
    }

    /// <summary>
    /// What the dashboard shows as "Next": a message to write that is due now (a thank-you, a follow-up, the reply to a
    /// decision) before any reminder, however old the reminder; then the soonest of the rest.
    /// </summary>
    public static PlanStep? NextStep(Plan plan)
    {
        var open = plan.Steps.Where(s => s.Status is StepStatus.Due or StepStatus.Scheduled or StepStatus.NeedsReview).ToList();
        return open.Where(s => s.Mail is not null && s.Status is StepStatus.Due or StepStatus.NeedsReview).MinBy(s => s.DueUtc)
               ?? open.Where(s => s.Status is StepStatus.Due or StepStatus.NeedsReview).MinBy(s => s.DueUtc)
               ?? open.MinBy(s => s.DueUtc);
    }

    /// <summary>An enum as the JSON names it ("needs-review"), so the database, the page and the API speak alike.</summary>
    public static string Token<T>(T value) where T : struct, Enum =>
        Tokens<T>.Named.TryGetValue(value, out var token) ? token : Tokens<T>.Serialize(value);

    // Each defined value's token, serialized once: a plan's save names every step's kind and status.
    private static class Tokens<T> where T : struct, Enum
    {
        public static readonly Dictionary<T, string> Named = Enum.GetValues<T>().Distinct().ToDictionary(v => v, Serialize);

        public static string Serialize(T value) => JsonSerializer.Serialize(value, PlanJson.Options).Trim('"');
    }
}

public static class PlanningExtensions
{
    public static IServiceCollection AddUserPlans(this IServiceCollection services) => services.AddScoped<UserPlans>();
}

/// <summary>This instance no longer holds the user's lease: another one has taken over, and does the work.</summary>
public sealed class LeaseLostException() : Exception("the user's lease passed to another instance");
