using Microsoft.EntityFrameworkCore.Migrations.Operations;
using Microsoft.EntityFrameworkCore.Migrations.Operations.Builders;

namespace OutlookFollowUp.Api.Data.Migrations;

/// <summary>The column types of the hand-written migrations, by provider (one migration set serves both).</summary>
internal sealed class ColumnTypes(string? provider)
{
    private readonly bool _postgres = provider == "Npgsql.EntityFrameworkCore.PostgreSQL";
    public string Guid => _postgres ? "uuid" : "TEXT";
    public string Text => _postgres ? "text" : "TEXT";
    public string Instant => _postgres ? "timestamp with time zone" : "TEXT";
    public string Int => _postgres ? "integer" : "INTEGER";
    public string Long => _postgres ? "bigint" : "INTEGER";
    public string Bool => _postgres ? "boolean" : "INTEGER";
    public string Bytes => _postgres ? "bytea" : "BLOB";

    public OperationBuilder<AddColumnOperation> Identity(OperationBuilder<AddColumnOperation> column) => _postgres
        ? column.Annotation("Npgsql:ValueGenerationStrategy", Npgsql.EntityFrameworkCore.PostgreSQL.Metadata.NpgsqlValueGenerationStrategy.IdentityByDefaultColumn)
        : column.Annotation("Sqlite:Autoincrement", true);
}
