using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using OutlookFollowUp.Api.Data;

namespace OutlookFollowUp.Api.Sweep;

/// <summary>
/// Which instance sweeps which mailbox, kept in the database itself: a claim is one UPDATE that takes due, unleased
/// users. On PostgreSQL the candidates are picked with FOR UPDATE SKIP LOCKED, so instances claiming at the same moment
/// pass over each other's rows instead of waiting; SQLite runs one writer at a time, so the UPDATE alone is atomic.
/// </summary>
public static class Leases
{
    public static async Task<IReadOnlyList<Guid>> ClaimAsync(AppDb db, string owner, DateTime dueBy, DateTime now, TimeSpan lease, int count, CancellationToken cancellationToken)
    {
        var postgres = db.Database.IsNpgsql();
        var sql = $"""
            UPDATE "Users" SET "LeaseOwner" = @owner, "LeaseUntilUtc" = @until
            WHERE "Id" IN (
                SELECT "Id" FROM "Users"
                WHERE "NextSweepUtc" <= @due AND "NeedsSignIn" = @no AND ("LeaseUntilUtc" IS NULL OR "LeaseUntilUtc" < @now)
                ORDER BY "NextSweepUtc" LIMIT @count {(postgres ? "FOR UPDATE SKIP LOCKED" : "")})
            RETURNING "Id"
            """;
        var ids = new List<Guid>();
        await using var command = await CommandAsync(db, sql, cancellationToken,
            ("owner", owner), ("until", now + lease), ("due", dueBy), ("now", now), ("count", count), ("no", false));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) ids.Add(postgres ? reader.GetGuid(0) : Guid.Parse(reader.GetString(0)));
        return ids;
    }

    /// <summary>Extends the lease if it is still this owner's; false: another instance has the user now.</summary>
    public static async Task<bool> RenewAsync(AppDb db, Guid user, string owner, DateTime now, TimeSpan lease, CancellationToken cancellationToken)
    {
        await using var command = await CommandAsync(db,
            """UPDATE "Users" SET "LeaseUntilUtc" = @until WHERE "Id" = @id AND "LeaseOwner" = @owner AND "LeaseUntilUtc" >= @now""",
            cancellationToken, ("until", now + lease), ("id", Id(db, user)), ("owner", owner), ("now", now));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>Gives the user back, if the lease is still this owner's and has not run out at <paramref name="now"/>.</summary>
    public static async Task<bool> ReleaseAsync(AppDb db, Guid user, string owner, DateTime now, CancellationToken cancellationToken)
    {
        await using var command = await CommandAsync(db,
            """UPDATE "Users" SET "LeaseOwner" = NULL, "LeaseUntilUtc" = NULL WHERE "Id" = @id AND "LeaseOwner" = @owner AND "LeaseUntilUtc" >= @now""",
            cancellationToken, ("id", Id(db, user)), ("owner", owner), ("now", now));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    // EF keeps SQLite's Guids as upper-case text.
    private static object Id(AppDb db, Guid id) => db.Database.IsNpgsql() ? id : id.ToString().ToUpperInvariant();

    private static async Task<DbCommand> CommandAsync(AppDb db, string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        var connection = db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open) await db.Database.OpenConnectionAsync(cancellationToken);
        var command = connection.CreateCommand();
        command.CommandText = sql;
        // Inside the caller's transaction, when there is one (Microsoft.Data.Sqlite refuses a command without it).
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        foreach (var (name, value) in parameters)
        {
            var p = command.CreateParameter();
            p.ParameterName = name;
            // SQLite keeps instants as EF writes them: text, sortable, to the tick.
            p.Value = value is DateTime t && !db.Database.IsNpgsql() ? t.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF") : value;
            command.Parameters.Add(p);
        }
        return command;
    }
}
