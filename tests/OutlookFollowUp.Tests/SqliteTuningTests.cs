using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace OutlookFollowUp.Tests;

/// <summary>SQLite's per-connection settings (WAL's synchronous=NORMAL, the busy wait) on every connection the service opens.</summary>
public sealed class SqliteTuningTests
{
    /// <summary>A migrated database, as the tests open it (no pool) and as the service does (pooled).</summary>
    private static async Task<(string Unpooled, string Pooled)> DatabaseAsync()
    {
        var connection = await TestDatabases.ConnectionStringAsync("sqlite");
        await using var db = await TestDatabases.MigratedAsync("sqlite", connection);
        return (connection, connection.Replace(";Pooling=false", "", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task EveryConnectionPooledOrNotHasBothSettings()
    {
        var (unpooled, pooled) = await DatabaseAsync();
        for (var i = 0; i < 3; i++)
        {
            await using var db = TestDatabases.Context("sqlite", pooled);
            await db.Database.OpenConnectionAsync();
            var sqlite = (SqliteConnection)db.Database.GetDbConnection();
            Assert.Equal(1L, await Scalar(sqlite, "PRAGMA synchronous;")); // NORMAL
            Assert.Equal(30000L, await Scalar(sqlite, "PRAGMA busy_timeout;"));
            await db.Database.CloseConnectionAsync();
        }
        // Without the pool every open is a new physical connection: each is tuned.
        await using var fresh = TestDatabases.Context("sqlite", unpooled);
        await fresh.Database.OpenConnectionAsync();
        Assert.Equal(30000L, await Scalar((SqliteConnection)fresh.Database.GetDbConnection(), "PRAGMA busy_timeout;"));
    }

    [Fact]
    public async Task APooledConnectionIsTunedWhenFirstOpenedNotOnEveryOpen()
    {
        var (_, pooled) = await DatabaseAsync();
        object handle;
        await using (var first = TestDatabases.Context("sqlite", pooled))
        {
            await first.Database.OpenConnectionAsync();
            var sqlite = (SqliteConnection)first.Database.GetDbConnection();
            handle = sqlite.Handle!;
            // A mark that a second tuning would overwrite.
            await using var mark = sqlite.CreateCommand();
            mark.CommandText = "PRAGMA busy_timeout=1234;";
            await mark.ExecuteNonQueryAsync();
        }
        await using var again = TestDatabases.Context("sqlite", pooled);
        await again.Database.OpenConnectionAsync();
        var reopened = (SqliteConnection)again.Database.GetDbConnection();
        Assert.Same(handle, reopened.Handle); // the pool's physical connection, opened again
        Assert.Equal(1234L, await Scalar(reopened, "PRAGMA busy_timeout;"));
    }

    private static async Task<long> Scalar(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
