using System.ComponentModel.DataAnnotations;

namespace OutlookFollowUp.Api.Data;

/// <summary>Where the service keeps its state. Section <c>Database</c>.</summary>
public sealed class DatabaseOptions
{
    /// <summary>
    /// <c>sqlite</c> or <c>postgres</c>; when empty, read from the connection string (<c>Host=</c> means PostgreSQL).
    /// </summary>
    public string? Provider { get; set; }

    /// <summary>Default: a SQLite file in the working directory.</summary>
    [Required]
    public string ConnectionString { get; set; } = "Data Source=outlookfollowup.db";

    /// <summary>Apply migrations at start-up (on PostgreSQL under an advisory lock, so several instances can start at once).</summary>
    public bool Migrate { get; set; } = true;

    internal bool IsPostgres => string.Equals(Provider, "postgres", StringComparison.OrdinalIgnoreCase)
        || (string.IsNullOrEmpty(Provider) && ConnectionString.Contains("Host=", StringComparison.OrdinalIgnoreCase));

    internal string? Problem() =>
        Provider is { Length: > 0 } p && p is not ("sqlite" or "postgres")
            ? $"Database:Provider is '{p}': use 'sqlite' or 'postgres'"
            : null;
}
