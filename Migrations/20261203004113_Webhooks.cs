using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace PhotoStudio.Migrations
{
    /// <inheritdoc />
    public partial class Webhooks : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "webhook_endpoints",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    url = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    secret_sealed = table.Column<string>(type: "text", nullable: false),
                    events = table.Column<string[]>(type: "text[]", nullable: false),
                    enabled = table.Column<bool>(type: "boolean", nullable: false),
                    created_by_user_id = table.Column<string>(type: "character varying(450)", maxLength: 450, nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    failing_since = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    disabled_reason = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_webhook_endpoints", x => x.id);
                    table.CheckConstraint("ck_webhook_endpoints_events", "cardinality(events) > 0");
                    table.ForeignKey(
                        name: "fk_webhook_endpoints_created_by_user_id",
                        column: x => x.created_by_user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "webhook_events",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    type = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    resource_id = table.Column<int>(type: "integer", nullable: false),
                    at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_webhook_events", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "webhook_deliveries",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    event_id = table.Column<long>(type: "bigint", nullable: false),
                    endpoint_id = table.Column<int>(type: "integer", nullable: false),
                    status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    attempts = table.Column<int>(type: "integer", nullable: false),
                    next_attempt_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    last_status_code = table.Column<int>(type: "integer", nullable: true),
                    last_error = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    delivered_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_webhook_deliveries", x => x.id);
                    table.ForeignKey(
                        name: "fk_webhook_deliveries_endpoint_id",
                        column: x => x.endpoint_id,
                        principalTable: "webhook_endpoints",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_webhook_deliveries_event_id",
                        column: x => x.event_id,
                        principalTable: "webhook_events",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_webhook_deliveries_endpoint_id",
                table: "webhook_deliveries",
                column: "endpoint_id");

            migrationBuilder.CreateIndex(
                name: "ix_webhook_deliveries_event_id_endpoint_id",
                table: "webhook_deliveries",
                columns: new[] { "event_id", "endpoint_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_webhook_deliveries_next_attempt_at",
                table: "webhook_deliveries",
                column: "next_attempt_at",
                filter: "status = 'Pending'");

            migrationBuilder.CreateIndex(
                name: "ix_webhook_endpoints_created_by_user_id",
                table: "webhook_endpoints",
                column: "created_by_user_id");

            // What happens to bookings and clients, as webhook events with one delivery per subscribed endpoint, written
            // by the tables themselves in the change's own transaction: every path that writes (the wizard's SQL, the
            // front desk, the board, the API, merges and erasure) is covered, and nothing is written while no enabled
            // endpoint wants that event.
            migrationBuilder.Sql("""
                CREATE FUNCTION webhook_event(kind text, resource integer) RETURNS void LANGUAGE plpgsql AS $$
                DECLARE
                    event_id bigint;
                BEGIN
                    IF NOT EXISTS (SELECT 1 FROM webhook_endpoints WHERE enabled AND kind = ANY (events)) THEN
                        RETURN;
                    END IF;
                    INSERT INTO webhook_events (type, resource_id, at) VALUES (kind, resource, now()) RETURNING id INTO event_id;
                    INSERT INTO webhook_deliveries (event_id, endpoint_id, status, attempts, next_attempt_at, last_error, created_at)
                    SELECT event_id, id, 'Pending', 0, now(), '', now() FROM webhook_endpoints WHERE enabled AND kind = ANY (events);
                    PERFORM pg_notify('webhooks', '');
                END $$;

                CREATE FUNCTION bookings_webhook_event() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP = 'INSERT' THEN
                        PERFORM webhook_event('booking.created', NEW.id);
                    ELSIF NEW.status IS DISTINCT FROM OLD.status THEN
                        PERFORM webhook_event(CASE WHEN NEW.status = 'Cancelled' THEN 'booking.cancelled' ELSE 'booking.status_changed' END, NEW.id);
                    ELSIF (NEW.starts_at, NEW.ends_at, NEW.room_id, NEW.photographer_id, NEW.guests, NEW.client_id, NEW.client_notes, NEW.price, NEW.language)
                          IS DISTINCT FROM
                          (OLD.starts_at, OLD.ends_at, OLD.room_id, OLD.photographer_id, OLD.guests, OLD.client_id, OLD.client_notes, OLD.price, OLD.language) THEN
                        PERFORM webhook_event('booking.updated', NEW.id);
                    END IF;
                    RETURN NULL;
                END $$;

                CREATE TRIGGER bookings_webhook_event AFTER INSERT OR UPDATE ON bookings
                    FOR EACH ROW EXECUTE FUNCTION bookings_webhook_event();

                CREATE FUNCTION clients_webhook_event() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP = 'INSERT' THEN
                        PERFORM webhook_event('client.created', NEW.id);
                    ELSIF NEW.erased_at IS NOT NULL AND OLD.erased_at IS NULL THEN
                        PERFORM webhook_event('client.erased', NEW.id);
                    ELSIF NEW.erased_at IS NULL
                          AND (NEW.name, NEW.email, NEW.phone, NEW.notes, NEW.tags, NEW.marketing_opt_in)
                              IS DISTINCT FROM (OLD.name, OLD.email, OLD.phone, OLD.notes, OLD.tags, OLD.marketing_opt_in) THEN
                        PERFORM webhook_event('client.updated', NEW.id);
                    END IF;
                    RETURN NULL;
                END $$;

                CREATE TRIGGER clients_webhook_event AFTER INSERT OR UPDATE ON clients
                    FOR EACH ROW EXECUTE FUNCTION clients_webhook_event();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER clients_webhook_event ON clients;
                DROP TRIGGER bookings_webhook_event ON bookings;
                DROP FUNCTION clients_webhook_event();
                DROP FUNCTION bookings_webhook_event();
                DROP FUNCTION webhook_event(text, integer);
                """);
            migrationBuilder.DropTable(
                name: "webhook_deliveries");

            migrationBuilder.DropTable(
                name: "webhook_endpoints");

            migrationBuilder.DropTable(
                name: "webhook_events");
        }
    }
}
