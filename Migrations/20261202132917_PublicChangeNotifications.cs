using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace PhotoStudio.Migrations
{
    /// <summary>
    /// Every statement that changes what the public pages show (the studio's settings, its services and rooms) calls
    /// <c>pg_notify('studio', table)</c>, which PostgreSQL delivers at commit to every app instance listening: each
    /// drops its cached settings and its cached public pages. A trigger, so no write (the admin pages, a seed, SQL by
    /// hand) can forget to say so; per statement, and PostgreSQL folds equal notifications of one transaction into one.
    /// </summary>
    public partial class PublicChangeNotifications : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE FUNCTION notify_studio_change() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    PERFORM pg_notify('studio', TG_TABLE_NAME);
                    RETURN NULL;
                END $$;

                CREATE TRIGGER studio_settings_notify_change
                    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON studio_settings
                    FOR EACH STATEMENT EXECUTE FUNCTION notify_studio_change();
                CREATE TRIGGER services_notify_change
                    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON services
                    FOR EACH STATEMENT EXECUTE FUNCTION notify_studio_change();
                CREATE TRIGGER rooms_notify_change
                    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON rooms
                    FOR EACH STATEMENT EXECUTE FUNCTION notify_studio_change();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER rooms_notify_change ON rooms;
                DROP TRIGGER services_notify_change ON services;
                DROP TRIGGER studio_settings_notify_change ON studio_settings;
                DROP FUNCTION notify_studio_change();
                """);
        }
    }
}
