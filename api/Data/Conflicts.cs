using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace OutlookFollowUp.Api.Data;

/// <summary>
/// Two requests of one user (two pane opens, the pane and a sweep, two instances) can both find a row missing and
/// both insert it. The plan they save is the same either way (it is made from the same mailbox), so the one that lost
/// starts over from what the winner saved instead of failing.
/// </summary>
public static class Conflicts
{
    public static bool IsUniqueViolation(DbUpdateException e) => e.InnerException switch
    {
        SqliteException { SqliteErrorCode: 19 } => true, // SQLITE_CONSTRAINT
        PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } => true,
        _ => false,
    };

    /// <summary>Runs <paramref name="work"/>, again from a clean context when it lost an insert race (three tries).</summary>
    public static async Task<T> RetryAsync<T>(AppDb db, Func<Task<T>> work)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await work();
            }
            catch (DbUpdateException e) when (attempt < 3 && IsUniqueViolation(e))
            {
                db.ChangeTracker.Clear();
            }
        }
    }
}
