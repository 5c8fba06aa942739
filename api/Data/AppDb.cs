using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace OutlookFollowUp.Api.Data;

// What the service remembers. Mail bodies are never stored: the sweep reads them from the mailbox when it plans, and
// forgets them. Instants are UTC DateTimes (SQLite cannot compare DateTimeOffsets in SQL; PostgreSQL stores timestamptz).

/// <summary>A signed-in job seeker, known by tenant id + object id, with where their mailbox sync left off.</summary>
public sealed class UserRecord
{
    public Guid Id { get; set; }
    public required string TenantId { get; set; }
    public required string ObjectId { get; set; }
    public string? Address { get; set; }
    public string? DisplayName { get; set; }
    public string? TimeZone { get; set; }
    public string? WorkingHoursJson { get; set; }
    /// <summary>The user's other addresses (Graph's proxyAddresses), as a JSON array: mail from them is the user's.</summary>
    public string? AliasesJson { get; set; }
    public DateTime? ProfileReadUtc { get; set; }
    public string SettingsJson { get; set; } = "{}";
    public string? CalendarDeltaLink { get; set; }
    /// <summary>When the calendar feed's window (<c>Sweep:CalendarDays</c> each way around this instant) began.</summary>
    public DateTime? CalendarWindowUtc { get; set; }
    public string? InboxDeltaLink { get; set; }
    public string? SentDeltaLink { get; set; }
    public string? DraftsDeltaLink { get; set; }
    public DateTime CreatedUtc { get; set; }
    /// <summary>When the sweep should look at this mailbox next.</summary>
    public DateTime NextSweepUtc { get; set; }
    /// <summary>When a plan changes by time alone (a step becomes available), so the sweep replans without any mail.</summary>
    public DateTime? WakeUtc { get; set; }
    public string? LeaseOwner { get; set; }
    public DateTime? LeaseUntilUtc { get; set; }
    public DateTime? LastSweepUtc { get; set; }
    public string? LastError { get; set; }
    public int Failures { get; set; }
    /// <summary>Graph refused the stored grant (consent revoked, MFA): the sweep waits until the user opens the pane.</summary>
    public bool NeedsSignIn { get; set; }
}

/// <summary>A calendar event that is, or may be, an interview (others are not kept).</summary>
public sealed class EventRecord
{
    public Guid UserId { get; set; }
    public required string EventId { get; set; }
    public string? ICalUId { get; set; }
    public DateTime StartUtc { get; set; }
    /// <summary>The event as Graph gave it (the invite, which detection and the decision date read).</summary>
    public required string Json { get; set; }
    /// <summary>
    /// The mail reader's features of the invite, as <see cref="MailRecord.Reading"/> keeps a message's (a hash of the
    /// text, then 16-bit components): an invite is encoded once, whatever the instance or restart. Never the text.
    /// </summary>
    public byte[]? Reading { get; set; }
}

/// <summary>
/// One message of the user's Inbox, Sent Items or Drafts in the mail index, kept from the delta feeds: who wrote it
/// and to whom, when, which thread (conversation, Message-ID, In-Reply-To, References), its version, its step key and
/// its auto-reply headers. Never its subject, body or preview: a plan fetches those by id, in one $batch, for the
/// messages it reads (the employer side's and the user's to them), and forgets them.
/// </summary>
public sealed class MailRecord
{
    public Guid UserId { get; set; }
    public required string MessageId { get; set; }
    public required string Folder { get; set; }
    /// <summary>Received (Inbox), sent (Sent Items) or last changed (Drafts): a plan's window is measured by it.</summary>
    public DateTime AtUtc { get; set; }
    /// <summary>The message's headers as the engine reads them (its GraphMessage, without text).</summary>
    public required string Json { get; set; }
    /// <summary>
    /// The mail reader's features of the message (a hash of the text they came from, then 16-bit components): a
    /// message is encoded once, whatever the instance or restart. Numbers only, never the text.
    /// </summary>
    public byte[]? Reading { get; set; }
}

/// <summary>One hiring process: what the user told us about it, and where it stands.</summary>
public sealed class ProcessRecord
{
    public Guid UserId { get; set; }
    public required string Key { get; set; }
    public string FactsJson { get; set; } = "{}";
    public string State { get; set; } = "";
    public string? Company { get; set; }
    public string? Role { get; set; }
    public string? Title { get; set; }
    public DateTime? FirstInterviewUtc { get; set; }
    public string? NextStepKind { get; set; }
    public DateTime? NextStepDueUtc { get; set; }
    public DateTime UpdatedUtc { get; set; }
}

/// <summary>One step of a plan, and what the product wrote for it.</summary>
public sealed class StepRecord
{
    public Guid UserId { get; set; }
    public required string Key { get; set; }
    public required string ProcessKey { get; set; }
    public required string Kind { get; set; }
    public required string Status { get; set; }
    public DateTime AvailableFromUtc { get; set; }
    public DateTime DueUtc { get; set; }
    public string? ItemId { get; set; }
    public DateTime? ItemLastModifiedUtc { get; set; }
    /// <summary>Set before a write goes out: after a crash, the next attempt looks the key up before writing again.</summary>
    public DateTime? AttemptedUtc { get; set; }
    public DateTime? WrittenUtc { get; set; }
    public string? Outcome { get; set; }
    public string? Error { get; set; }
}

