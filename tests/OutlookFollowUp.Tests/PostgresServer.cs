using Npgsql;

namespace OutlookFollowUp.Tests;

/// <summary>
/// The throwaway PostgreSQL server that tests/run.sh starts on loopback (named by OFU_POSTGRES). Each test class makes
/// databases of its own on it, so classes run in parallel without seeing each other's rows.
/// </summary>
public static class PostgresServer
{
    public static string ConnectionString => Environment.GetEnvironmentVariable("OFU_POSTGRES") is { Length: > 0 } cs
        ? cs
        : throw new InvalidOperationException("OFU_POSTGRES is not set: run the suite with tests/run.sh, which starts a PostgreSQL server for it");

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public static async Task<string> CreateDatabaseAsync(string purpose)
    {
        var name = $"ofu_{purpose.ToLowerInvariant()}_{Guid.NewGuid():N}"[..40];
        await using (var connection = new NpgsqlConnection(ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(ConnectionString) { Database = name }.ConnectionString;
    }
}
