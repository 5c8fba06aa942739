using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Options;

namespace OutlookFollowUp.Api.Data;

public static class DataExtensions
{
    /// <summary>The database and the Data Protection key ring in it; a <see cref="SignIn.StartupProblem"/> for a key-ring setting that cannot work.</summary>
    public static IServiceCollection AddAppData(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        services.AddOptions<DatabaseOptions>().Bind(configuration.GetSection("Database"))
            .ValidateDataAnnotations()
            .Validate(o => o.Problem() is null, "Database:Provider must be 'sqlite' or 'postgres'")
            .ValidateOnStart();
        // Pooled: the sweep opens a context per mailbox (and the pane one per request), and building each one's options
        // and services again was processor on every mailbox's path. A pooled context is reset when its scope ends.
        services.AddDbContextPool<SqliteAppDb>((sp, options) => AppDbProviders.Use(options, false, Configured(sp).ConnectionString));
        services.AddDbContextPool<PostgresAppDb>((sp, options) => AppDbProviders.Use(options, true, Configured(sp).ConnectionString));
        services.AddScoped<AppDb>(sp => Configured(sp).IsPostgres ? sp.GetRequiredService<PostgresAppDb>() : sp.GetRequiredService<SqliteAppDb>());
        var keyRing = configuration.GetSection("DataProtection").Get<KeyRingOptions>() ?? new KeyRingOptions();
        // The key ring in the database, so that every instance reads what another encrypted.
        var protection = services.AddDataProtection().SetApplicationName("OutlookFollowUp").PersistKeysToDbContext<AppDb>();
        // The same certificate also reads the keys back (ASP.NET adds it to the decryption certificates), on every instance.
        if (keyRing.LoadCertificate(environment) is { } certificate) protection.ProtectKeysWithCertificate(certificate);
        if (keyRing.LoadPreviousCertificates() is { Length: > 0 } previous) protection.UnprotectKeysWithAnyCertificate(previous);
        return services;
    }

    private static DatabaseOptions Configured(IServiceProvider services) => services.GetRequiredService<IOptions<DatabaseOptions>>().Value;

    // Any fixed 64-bit number unlikely to be another application's advisory lock on the same server ("OFUMIGR1").
    private const long MigrationLock = 0x4F46554D49475231;

    /// <summary>Brings the database to the latest migration before anything reads it.</summary>
    public static async Task MigrateDatabaseAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        var configured = services.GetRequiredService<IOptions<DatabaseOptions>>().Value;
        if (!configured.Migrate) return;
        // Npgsql's migrator finds out whether its history table exists by reading it, so every first start on a new
        // PostgreSQL database logged a failed command as an error (npgsql/efcore.pg#3407). A real failure still ends
        // the start with its own message; only the migrator's log entry is lowered.
        await using var db = AppDbProviders.Create(configured.IsPostgres, configured.ConnectionString,
            o => o.UseLoggerFactory(services.GetRequiredService<ILoggerFactory>())
                .ConfigureWarnings(w => w.Log((RelationalEventId.CommandError, LogLevel.Debug))));
        if (db.Database.IsNpgsql())
        {
            // EF's own migration lock did not keep instances started together on a new database from applying the
            // same migration twice once there were two ("column already exists"): a session advisory lock, held on a
            // connection of its own for the whole migration, lets one instance migrate while the others wait and then
            // find nothing to do.
            await using var gate = new Npgsql.NpgsqlConnection(db.Database.GetConnectionString());
            await gate.OpenAsync(cancellationToken);
            await using (var take = new Npgsql.NpgsqlCommand($"SELECT pg_advisory_lock({MigrationLock})", gate)) await take.ExecuteNonQueryAsync(cancellationToken);
            try
            {
                await db.Database.MigrateAsync(cancellationToken);
            }
            finally
            {
                await using var release = new Npgsql.NpgsqlCommand($"SELECT pg_advisory_unlock({MigrationLock})", gate);
                await release.ExecuteNonQueryAsync(CancellationToken.None);
            }
        }
        else await db.Database.MigrateAsync(cancellationToken);
        if (db.Database.IsSqlite())
        {
            // Readers go on while the sweep writes; a writer waits for another instead of failing at once.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }
    }

    /// <summary>
    /// SQLite in WAL mode with synchronous=NORMAL: commits no longer wait for the disk (the WAL is synced at
    /// checkpoints), which made the sweep's many small transactions the bottleneck of a pass. A killed process loses
    /// nothing; a power cut can lose the last commits (never corrupt the file). Deployments that need more run PostgreSQL.
    /// busy_timeout: a writer that finds the database locked waits in SQLite itself, a millisecond or a few at a time;
    /// without it Microsoft.Data.Sqlite retries after sleeping 150 ms, and the sweep's parallel writers lost a third
    /// of a pass that way (the same 30 s limit as the command timeout).
    /// </summary>
    internal sealed class SqliteTuning : Microsoft.EntityFrameworkCore.Diagnostics.DbConnectionInterceptor
    {
        public static readonly SqliteTuning Instance = new();
        private const string Pragma = "PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;";

        // Both settings belong to the physical connection, which Microsoft.Data.Sqlite pools: EF opens a connection for
        // every query and save, and setting them again on each open was one more statement per database round trip.
        // A handle is marked only once its settings are in: a failed or cancelled first attempt is tried again.
        private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<object, object> TunedHandles = new();

        private static bool IsTuned(System.Data.Common.DbConnection connection) =>
            connection is Microsoft.Data.Sqlite.SqliteConnection { Handle: { } handle } && TunedHandles.TryGetValue(handle, out _);

        private static void MarkTuned(System.Data.Common.DbConnection connection)
        {
            if (connection is Microsoft.Data.Sqlite.SqliteConnection { Handle: { } handle }) TunedHandles.AddOrUpdate(handle, Instance);
        }

        public override void ConnectionOpened(System.Data.Common.DbConnection connection, ConnectionEndEventData eventData)
        {
            if (IsTuned(connection)) return;
            using (var command = connection.CreateCommand())
            {
                command.CommandText = Pragma;
                command.ExecuteNonQuery();
            }
            MarkTuned(connection);
        }

        public override async Task ConnectionOpenedAsync(System.Data.Common.DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            if (IsTuned(connection)) return;
            await using (var command = connection.CreateCommand())
            {
                command.CommandText = Pragma;
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
            MarkTuned(connection);
        }
    }
}
