using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace PhotoStudio.Migrations
{
    /// <inheritdoc />
    public partial class Notifications : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "expire_pending_after_hours",
                table: "studio_settings",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "max_send_attempts",
                table: "studio_settings",
                type: "integer",
                nullable: false,
                defaultValue: 8);

            migrationBuilder.AddColumn<List<string>>(
                name: "messages_off",
                table: "studio_settings",
                type: "text[]",
                nullable: false,
                defaultValueSql: "'{}'::text[]");

            migrationBuilder.AddColumn<List<int>>(
                name: "reminder_offsets_minutes",
                table: "studio_settings",
                type: "integer[]",
                nullable: false,
                defaultValueSql: "'{1440,120}'::integer[]");

            migrationBuilder.AddColumn<string>(
                name: "sender_email",
                table: "studio_settings",
                type: "character varying(254)",
                maxLength: 254,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "sender_name",
                table: "studio_settings",
                type: "character varying(200)",
                maxLength: 200,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<List<string>>(
                name: "staff_recipients",
                table: "studio_settings",
                type: "text[]",
                nullable: false,
                defaultValueSql: "'{}'::text[]");

            migrationBuilder.AddColumn<string>(
                name: "language",
                table: "bookings",
                type: "character varying(8)",
                maxLength: 8,
                nullable: false,
                defaultValue: "en");

            migrationBuilder.AddColumn<string>(
                name: "manage_token_sealed",
                table: "bookings",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "revision",
                table: "bookings",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<DateTime>(
                name: "scheduled_at",
                table: "bookings",
                type: "timestamp with time zone",
                nullable: false,
                defaultValue: new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified));

            migrationBuilder.CreateTable(
                name: "calendar_feeds",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    user_id = table.Column<string>(type: "character varying(450)", maxLength: 450, nullable: false),
                    scope = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    room_id = table.Column<int>(type: "integer", nullable: true),
                    token_hash = table.Column<byte[]>(type: "bytea", nullable: false),
                    token_sealed = table.Column<string>(type: "text", nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_calendar_feeds", x => x.id);
                    table.CheckConstraint("ck_calendar_feeds_room", "(scope = 'Room') = (room_id IS NOT NULL)");
                    table.CheckConstraint("ck_calendar_feeds_scope", "scope IN ('Employee','Room','Studio')");
                    table.ForeignKey(
                        name: "fk_calendar_feeds_room_id",
                        column: x => x.room_id,
                        principalTable: "rooms",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_calendar_feeds_user_id",
                        column: x => x.user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "notifications",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    booking_id = table.Column<int>(type: "integer", nullable: false),
                    kind = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    recipient = table.Column<string>(type: "character varying(254)", maxLength: 254, nullable: false),
                    language = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    revision = table.Column<int>(type: "integer", nullable: false),
                    status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    attempts = table.Column<int>(type: "integer", nullable: false),
                    next_attempt_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    last_error = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    subject = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    sent_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    provider_message_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_notifications", x => x.id);
                    table.CheckConstraint("ck_notifications_attempts", "attempts >= 0");
                    table.CheckConstraint("ck_notifications_status", "status IN ('Pending','Sent','Failed','Withdrawn')");
                    table.ForeignKey(
                        name: "fk_notifications_booking_id",
                        column: x => x.booking_id,
                        principalTable: "bookings",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.AddCheckConstraint(
                name: "ck_studio_settings_attempts",
                table: "studio_settings",
                sql: "max_send_attempts BETWEEN 1 AND 50");

            migrationBuilder.AddCheckConstraint(
                name: "ck_studio_settings_expiry",
                table: "studio_settings",
                sql: "expire_pending_after_hours BETWEEN 0 AND 8760");

            migrationBuilder.AddCheckConstraint(
                name: "ck_bookings_language",
                table: "bookings",
                sql: "language IN ('en','ru')");

            migrationBuilder.CreateIndex(
                name: "ix_calendar_feeds_room_id",
                table: "calendar_feeds",
                column: "room_id");

            migrationBuilder.CreateIndex(
                name: "ix_calendar_feeds_token_hash",
                table: "calendar_feeds",
                column: "token_hash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_calendar_feeds_user_id_scope_room_id",
                table: "calendar_feeds",
                columns: new[] { "user_id", "scope", "room_id" },
                unique: true)
                .Annotation("Npgsql:NullsDistinct", false);

            migrationBuilder.CreateIndex(
                name: "ix_notifications_booking_id_kind_recipient_revision",
                table: "notifications",
                columns: new[] { "booking_id", "kind", "recipient", "revision" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_notifications_next_attempt_at",
                table: "notifications",
                column: "next_attempt_at",
                filter: "status = 'Pending'");

            migrationBuilder.CreateIndex(
                name: "ix_notifications_status_created_at",
                table: "notifications",
                columns: new[] { "status", "created_at" });

            // Existing bookings were scheduled when they were made; their messages keep the language they had.
            migrationBuilder.Sql("UPDATE bookings SET scheduled_at = created_at;");
            // The defaults only filled the rows that existed; new rows get their values from the app, as in the model.
            migrationBuilder.Sql("""
                ALTER TABLE bookings ALTER COLUMN scheduled_at DROP DEFAULT, ALTER COLUMN revision DROP DEFAULT;
                ALTER TABLE studio_settings ALTER COLUMN expire_pending_after_hours DROP DEFAULT,
                    ALTER COLUMN sender_email DROP DEFAULT, ALTER COLUMN sender_name DROP DEFAULT;
                """);
            // The outbox page is for the roles that run the studio, as on a fresh install (Roles.DefaultMatrix).
            migrationBuilder.Sql("""
                INSERT INTO role_claims (role_id, claim_type, claim_value)
                SELECT r.id, 'permission', 'notifications.manage' FROM roles r
                WHERE r.name IN ('Admin', 'Manager')
                  AND NOT EXISTS (SELECT 1 FROM role_claims c WHERE c.role_id = r.id AND c.claim_type = 'permission' AND c.claim_value = 'notifications.manage');
                """);
            migrationBuilder.Sql(QuartzSchema);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP SCHEMA quartz CASCADE;");
            migrationBuilder.Sql("DELETE FROM role_claims WHERE claim_type = 'permission' AND claim_value = 'notifications.manage';");

            migrationBuilder.DropTable(
                name: "calendar_feeds");

            migrationBuilder.DropTable(
                name: "notifications");

            migrationBuilder.DropCheckConstraint(
                name: "ck_studio_settings_attempts",
                table: "studio_settings");

            migrationBuilder.DropCheckConstraint(
                name: "ck_studio_settings_expiry",
                table: "studio_settings");

            migrationBuilder.DropCheckConstraint(
                name: "ck_bookings_language",
                table: "bookings");

            migrationBuilder.DropColumn(
                name: "expire_pending_after_hours",
                table: "studio_settings");

            migrationBuilder.DropColumn(
                name: "max_send_attempts",
                table: "studio_settings");

            migrationBuilder.DropColumn(
                name: "messages_off",
                table: "studio_settings");

            migrationBuilder.DropColumn(
                name: "reminder_offsets_minutes",
                table: "studio_settings");

            migrationBuilder.DropColumn(
                name: "sender_email",
                table: "studio_settings");

            migrationBuilder.DropColumn(
                name: "sender_name",
                table: "studio_settings");

            migrationBuilder.DropColumn(
                name: "staff_recipients",
                table: "studio_settings");

            migrationBuilder.DropColumn(
                name: "language",
                table: "bookings");

            migrationBuilder.DropColumn(
                name: "manage_token_sealed",
                table: "bookings");

            migrationBuilder.DropColumn(
                name: "revision",
                table: "bookings");

            migrationBuilder.DropColumn(
                name: "scheduled_at",
                table: "bookings");
        }
    }
}
