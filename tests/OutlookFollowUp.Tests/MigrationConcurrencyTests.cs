using Microsoft.EntityFrameworkCore;
using OutlookFollowUp.Api.Data;

namespace OutlookFollowUp.Tests;

/// <summary>Several instances started together on a new PostgreSQL database: one migrates, the others find it done.</summary>
public sealed class MigrationConcurrencyTests
{
    [Fact]
    public async Task InstancesStartingTogetherOnANewDatabaseApplyEachMigrationOnce()
    {
        for (var round = 0; round < 3; round++)
        {
            var database = await PostgresServer.CreateDatabaseAsync("migrate");
            var instances = Enumerable.Range(0, 4).Select(_ => KeyRingTests.Services("Development", database)).ToList();
            try
            {
                await Task.WhenAll(instances.Select(s => Task.Run(() => s.MigrateDatabaseAsync())));
            }
            finally
            {
                foreach (var s in instances) await s.DisposeAsync();
            }
            await using var db = TestDatabases.Context("postgres", database);
            Assert.Equal(db.Database.GetMigrations(), db.Database.GetAppliedMigrations()); // every one applied, none failed
        }
    }
}
