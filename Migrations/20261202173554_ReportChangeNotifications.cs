using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace PhotoStudio.Migrations
{
    /// <summary>
    /// Every statement that changes what the dashboard's figures are made of calls <c>pg_notify('reports', '')</c>: the
    /// roll-ups (which every booking write and the time-zone rebuild reach through their own triggers) and the hours,
    /// closures and staff that the utilization is measured against. Every app instance listening drops the figures it
    /// keeps (settings, rooms and services already say so on the 'studio' channel). One payload for all, so PostgreSQL
    /// folds a transaction's notifications into one.
    /// </summary>
    public partial class ReportChangeNotifications : Migration
    {
        private static readonly string[] Tables =
        [
            "booking_days", "room_hour_stats", "client_first_bookings",
            "business_hours", "closures", "employees", "working_hours", "time_off", "service_employees",
        ];

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE FUNCTION notify_report_change() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    PERFORM pg_notify('reports', '');
                    RETURN NULL;
                END $$;
                """);
            foreach (var table in Tables)
                migrationBuilder.Sql($"""
                    CREATE TRIGGER {table}_notify_report_change
                        AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
                        FOR EACH STATEMENT EXECUTE FUNCTION notify_report_change();
                    """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            foreach (var table in Tables)
                migrationBuilder.Sql($"DROP TRIGGER {table}_notify_report_change ON {table};");
            migrationBuilder.Sql("DROP FUNCTION notify_report_change();");
        }
    }
}
