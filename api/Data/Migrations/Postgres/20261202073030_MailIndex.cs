using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OutlookFollowUp.Api.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class MailIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "DraftsDeltaLink",
                table: "Users",
                type: "text",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "Mail",
                columns: table => new
                {
                    UserId = table.Column<Guid>(type: "uuid", nullable: false),
                    MessageId = table.Column<string>(type: "text", nullable: false),
                    Folder = table.Column<string>(type: "text", nullable: false),
                    AtUtc = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    Json = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Mail", x => new { x.UserId, x.MessageId });
                });

            migrationBuilder.CreateIndex(
                name: "IX_Mail_UserId_AtUtc",
                table: "Mail",
                columns: new[] { "UserId", "AtUtc" });

            // The index fills from the mail feeds' first sync: links from before it would only bring what changed since.
            migrationBuilder.Sql("UPDATE \"Users\" SET \"InboxDeltaLink\" = NULL, \"SentDeltaLink\" = NULL;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "Mail");

            migrationBuilder.DropColumn(
                name: "DraftsDeltaLink",
                table: "Users");
        }
    }
}
