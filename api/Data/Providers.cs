using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace OutlookFollowUp.Api.Data;

// One context type per provider, as EF's docs advise for migrations with several providers: each type has its own
// migration set and model snapshot, scaffolded by dotnet-ef (Data/Migrations/README.md), and the model is AppDb's.

/// <summary>The database on SQLite (the default: one laptop, one file).</summary>
public sealed class SqliteAppDb(DbContextOptions<SqliteAppDb> options) : AppDb(options);

/// <summary>The database on PostgreSQL (several instances, one server).</summary>
public sealed class PostgresAppDb(DbContextOptions<PostgresAppDb> options) : AppDb(options);

/// <summary>Builds the context of the configured provider.</summary>
public static class AppDbProviders
{
    /// <summary>A context of the provider that <paramref name="postgres"/> names, on <paramref name="connection"/>.</summary>
    public static AppDb Create(bool postgres, string connection, Action<DbContextOptionsBuilder>? configure = null)
    {
        if (postgres)
        {
            var options = new DbContextOptionsBuilder<PostgresAppDb>();
            Use(options, true, connection);
            configure?.Invoke(options);
            return new PostgresAppDb(options.Options);
        }
        var sqlite = new DbContextOptionsBuilder<SqliteAppDb>();
        Use(sqlite, false, connection);
        configure?.Invoke(sqlite);
        return new SqliteAppDb(sqlite.Options);
    }

    internal static void Use(DbContextOptionsBuilder options, bool postgres, string connection)
    {
        if (postgres) options.UseNpgsql(WithAutoPrepare(connection));
        else options.UseSqlite(connection).AddInterceptors(DataExtensions.SqliteTuning.Instance);
    }

    /// <summary>Statements Npgsql keeps prepared per connection when the connection string does not say.</summary>
    public const int DefaultAutoPrepare = 64;

    /// <summary>
    /// <paramref name="connection"/> with Npgsql's automatic preparation on, unless it already says how many statements
    /// to keep prepared (<c>Max Auto Prepare=0</c> turns it off, as behind a pooler that cannot keep prepared statements).
    /// </summary>
    // Every pass of the sweep runs the same few dozen statements, and PostgreSQL parsed and planned each one again:
    // prepared once per connection, the server's processor over the two-instance benchmark fell by about a quarter.
    public static string WithAutoPrepare(string connection)
    {
        // Npgsql's builder answers ContainsKey for every keyword it knows, set or not: the string's own keys say.
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connection };
        if (given.Keys.Cast<string>().Any(k => k.Replace(" ", "").Equals("MaxAutoPrepare", StringComparison.OrdinalIgnoreCase))) return connection;
        return new Npgsql.NpgsqlConnectionStringBuilder(connection) { MaxAutoPrepare = DefaultAutoPrepare }.ConnectionString;
    }
}

// dotnet-ef builds the contexts through these: no server is reached to scaffold a migration.
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteAppDb>
{
    public SqliteAppDb CreateDbContext(string[] args) => (SqliteAppDb)AppDbProviders.Create(false, "Data Source=design-time.db");
}

internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresAppDb>
{
    public PostgresAppDb CreateDbContext(string[] args) => (PostgresAppDb)AppDbProviders.Create(true, "Host=localhost;Database=design-time");
}
