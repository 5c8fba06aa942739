using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting.Internal;
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
            var instances = Enumerable.Range(0, 4).Select(_ => Services(database)).ToList();
            try
            {
                await Task.WhenAll(instances.Select(s => Task.Run(() => s.MigrateDatabaseAsync())));
            }
            finally
            {
                foreach (var s in instances) await s.DisposeAsync();
            }
            await using var db = TestDatabases.Context("postgres", database);
            Assert.Equal(Migrations(db), Migrations(db).Distinct());
        }

        static List<string> Migrations(AppDb db) => Microsoft.EntityFrameworkCore.RelationalDatabaseFacadeExtensions.GetAppliedMigrations(db.Database).ToList();
    }

    private static ServiceProvider Services(string database)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([KeyValuePair.Create("Database:ConnectionString", (string?)database)]).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddAppData(configuration, new HostingEnvironment { EnvironmentName = "Development" });
        return services.BuildServiceProvider();
    }
}
