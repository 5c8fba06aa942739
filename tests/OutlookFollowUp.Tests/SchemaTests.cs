using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using OutlookFollowUp.Api.Data;

namespace OutlookFollowUp.Tests;

/// <summary>
/// Each provider has its own migrations, scaffolded by dotnet-ef: these tests hold them to the model on both (no change
/// the migrations lack, every mapped column with the model's type and nullability, every index), keep the migration
/// ids that databases already in service have in their history, and check a row of every entity comes back as written.
/// </summary>
public sealed class SchemaTests
{
    [Theory, MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public void TheModelHasNoChangeThatItsMigrationsLack(string provider)
    {
        // No server is needed to compare the model with the snapshot; a change to AppDb without `dotnet ef migrations
        // add` (Data/Migrations/README.md) fails here on the provider that was forgotten.
        using var db = TestDatabases.Context(provider, provider == "postgres" ? "Host=localhost;Database=unused" : "Data Source=:memory:");
        Assert.False(db.Database.HasPendingModelChanges(), $"the model has changes that no {provider} migration holds");
    }

    [Theory, MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public void DatabasesMigratedBeforeTheScaffoldKeepTheirHistory(string provider)
    {
        // The scaffolded migrations replaced hand-written ones of the same ids: a database in service has these two in
        // its __EFMigrationsHistory and must find nothing to apply again.
        using var db = TestDatabases.Context(provider, provider == "postgres" ? "Host=localhost;Database=unused" : "Data Source=:memory:");
        Assert.Equal(["20261122120000_Initial", "20261130120000_CalendarWindow"], db.Database.GetMigrations().Take(2));
    }

    [Theory, MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task TheMigrationsCreateEveryColumnTheModelMaps(string provider)
    {
        await using var db = await TestDatabases.MigratedAsync(provider);
        foreach (var entity in db.Model.GetEntityTypes())
        {
            var table = entity.GetTableName()!;
            var store = StoreObjectIdentifier.Table(table, entity.GetSchema());
            var columns = await ColumnsAsync(db, table);
            var expected = entity.GetProperties().ToDictionary(p => p.GetColumnName(store)!, p => (Type: p.GetColumnType(store), Nullable: p.IsColumnNullable(store)));
            Assert.Equal(expected.Keys.Order(), columns.Keys.Order());
            foreach (var (name, want) in expected)
            {
                Assert.True(string.Equals(want.Type, columns[name].Type, StringComparison.OrdinalIgnoreCase), $"{table}.{name}: model {want.Type}, database {columns[name].Type}");
                Assert.True(want.Nullable == columns[name].Nullable, $"{table}.{name}: model nullable={want.Nullable}, database nullable={columns[name].Nullable}");
            }
        }
    }

    [Theory, MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task TheMigrationsCreateEveryIndexTheModelDeclares(string provider)
    {
        await using var db = await TestDatabases.MigratedAsync(provider);
        foreach (var entity in db.Model.GetEntityTypes())
        {
            var table = entity.GetTableName()!;
            var indexes = await IndexesAsync(db, table);
            foreach (var index in entity.GetIndexes())
            {
                var name = index.GetDatabaseName()!;
                Assert.True(indexes.TryGetValue(name, out var unique), $"{table} lacks index {name}");
                Assert.Equal(index.IsUnique, unique);
            }
        }
    }

    [Theory, MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task ARowOfEveryEntityComesBackAsItWasWritten(string provider)
    {
        var connection = await TestDatabases.ConnectionStringAsync(provider);
        var written = new List<object>();
        await using (var db = await TestDatabases.MigratedAsync(provider, connection))
        {
            foreach (var entity in db.Model.GetEntityTypes())
            {
                var row = Activator.CreateInstance(entity.ClrType)!;
                foreach (var property in entity.GetProperties().Where(p => p.ValueGenerated == ValueGenerated.Never))
                    property.PropertyInfo!.SetValue(row, Sample(property));
                db.Add(row);
                written.Add(row);
            }
            await db.SaveChangesAsync();
        }
        await using (var db = TestDatabases.Context(provider, connection))
        {
            foreach (var row in written)
            {
                var entity = db.Model.FindEntityType(row.GetType())!;
                var keys = entity.FindPrimaryKey()!.Properties.Select(p => p.PropertyInfo!.GetValue(row)).ToArray();
                var read = await db.FindAsync(row.GetType(), keys);
                Assert.NotNull(read);
                foreach (var property in entity.GetProperties())
                {
                    var want = property.PropertyInfo!.GetValue(row);
                    var got = property.PropertyInfo.GetValue(read);
                    Assert.True(Equal(want, got), $"{entity.GetTableName()}.{property.Name}: wrote {want}, read {got}");
                    if (got is DateTime t) Assert.Equal(DateTimeKind.Utc, t.Kind);
                }
            }
        }
    }

    [Theory]
    [InlineData("", AppDbProviders.DefaultAutoPrepare)]
    [InlineData(";Max Auto Prepare=0", 0)]
    [InlineData(";maxautoprepare=3", 3)]
    public async Task PostgresKeepsTheSameStatementPreparedUnlessTheConnectionStringSaysHowMany(string setting, int kept)
    {
        var connection = await TestDatabases.ConnectionStringAsync("postgres") + setting;
        await using var db = await TestDatabases.MigratedAsync("postgres", connection);
        await db.Database.OpenConnectionAsync();
        var id = Guid.NewGuid();
        // Npgsql prepares a statement once it has run five times on a connection.
        for (var i = 0; i < 6; i++) await db.Users.Where(u => u.Id == id).ToListAsync();
        var prepared = await db.Database.SqlQueryRaw<int>("SELECT count(*)::int AS \"Value\" FROM pg_prepared_statements WHERE statement LIKE '%FROM \"Users\"%'").SingleAsync();
        Assert.Equal(kept > 0 ? 1 : 0, prepared);
        Assert.Equal(kept, new Npgsql.NpgsqlConnectionStringBuilder(db.Database.GetConnectionString()).MaxAutoPrepare);
    }

    private static object? Sample(IProperty property)
    {
        var type = Nullable.GetUnderlyingType(property.ClrType) ?? property.ClrType;
        // Distinct, non-default values, so a column that is written to the wrong place or not at all shows.
        var salt = property.Name.Length;
        return type switch
        {
            _ when type == typeof(string) => $"{property.Name} é ✓ \"quoted\" '{salt}'",
            _ when type == typeof(Guid) => Guid.NewGuid(),
            // Microseconds: what PostgreSQL keeps (the engine allows for the lost ticks when it judges edits).
            _ when type == typeof(DateTime) => new DateTime(2026, 3, 8, 9, 59, salt % 60, DateTimeKind.Utc).AddTicks(1_234_560),
            _ when type == typeof(int) => 1000 + salt,
            _ when type == typeof(long) => 5_000_000_000L + salt,
            _ when type == typeof(bool) => true,
            _ when type == typeof(byte[]) => new byte[] { 0, 1, 2, 255, (byte)salt },
            _ => throw new InvalidOperationException($"no sample for {type}: add one, so the new column is checked"),
        };
    }

    private static bool Equal(object? a, object? b) => a is byte[] x && b is byte[] y ? x.SequenceEqual(y) : Equals(a, b);

    private static async Task<Dictionary<string, (string Type, bool Nullable)>> ColumnsAsync(AppDb db, string table)
    {
        var sql = db.Database.IsNpgsql()
            ? $"SELECT column_name, data_type, is_nullable = 'YES' FROM information_schema.columns WHERE table_schema = 'public' AND table_name = '{table}'"
            : $"SELECT name, type, \"notnull\" = 0 FROM pragma_table_info('{table}')";
        var columns = new Dictionary<string, (string, bool)>();
        await foreach (var r in QueryAsync(db, sql)) columns[r.GetString(0)] = (r.GetString(1), r.GetBoolean(2));
        return columns;
    }

    private static async Task<Dictionary<string, bool>> IndexesAsync(AppDb db, string table)
    {
        var sql = db.Database.IsNpgsql()
            ? $"SELECT i.relname, x.indisunique FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid WHERE t.relname = '{table}'"
            : $"SELECT name, \"unique\" = 1 FROM pragma_index_list('{table}')";
        var indexes = new Dictionary<string, bool>();
        await foreach (var r in QueryAsync(db, sql)) indexes[r.GetString(0)] = r.GetBoolean(1);
        return indexes;
    }

    private static async IAsyncEnumerable<DbDataReader> QueryAsync(AppDb db, string sql)
    {
        var connection = db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open) await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) yield return reader;
    }
}

/// <summary>A fresh, migrated database of either provider, for tests of the store itself.</summary>
public static class TestDatabases
{
    public static TheoryData<string> Providers => new() { "sqlite", "postgres" };

    public static async Task<string> ConnectionStringAsync(string provider) => provider == "postgres"
        ? await PostgresServer.CreateDatabaseAsync("schema")
        : $"Data Source={Path.Combine(Path.GetTempPath(), $"ofu-schema-{Guid.NewGuid():N}.db")};Pooling=false";

    public static async Task<AppDb> MigratedAsync(string provider, string? connection = null)
    {
        var db = Context(provider, connection ?? await ConnectionStringAsync(provider));
        await db.Database.MigrateAsync();
        return db;
    }

    public static AppDb Context(string provider, string connection) => AppDbProviders.Create(provider == "postgres", connection);

}
