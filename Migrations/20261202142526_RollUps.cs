using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;
using NpgsqlTypes;

#nullable disable

namespace PhotoStudio.Migrations
{
    /// <inheritdoc />
    public partial class RollUps : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "booking_days",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    day = table.Column<DateOnly>(type: "date", nullable: false),
                    room_id = table.Column<int>(type: "integer", nullable: false),
                    photographer_id = table.Column<int>(type: "integer", nullable: true),
                    service_id = table.Column<int>(type: "integer", nullable: false),
                    status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    bookings = table.Column<int>(type: "integer", nullable: false),
                    revenue = table.Column<decimal>(type: "numeric(18,2)", precision: 18, scale: 2, nullable: false),
                    lead_seconds = table.Column<decimal>(type: "numeric", nullable: false),
                    booked_seconds = table.Column<decimal>(type: "numeric", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_booking_days", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "client_days",
                columns: table => new
                {
                    client_id = table.Column<int>(type: "integer", nullable: false),
                    day = table.Column<DateOnly>(type: "date", nullable: false),
                    bookings = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_client_days", x => new { x.day, x.client_id });
                });

            migrationBuilder.CreateTable(
                name: "client_first_bookings",
                columns: table => new
                {
                    client_id = table.Column<int>(type: "integer", nullable: false),
                    first_created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    days = table.Column<NpgsqlRange<DateOnly>[]>(type: "datemultirange", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_client_first_bookings", x => x.client_id);
                });

            migrationBuilder.CreateTable(
                name: "room_hour_stats",
                columns: table => new
                {
                    day = table.Column<DateOnly>(type: "date", nullable: false),
                    room_id = table.Column<int>(type: "integer", nullable: false),
                    weekday = table.Column<int>(type: "integer", nullable: false),
                    hour = table.Column<int>(type: "integer", nullable: false),
                    quarters = table.Column<int>(type: "integer", nullable: false),
                    booked_seconds = table.Column<decimal>(type: "numeric", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_room_hour_stats", x => new { x.day, x.room_id, x.weekday, x.hour });
                });

            migrationBuilder.CreateIndex(
                name: "ix_bookings_created_at",
                table: "bookings",
                column: "created_at");

            migrationBuilder.CreateIndex(
                name: "ix_booking_days_day_room_id_photographer_id_service_id_status",
                table: "booking_days",
                columns: new[] { "day", "room_id", "photographer_id", "service_id", "status" },
                unique: true)
                .Annotation("Npgsql:NullsDistinct", false);

            migrationBuilder.CreateIndex(
                name: "ix_client_days_client_id_day",
                table: "client_days",
                columns: new[] { "client_id", "day" });

            migrationBuilder.CreateIndex(
                name: "ix_client_first_bookings_first_created_at",
                table: "client_first_bookings",
                column: "first_created_at");

            // The roll-ups are kept by PostgreSQL itself: statement-level triggers on bookings (one per event, each with its
            // transition table) hand the changed rows, +1 for what a statement added and −1 for what it took away, to
            // booking_rollups_apply. The triggers run inside the statement's transaction, so no code path (EF, ExecuteUpdate,
            // a merge of clients, psql) can change a booking without its roll-ups, and a bulk INSERT … SELECT of a million
            // rows costs one pass, not a million. Buckets are the studio's local dates and hours in studio_settings.time_zone;
            // when the zone changes, the trigger on studio_settings rebuilds every roll-up in that same transaction (the
            // buckets of a zone cannot be converted to another: a local date is a different UTC span in each).
            migrationBuilder.Sql("""
                CREATE TYPE booking_rollup_row AS (
                    sign integer, client_id integer, room_id integer, photographer_id integer, service_id integer,
                    status character varying(16), starts_at timestamp with time zone, ends_at timestamp with time zone,
                    created_at timestamp with time zone, price numeric(10,2));

                CREATE FUNCTION booking_rollups_apply(changes booking_rollup_row[]) RETURNS void LANGUAGE plpgsql AS $$
                DECLARE
                    zone text := coalesce((SELECT time_zone FROM studio_settings WHERE id = 1), 'UTC');
                    removals boolean;
                BEGIN
                    IF cardinality(changes) = 0 THEN RETURN; END IF;
                    removals := EXISTS (SELECT 1 FROM unnest(changes) c WHERE c.sign < 0);

                    -- Rows are written in key order, so two transactions touching the same rows cannot deadlock.
                    INSERT INTO booking_days AS s (day, room_id, photographer_id, service_id, status, bookings, revenue, lead_seconds, booked_seconds)
                    SELECT (c.starts_at AT TIME ZONE zone)::date, c.room_id, c.photographer_id, c.service_id, c.status, sum(c.sign),
                           sum(c.sign * c.price), sum(c.sign * EXTRACT(EPOCH FROM c.starts_at - c.created_at)),
                           sum(c.sign * EXTRACT(EPOCH FROM c.ends_at - c.starts_at))
                    FROM unnest(changes) c
                    GROUP BY 1, 2, 3, 4, 5
                    HAVING sum(c.sign) <> 0 OR sum(c.sign * c.price) <> 0 OR sum(c.sign * EXTRACT(EPOCH FROM c.starts_at - c.created_at)) <> 0
                        OR sum(c.sign * EXTRACT(EPOCH FROM c.ends_at - c.starts_at)) <> 0
                    ORDER BY 1, 2, 3, 4, 5
                    ON CONFLICT (day, room_id, photographer_id, service_id, status) DO UPDATE SET
                        bookings = s.bookings + excluded.bookings, revenue = s.revenue + excluded.revenue,
                        lead_seconds = s.lead_seconds + excluded.lead_seconds, booked_seconds = s.booked_seconds + excluded.booked_seconds;

                    -- The heatmap: each live session cut into UTC quarter hours. Every zone's offset is a multiple of 15 minutes,
                    -- so each quarter lies in one local hour; a DST day's repeated hour adds to one cell, a missing one to none.
                    -- The day is the local date the session starts on, as the dashboard's periods count sessions.
                    INSERT INTO room_hour_stats AS s (day, room_id, weekday, hour, quarters, booked_seconds)
                    SELECT q.day, q.room_id, EXTRACT(DOW FROM q.local)::int, EXTRACT(HOUR FROM q.local)::int, sum(q.sign),
                           sum(q.sign * EXTRACT(EPOCH FROM LEAST(q.ends_at, q.slice + interval '15 minutes') - GREATEST(q.starts_at, q.slice)))
                    FROM (
                        SELECT c.sign, c.room_id, c.starts_at, c.ends_at, (c.starts_at AT TIME ZONE zone)::date AS day,
                               s.slice, s.slice AT TIME ZONE zone AS local
                        FROM unnest(changes) c
                        CROSS JOIN LATERAL generate_series(
                            to_timestamp(floor(EXTRACT(EPOCH FROM c.starts_at) / 900) * 900), c.ends_at - interval '1 microsecond',
                            interval '15 minutes') AS s(slice)
                        -- Booking.LiveStatuses: the statuses that hold a room.
                        WHERE c.status IN ('Pending', 'Confirmed', 'Shooting', 'Editing', 'Delivered') AND c.ends_at > c.starts_at
                    ) q
                    GROUP BY 1, 2, 3, 4
                    HAVING sum(q.sign) <> 0
                        OR sum(q.sign * EXTRACT(EPOCH FROM LEAST(q.ends_at, q.slice + interval '15 minutes') - GREATEST(q.starts_at, q.slice))) <> 0
                    ORDER BY 1, 2, 3, 4
                    ON CONFLICT (day, room_id, weekday, hour) DO UPDATE SET
                        quarters = s.quarters + excluded.quarters, booked_seconds = s.booked_seconds + excluded.booked_seconds;

                    INSERT INTO client_days AS s (day, client_id, bookings)
                    SELECT (c.starts_at AT TIME ZONE zone)::date, c.client_id, sum(c.sign)
                    FROM unnest(changes) c
                    GROUP BY 1, 2
                    HAVING sum(c.sign) <> 0
                    ORDER BY 1, 2
                    ON CONFLICT (day, client_id) DO UPDATE SET bookings = s.bookings + excluded.bookings;

                    INSERT INTO client_first_bookings AS f (client_id, first_created_at, days)
                    SELECT c.client_id, min(c.created_at), '{}' FROM unnest(changes) c WHERE c.sign > 0 GROUP BY 1 ORDER BY 1
                    ON CONFLICT (client_id) DO UPDATE SET first_created_at = LEAST(f.first_created_at, excluded.first_created_at);

                    IF removals THEN
                        -- What reached zero goes, so "a client of the period" and "a room with sessions" are rows that exist.
                        DELETE FROM booking_days s WHERE s.bookings = 0
                            AND s.day IN (SELECT (c.starts_at AT TIME ZONE zone)::date FROM unnest(changes) c WHERE c.sign < 0);
                        DELETE FROM room_hour_stats s WHERE s.quarters = 0
                            AND s.day IN (SELECT (c.starts_at AT TIME ZONE zone)::date FROM unnest(changes) c WHERE c.sign < 0);
                        DELETE FROM client_days s WHERE s.bookings = 0
                            AND s.client_id IN (SELECT c.client_id FROM unnest(changes) c WHERE c.sign < 0);

                        -- A client who lost a booking (moved to another client, deleted, made at another time): their first booking
                        -- is read again from bookings. The rows are locked first; the next statement takes a new snapshot (READ
                        -- COMMITTED), so it sees the bookings of any transaction that held them before us.
                        PERFORM 1 FROM client_first_bookings f
                        WHERE f.client_id IN (SELECT c.client_id FROM unnest(changes) c WHERE c.sign < 0)
                        ORDER BY f.client_id FOR UPDATE;
                        UPDATE client_first_bookings f SET first_created_at = m.first
                        FROM (SELECT b.client_id, min(b.created_at) AS first FROM bookings b
                              WHERE b.client_id IN (SELECT c.client_id FROM unnest(changes) c WHERE c.sign < 0) GROUP BY 1) m
                        WHERE f.client_id = m.client_id AND f.first_created_at <> m.first;
                        DELETE FROM client_first_bookings f
                        WHERE f.client_id IN (SELECT c.client_id FROM unnest(changes) c WHERE c.sign < 0)
                          AND NOT EXISTS (SELECT 1 FROM bookings b WHERE b.client_id = f.client_id);
                    END IF;

                    -- The days of every client concerned, read again now that their rows are locked (by the upsert or
                    -- FOR UPDATE above; a new statement, a new snapshot), so two transactions cannot drop each other's days.
                    UPDATE client_first_bookings f SET days = m.days
                    FROM (SELECT d.client_id, range_agg(daterange(d.day, d.day + 1)) AS days FROM client_days d
                          WHERE d.client_id IN (SELECT c.client_id FROM unnest(changes) c) GROUP BY 1) m
                    WHERE f.client_id = m.client_id AND f.days <> m.days;
                END $$;

                CREATE FUNCTION bookings_rollups_insert() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    PERFORM booking_rollups_apply(ARRAY(
                        SELECT ROW(1, n.client_id, n.room_id, n.photographer_id, n.service_id, n.status, n.starts_at, n.ends_at,
                                   n.created_at, n.price)::booking_rollup_row
                        FROM new_rows n));
                    RETURN NULL;
                END $$;

                CREATE FUNCTION bookings_rollups_delete() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    PERFORM booking_rollups_apply(ARRAY(
                        SELECT ROW(-1, o.client_id, o.room_id, o.photographer_id, o.service_id, o.status, o.starts_at, o.ends_at,
                                   o.created_at, o.price)::booking_rollup_row
                        FROM old_rows o));
                    RETURN NULL;
                END $$;

                -- Only the rows whose counted fields changed: an update of notes, reminders or revision costs no roll-up write.
                CREATE FUNCTION bookings_rollups_update() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    PERFORM booking_rollups_apply(ARRAY(
                        SELECT v.r
                        FROM old_rows o JOIN new_rows n ON n.id = o.id,
                        LATERAL (VALUES
                            (ROW(-1, o.client_id, o.room_id, o.photographer_id, o.service_id, o.status, o.starts_at, o.ends_at,
                                 o.created_at, o.price)::booking_rollup_row),
                            (ROW(1, n.client_id, n.room_id, n.photographer_id, n.service_id, n.status, n.starts_at, n.ends_at,
                                 n.created_at, n.price)::booking_rollup_row)) AS v(r)
                        WHERE (o.client_id, o.room_id, o.photographer_id, o.service_id, o.status, o.starts_at, o.ends_at, o.created_at, o.price)
                              IS DISTINCT FROM
                              (n.client_id, n.room_id, n.photographer_id, n.service_id, n.status, n.starts_at, n.ends_at, n.created_at, n.price)));
                    RETURN NULL;
                END $$;

                CREATE TRIGGER bookings_rollups_insert AFTER INSERT ON bookings
                    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION bookings_rollups_insert();
                CREATE TRIGGER bookings_rollups_update AFTER UPDATE ON bookings
                    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION bookings_rollups_update();
                CREATE TRIGGER bookings_rollups_delete AFTER DELETE ON bookings
                    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION bookings_rollups_delete();

                -- Every roll-up again from bookings, in the zone now in studio_settings. Writers of bookings wait (SHARE lock)
                -- until this transaction ends, so no booking is counted in the old zone after the rebuild read them.
                CREATE FUNCTION booking_rollups_rebuild() RETURNS void LANGUAGE plpgsql AS $$
                BEGIN
                    LOCK TABLE bookings IN SHARE MODE;
                    DELETE FROM booking_days;
                    DELETE FROM room_hour_stats;
                    DELETE FROM client_days;
                    DELETE FROM client_first_bookings;
                    PERFORM booking_rollups_apply(ARRAY(
                        SELECT ROW(1, b.client_id, b.room_id, b.photographer_id, b.service_id, b.status, b.starts_at, b.ends_at,
                                   b.created_at, b.price)::booking_rollup_row
                        FROM bookings b));
                END $$;

                CREATE FUNCTION studio_settings_rebuild_rollups() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP = 'INSERT' OR OLD.time_zone IS DISTINCT FROM NEW.time_zone THEN
                        PERFORM booking_rollups_rebuild();
                    END IF;
                    RETURN NULL;
                END $$;

                CREATE TRIGGER studio_settings_time_zone_rebuilds_rollups AFTER INSERT OR UPDATE OF time_zone ON studio_settings
                    FOR EACH ROW EXECUTE FUNCTION studio_settings_rebuild_rollups();

                SELECT booking_rollups_rebuild();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER studio_settings_time_zone_rebuilds_rollups ON studio_settings;
                DROP TRIGGER bookings_rollups_insert ON bookings;
                DROP TRIGGER bookings_rollups_update ON bookings;
                DROP TRIGGER bookings_rollups_delete ON bookings;
                DROP FUNCTION studio_settings_rebuild_rollups();
                DROP FUNCTION booking_rollups_rebuild();
                DROP FUNCTION bookings_rollups_insert();
                DROP FUNCTION bookings_rollups_update();
                DROP FUNCTION bookings_rollups_delete();
                DROP FUNCTION booking_rollups_apply(booking_rollup_row[]);
                DROP TYPE booking_rollup_row;
                """);

            migrationBuilder.DropTable(
                name: "booking_days");

            migrationBuilder.DropTable(
                name: "client_days");

            migrationBuilder.DropTable(
                name: "client_first_bookings");

            migrationBuilder.DropTable(
                name: "room_hour_stats");

            migrationBuilder.DropIndex(
                name: "ix_bookings_created_at",
                table: "bookings");
        }
    }
}
