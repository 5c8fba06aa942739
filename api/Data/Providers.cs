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
        if (postgres) options.UseNpgsql(connection);
        else options.UseSqlite(connection).AddInterceptors(DataExtensions.SqliteTuning.Instance);
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
