using Microsoft.EntityFrameworkCore;
using OutlookFollowUp.Api.Data;
using OutlookFollowUp.Api.Planning;

namespace OutlookFollowUp.Tests;

/// <summary>What the sweep saves, when the pane changes the same user at the same moment (on both providers).</summary>
public sealed class SweepStoreTests
{
    private static readonly Api.Spelling.Spelling NoSpelling = new(null, "not needed to save a plan");
    private static readonly Api.Reading.Reading NoReading = new(null, "not needed to save a plan");
    private static readonly DateTime PassStart = new(2026, 11, 20, 15, 0, 0, DateTimeKind.Utc);

    [Theory, MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task ASettingsChangeDuringASweepStillWakesTheNextPass(string provider)
    {
        var connection = await TestDatabases.ConnectionStringAsync(provider);
        Guid id;
        await using (var setup = await TestDatabases.MigratedAsync(provider, connection))
        {
            var record = new UserRecord { Id = Guid.NewGuid(), TenantId = "t", ObjectId = "o", CreatedUtc = PassStart, NextSweepUtc = PassStart, WakeUtc = PassStart };
            setup.Users.Add(record);
            await setup.SaveChangesAsync();
            id = record.Id;
        }

        // The sweep has read the user (old settings) and is planning...
        await using var sweep = TestDatabases.Context(provider, connection);
        var user = await sweep.Users.SingleAsync(u => u.Id == id);
        // ...when the user saves new settings in the pane, asking for a replan.
        var asked = PassStart.AddSeconds(3);
        await using (var pane = TestDatabases.Context(provider, connection))
        {
            var mine = await pane.Users.SingleAsync(u => u.Id == id);
            mine.SettingsJson = """{"autoAcceptReminders":true}""";
            mine.WakeUtc = asked;
            await pane.SaveChangesAsync();
        }
        // The sweep notes that the mailbox changed (as it does before planning), then saves a plan made with the old
        // settings that has nothing scheduled: alone, it would sleep until the next change.
        user.WakeUtc = PassStart;
        await sweep.SaveChangesAsync();
        await new UserPlans(sweep, NoSpelling, NoReading).SaveAsync(user, [], new DateTimeOffset(PassStart), CancellationToken.None);

        await using var check = TestDatabases.Context(provider, connection);
        var saved = await check.Users.SingleAsync(u => u.Id == id);
        Assert.NotNull(saved.WakeUtc);
        Assert.True(saved.WakeUtc <= asked, $"the next pass should replan with the new settings (wake {saved.WakeUtc:O})");
        Assert.Equal("""{"autoAcceptReminders":true}""", saved.SettingsJson);
    }

    [Theory, MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task AWakeUpThePlanHasSeenIsReplacedByThePlansOwn(string provider)
    {
        var connection = await TestDatabases.ConnectionStringAsync(provider);
        await using var db = await TestDatabases.MigratedAsync(provider, connection);
        var user = new UserRecord { Id = Guid.NewGuid(), TenantId = "t", ObjectId = "o", CreatedUtc = PassStart, NextSweepUtc = PassStart, WakeUtc = PassStart.AddMinutes(-5) };
        db.Users.Add(user);
        await db.SaveChangesAsync();

        await new UserPlans(db, NoSpelling, NoReading).SaveAsync(user, [], new DateTimeOffset(PassStart), CancellationToken.None);

        await using var check = TestDatabases.Context(provider, connection);
        Assert.Null((await check.Users.SingleAsync(u => u.Id == user.Id)).WakeUtc);
    }

    [Theory, MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task AWakeUpStillAheadIsKeptWhenThePlanHasNoneOfItsOwn(string provider)
    {
        // Set by the pane (a reminder accepted for later) while the pass ran: a plan with nothing ahead must not erase it.
        var connection = await TestDatabases.ConnectionStringAsync(provider);
        await using var db = await TestDatabases.MigratedAsync(provider, connection);
        var ahead = PassStart.AddMinutes(10);
        var user = new UserRecord { Id = Guid.NewGuid(), TenantId = "t", ObjectId = "o", CreatedUtc = PassStart, NextSweepUtc = PassStart, WakeUtc = ahead };
        db.Users.Add(user);
        await db.SaveChangesAsync();

        await new UserPlans(db, NoSpelling, NoReading).SaveAsync(user, [], new DateTimeOffset(PassStart), CancellationToken.None);

        await using var check = TestDatabases.Context(provider, connection);
        Assert.Equal(ahead, (await check.Users.SingleAsync(u => u.Id == user.Id)).WakeUtc);
    }
}
