using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using PhotoStudio.Data;

namespace PhotoStudio.Migrations;

/// <summary>
/// A board event names the photographer a reassignment took the booking from, so that photographer's stream,
/// which only hears of their own bookings, still learns the card has gone. History, so no foreign key.
/// </summary>
[DbContext(typeof(StudioDb))]
[Migration("20261202004000_BoardEventPreviousPhotographer")]
public class BoardEventPreviousPhotographer : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("ALTER TABLE board_events ADD COLUMN previous_photographer_id integer;");
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("ALTER TABLE board_events DROP COLUMN previous_photographer_id;");
    }
}
