using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Migrations.Operations;
using Microsoft.EntityFrameworkCore.Migrations.Operations.Builders;

namespace OutlookFollowUp.Api.Data.Migrations;

// Written by hand: EF's design-time package (dotnet-ef's scaffolder) does not restore on the project's machines. One
// migration set serves both providers, with column types chosen by ActiveProvider as EF's docs allow; the test
// TheMigrationsCreateEveryColumnTheModelMaps holds each migration to the model on SQLite and PostgreSQL.
[DbContext(typeof(AppDb))]
[Migration("20261122120000_Initial")]
public sealed class Initial : Migration
{
    protected override void Up(MigrationBuilder b)
    {
        var t = new ColumnTypes(ActiveProvider);
        b.CreateTable("Users", c => new
        {
            Id = c.Column<Guid>(t.Guid),
            TenantId = c.Column<string>(t.Text),
            ObjectId = c.Column<string>(t.Text),
            Address = c.Column<string>(t.Text, nullable: true),
            DisplayName = c.Column<string>(t.Text, nullable: true),
            TimeZone = c.Column<string>(t.Text, nullable: true),
            WorkingHoursJson = c.Column<string>(t.Text, nullable: true),
            ProfileReadUtc = c.Column<DateTime>(t.Instant, nullable: true),
            SettingsJson = c.Column<string>(t.Text),
            CalendarDeltaLink = c.Column<string>(t.Text, nullable: true),
            InboxDeltaLink = c.Column<string>(t.Text, nullable: true),
            SentDeltaLink = c.Column<string>(t.Text, nullable: true),
            CreatedUtc = c.Column<DateTime>(t.Instant),
            NextSweepUtc = c.Column<DateTime>(t.Instant),
            WakeUtc = c.Column<DateTime>(t.Instant, nullable: true),
            LeaseOwner = c.Column<string>(t.Text, nullable: true),
            LeaseUntilUtc = c.Column<DateTime>(t.Instant, nullable: true),
            LastSweepUtc = c.Column<DateTime>(t.Instant, nullable: true),
            LastError = c.Column<string>(t.Text, nullable: true),
            Failures = c.Column<int>(t.Int),
            NeedsSignIn = c.Column<bool>(t.Bool),
        }, constraints: x => x.PrimaryKey("PK_Users", u => u.Id));
        b.CreateIndex("IX_Users_TenantId_ObjectId", "Users", ["TenantId", "ObjectId"], unique: true);
        b.CreateIndex("IX_Users_NextSweepUtc", "Users", "NextSweepUtc");

        b.CreateTable("Events", c => new
        {
            UserId = c.Column<Guid>(t.Guid),
            EventId = c.Column<string>(t.Text),
            ICalUId = c.Column<string>(t.Text, nullable: true),
            StartUtc = c.Column<DateTime>(t.Instant),
            Json = c.Column<string>(t.Text),
        }, constraints: x => x.PrimaryKey("PK_Events", e => new { e.UserId, e.EventId }));

        b.CreateTable("Processes", c => new
        {
            UserId = c.Column<Guid>(t.Guid),
            Key = c.Column<string>(t.Text),
            FactsJson = c.Column<string>(t.Text),
            State = c.Column<string>(t.Text),
            Company = c.Column<string>(t.Text, nullable: true),
            Role = c.Column<string>(t.Text, nullable: true),
            Title = c.Column<string>(t.Text, nullable: true),
            FirstInterviewUtc = c.Column<DateTime>(t.Instant, nullable: true),
            NextStepKind = c.Column<string>(t.Text, nullable: true),
            NextStepDueUtc = c.Column<DateTime>(t.Instant, nullable: true),
            UpdatedUtc = c.Column<DateTime>(t.Instant),
        }, constraints: x => x.PrimaryKey("PK_Processes", p => new { p.UserId, p.Key }));

        b.CreateTable("Steps", c => new
        {
            UserId = c.Column<Guid>(t.Guid),
            Key = c.Column<string>(t.Text),
            ProcessKey = c.Column<string>(t.Text),
            Kind = c.Column<string>(t.Text),
            Status = c.Column<string>(t.Text),
            AvailableFromUtc = c.Column<DateTime>(t.Instant),
            DueUtc = c.Column<DateTime>(t.Instant),
            ItemId = c.Column<string>(t.Text, nullable: true),
            ItemLastModifiedUtc = c.Column<DateTime>(t.Instant, nullable: true),
            AttemptedUtc = c.Column<DateTime>(t.Instant, nullable: true),
            WrittenUtc = c.Column<DateTime>(t.Instant, nullable: true),
            Outcome = c.Column<string>(t.Text, nullable: true),
            Error = c.Column<string>(t.Text, nullable: true),
        }, constraints: x => x.PrimaryKey("PK_Steps", s => new { s.UserId, s.Key }));
        b.CreateIndex("IX_Steps_UserId_ProcessKey", "Steps", ["UserId", "ProcessKey"]);

        b.CreateTable("Audit", c => new
        {
            Id = t.Identity(c.Column<long>(t.Long)),
            UserId = c.Column<Guid>(t.Guid),
            AtUtc = c.Column<DateTime>(t.Instant),
            Action = c.Column<string>(t.Text),
            ProcessKey = c.Column<string>(t.Text, nullable: true),
            StepKey = c.Column<string>(t.Text, nullable: true),
            ItemId = c.Column<string>(t.Text, nullable: true),
            Detail = c.Column<string>(t.Text),
        }, constraints: x => x.PrimaryKey("PK_Audit", a => a.Id));
        b.CreateIndex("IX_Audit_UserId_AtUtc", "Audit", ["UserId", "AtUtc"]);

        b.CreateTable("TokenCache", c => new
        {
            Key = c.Column<string>(t.Text),
            Data = c.Column<byte[]>(t.Bytes),
            UpdatedUtc = c.Column<DateTime>(t.Instant),
        }, constraints: x => x.PrimaryKey("PK_TokenCache", k => k.Key));

        b.CreateTable("DataProtectionKeys", c => new
        {
            Id = t.Identity(c.Column<int>(t.Int)),
            FriendlyName = c.Column<string>(t.Text, nullable: true),
            Xml = c.Column<string>(t.Text),
        }, constraints: x => x.PrimaryKey("PK_DataProtectionKeys", k => k.Id));
    }

    protected override void Down(MigrationBuilder b)
    {
        foreach (var table in new[] { "DataProtectionKeys", "TokenCache", "Audit", "Steps", "Processes", "Events", "Users" })
            b.DropTable(table);
    }
}
