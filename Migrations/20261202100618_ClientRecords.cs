using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace PhotoStudio.Migrations
{
    /// <inheritdoc />
    public partial class ClientRecords : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterDatabase()
                .Annotation("Npgsql:PostgresExtension:btree_gist", ",,")
                .Annotation("Npgsql:PostgresExtension:pg_trgm", ",,")
                .OldAnnotation("Npgsql:PostgresExtension:btree_gist", ",,");

            migrationBuilder.AddColumn<int>(
                name: "erase_clients_after_months",
                table: "studio_settings",
                type: "integer",
                nullable: true);

            migrationBuilder.AlterColumn<string>(
                name: "source",
                table: "clients",
                type: "character varying(20)",
                maxLength: 20,
                nullable: false,
                oldClrType: typeof(string),
                oldType: "text");

            migrationBuilder.AlterColumn<string>(
                name: "notes",
                table: "clients",
                type: "character varying(4000)",
                maxLength: 4000,
                nullable: false,
                oldClrType: typeof(string),
                oldType: "text");


            migrationBuilder.AddColumn<string>(
                name: "phone_digits",
                table: "clients",
                type: "text",
                nullable: false,
                computedColumnSql: "regexp_replace(phone, '[^0-9]', '', 'g')",
                stored: true);

            migrationBuilder.AddColumn<string>(
                name: "search_text",
                table: "clients",
                type: "text",
                nullable: false,
                computedColumnSql: "name || ' ' || email || ' ' || phone || ' ' || regexp_replace(phone, '[^0-9]', '', 'g')",
                stored: true);

            migrationBuilder.CreateTable(
                name: "client_consents",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    client_id = table.Column<int>(type: "integer", nullable: false),
                    kind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    granted = table.Column<bool>(type: "boolean", nullable: false),
                    at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    source = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    by = table.Column<string>(type: "character varying(450)", maxLength: 450, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_client_consents", x => x.id);
                    table.CheckConstraint("ck_client_consents_kind", "kind IN ('terms','marketing')");
                    table.ForeignKey(
                        name: "fk_client_consents_client_id",
                        column: x => x.client_id,
                        principalTable: "clients",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "client_notes",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    client_id = table.Column<int>(type: "integer", nullable: false),
                    author_id = table.Column<string>(type: "character varying(450)", maxLength: 450, nullable: false),
                    author_name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    text = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_client_notes", x => x.id);
                    table.ForeignKey(
                        name: "fk_client_notes_client_id",
                        column: x => x.client_id,
                        principalTable: "clients",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.AddCheckConstraint(
                name: "ck_studio_settings_erase_after",
                table: "studio_settings",
                sql: "erase_clients_after_months BETWEEN 1 AND 240");

            migrationBuilder.CreateIndex(
                name: "ix_clients_phone_digits",
                table: "clients",
                column: "phone_digits");

            migrationBuilder.CreateIndex(
                name: "ix_clients_search_text",
                table: "clients",
                column: "search_text")
                .Annotation("Npgsql:IndexMethod", "gin")
                .Annotation("Npgsql:IndexOperators", new[] { "gin_trgm_ops" });

            migrationBuilder.CreateIndex(
                name: "ix_clients_tags",
                table: "clients",
                column: "tags")
                .Annotation("Npgsql:IndexMethod", "gin");

            migrationBuilder.CreateIndex(
                name: "ix_client_consents_client_id_at",
                table: "client_consents",
                columns: new[] { "client_id", "at" });

            migrationBuilder.CreateIndex(
                name: "ix_client_notes_client_id_at",
                table: "client_notes",
                columns: new[] { "client_id", "at" });

            // xmin is PostgreSQL's own system column: the model maps it as the row version, nothing is added.

            // The consent log starts with what the client rows already say.
            migrationBuilder.Sql("""
                INSERT INTO client_consents (client_id, kind, granted, at, source, by)
                SELECT id, 'terms', true, terms_accepted_at, left(source, 20), 'client' FROM clients WHERE terms_accepted_at IS NOT NULL;
                INSERT INTO client_consents (client_id, kind, granted, at, source, by)
                SELECT id, 'marketing', true, coalesce(terms_accepted_at, created_at), left(source, 20), 'client' FROM clients WHERE marketing_opt_in;
                """);

            // Client records are for the roles that run the studio and its front desk, as on a fresh install (Roles.DefaultMatrix).
            migrationBuilder.Sql("""
                INSERT INTO role_claims (role_id, claim_type, claim_value)
                SELECT r.id, 'permission', p.value FROM roles r
                JOIN (VALUES ('Admin', 'clients.view'), ('Admin', 'clients.manage'), ('Admin', 'clients.export'), ('Admin', 'clients.erase'),
                             ('Manager', 'clients.view'), ('Manager', 'clients.manage'), ('Manager', 'clients.export'), ('Manager', 'clients.erase'),
                             ('Receptionist', 'clients.view'), ('Receptionist', 'clients.manage')) AS p(role, value) ON p.role = r.name
                WHERE NOT EXISTS (SELECT 1 FROM role_claims c WHERE c.role_id = r.id AND c.claim_type = 'permission' AND c.claim_value = p.value);
                """);

            // Erasure (GDPR) must reach personal data inside audit values, so the append-only rule gains one exception:
            // inside a transaction that set photostudio.erasure = 'on' (SET LOCAL), an UPDATE may rewrite the changes
            // column (personal values) and the ip column (a client's own address) and nothing else. Deleting and
            // truncating stay refused.
            migrationBuilder.Sql("""
                CREATE OR REPLACE FUNCTION audit_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP = 'UPDATE' AND coalesce(current_setting('photostudio.erasure', true), '') = 'on' THEN
                        RETURN NULL;
                    END IF;
                    RAISE EXCEPTION 'audit_entries is append-only' USING ERRCODE = 'insufficient_privilege';
                END $$;

                CREATE FUNCTION audit_entries_erasure_changes_only() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF (to_jsonb(NEW) - 'changes' - 'ip') IS DISTINCT FROM (to_jsonb(OLD) - 'changes' - 'ip') THEN
                        RAISE EXCEPTION 'erasure may only rewrite audit_entries.changes and ip' USING ERRCODE = 'insufficient_privilege';
                    END IF;
                    RETURN NEW;
                END $$;

                CREATE TRIGGER audit_entries_erasure_changes_only
                    BEFORE UPDATE ON audit_entries
                    FOR EACH ROW EXECUTE FUNCTION audit_entries_erasure_changes_only();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER audit_entries_erasure_changes_only ON audit_entries;
                DROP FUNCTION audit_entries_erasure_changes_only();
                CREATE OR REPLACE FUNCTION audit_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    RAISE EXCEPTION 'audit_entries is append-only' USING ERRCODE = 'insufficient_privilege';
                END $$;
                """);

            migrationBuilder.DropTable(
                name: "client_consents");

            migrationBuilder.DropTable(
                name: "client_notes");

            migrationBuilder.DropCheckConstraint(
                name: "ck_studio_settings_erase_after",
                table: "studio_settings");

            migrationBuilder.DropIndex(
                name: "ix_clients_phone_digits",
                table: "clients");

            migrationBuilder.DropIndex(
                name: "ix_clients_search_text",
                table: "clients");

            migrationBuilder.DropIndex(
                name: "ix_clients_tags",
                table: "clients");

            migrationBuilder.DropColumn(
                name: "phone_digits",
                table: "clients");

            migrationBuilder.DropColumn(
                name: "search_text",
                table: "clients");

            migrationBuilder.DropColumn(
                name: "erase_clients_after_months",
                table: "studio_settings");


            migrationBuilder.AlterDatabase()
                .Annotation("Npgsql:PostgresExtension:btree_gist", ",,")
                .OldAnnotation("Npgsql:PostgresExtension:btree_gist", ",,")
                .OldAnnotation("Npgsql:PostgresExtension:pg_trgm", ",,");

            migrationBuilder.AlterColumn<string>(
                name: "source",
                table: "clients",
                type: "text",
                nullable: false,
                oldClrType: typeof(string),
                oldType: "character varying(20)",
                oldMaxLength: 20);

            migrationBuilder.AlterColumn<string>(
                name: "notes",
                table: "clients",
                type: "text",
                nullable: false,
                oldClrType: typeof(string),
                oldType: "character varying(4000)",
                oldMaxLength: 4000);
        }
    }
}
