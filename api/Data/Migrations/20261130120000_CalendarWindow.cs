using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace OutlookFollowUp.Api.Data.Migrations;

// When the calendar feed's window began (Users.CalendarWindowUtc). Existing rows start with none, so their calendar
// feed starts over once on the first pass after the upgrade.
[DbContext(typeof(AppDb))]
[Migration("20261130120000_CalendarWindow")]
public sealed class CalendarWindow : Migration
{
    protected override void Up(MigrationBuilder b) =>
        b.AddColumn<DateTime>("CalendarWindowUtc", "Users", type: new ColumnTypes(ActiveProvider).Instant, nullable: true);

    protected override void Down(MigrationBuilder b) => b.DropColumn("CalendarWindowUtc", "Users");
}
