using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using PhotoStudio.Data;

namespace PhotoStudio.Migrations;

/// <summary>
/// The wizard draft a web booking was confirmed from: unique, so one draft becomes one booking at most, however
/// often it is confirmed. Staff bookings and those made before have none (NULLs never clash).
/// </summary>
[DbContext(typeof(StudioDb))]
[Migration("20261202002000_BookingDraftId")]
public class BookingDraftId : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            ALTER TABLE bookings ADD COLUMN draft_id uuid;

            CREATE UNIQUE INDEX ix_bookings_draft_id ON bookings (draft_id);
            """);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            DROP INDEX ix_bookings_draft_id;
            ALTER TABLE bookings DROP COLUMN draft_id;
            """);
    }
}