/// <summary>What the product wrote or withdrew, and why. Never a body or a personal note.</summary>
public sealed class AuditRecord
{
    public long Id { get; set; }
    public Guid UserId { get; set; }
    public DateTime AtUtc { get; set; }
    public required string Action { get; set; }
    public string? ProcessKey { get; set; }
    public string? StepKey { get; set; }
    public string? ItemId { get; set; }
    public required string Detail { get; set; }
}

/// <summary>
/// What the user said an employer's message is (a correction of its reading): the message id, the class, and the
/// message's sentence vector so that it reads later messages like it the same way. Never the message's text.
/// </summary>
public sealed class CorrectionRecord
{
    public Guid UserId { get; set; }
    public required string MessageId { get; set; }
    public required string Class { get; set; }
    public byte[]? Vector { get; set; }
    public DateTime CreatedUtc { get; set; }
}

/// <summary>
/// A Graph change-notification subscription of a user's mailbox. The client state is a secret Graph echoes in every
/// notification; only its SHA-256 is kept, so a copy of the database cannot forge notifications.
/// </summary>
public sealed class SubscriptionRecord
{
    /// <summary>Graph's subscription id.</summary>
    public required string Id { get; set; }
    public Guid UserId { get; set; }
    public required string Resource { get; set; }
    public required byte[] ClientStateHash { get; set; }
    /// <summary>Graph's expiry, as Graph returned it.</summary>
    public DateTime ExpiresUtc { get; set; }
    public DateTime CreatedUtc { get; set; }
}

/// <summary>MSAL's token cache for one key, encrypted with Data Protection.</summary>
public sealed class TokenCacheRecord
{
    public required string Key { get; set; }
    public required byte[] Data { get; set; }
    public DateTime UpdatedUtc { get; set; }
}

/// <summary>
/// The service's database. The running service gets one of its two provider types (<see cref="SqliteAppDb"/>,
/// <see cref="PostgresAppDb"/>), each with its own migrations scaffolded by dotnet-ef; everything else asks for AppDb.
/// </summary>
public class AppDb(DbContextOptions options) : DbContext(options), IDataProtectionKeyContext
{
    public DbSet<UserRecord> Users => Set<UserRecord>();
    public DbSet<EventRecord> Events => Set<EventRecord>();
    public DbSet<MailRecord> Mail => Set<MailRecord>();
    public DbSet<ProcessRecord> Processes => Set<ProcessRecord>();
    public DbSet<StepRecord> Steps => Set<StepRecord>();
    public DbSet<AuditRecord> Audit => Set<AuditRecord>();
    public DbSet<TokenCacheRecord> TokenCache => Set<TokenCacheRecord>();
    public DbSet<CorrectionRecord> Corrections => Set<CorrectionRecord>();
    public DbSet<SubscriptionRecord> Subscriptions => Set<SubscriptionRecord>();
    /// <summary>The Data Protection key ring, shared by every instance through the database.</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void ConfigureConventions(ModelConfigurationBuilder configuration)
    {
        // SQLite gives DateTimes back without a kind; every instant here is UTC.
        configuration.Properties<DateTime>().HaveConversion<UtcConverter>();
        configuration.Properties<DateTime?>().HaveConversion<UtcConverter>();
    }

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.Entity<UserRecord>(e =>
        {
            e.ToTable("Users");
            e.HasIndex(u => new { u.TenantId, u.ObjectId }).IsUnique();
            e.HasIndex(u => u.NextSweepUtc);
        });
        model.Entity<EventRecord>(e =>
        {
            e.ToTable("Events");
            e.HasKey(x => new { x.UserId, x.EventId });
        });
        model.Entity<MailRecord>(e =>
        {
            e.ToTable("Mail");
            e.HasKey(x => new { x.UserId, x.MessageId });
            e.HasIndex(x => new { x.UserId, x.AtUtc });
        });
        model.Entity<ProcessRecord>(e =>
        {
            e.ToTable("Processes");
            e.HasKey(x => new { x.UserId, x.Key });
        });
        model.Entity<StepRecord>(e =>
        {
            e.ToTable("Steps");
            e.HasKey(x => new { x.UserId, x.Key });
            e.HasIndex(x => new { x.UserId, x.ProcessKey });
        });
        model.Entity<AuditRecord>(e =>
        {
            e.ToTable("Audit");
            e.HasIndex(x => new { x.UserId, x.AtUtc });
        });
        model.Entity<CorrectionRecord>(e =>
        {
            e.ToTable("Corrections");
            e.HasKey(x => new { x.UserId, x.MessageId });
        });
        model.Entity<SubscriptionRecord>(e =>
        {
            e.ToTable("Subscriptions");
            e.HasKey(x => x.Id);
            e.HasIndex(x => x.UserId);
        });
        model.Entity<TokenCacheRecord>(e =>
        {
            e.ToTable("TokenCache");
            e.HasKey(x => x.Key);
        });
        model.Entity<DataProtectionKey>(e =>
        {
            e.ToTable("DataProtectionKeys");
            e.Property(k => k.Xml).IsRequired();
        });
    }

    private sealed class UtcConverter() : ValueConverter<DateTime, DateTime>(
        v => v.Kind == DateTimeKind.Utc ? v : DateTime.SpecifyKind(v.ToUniversalTime(), DateTimeKind.Utc),
        v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
}
