using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace PhotoStudio.Migrations
{
    /// <inheritdoc />
    public partial class ApiIdempotencyKeys : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "api_idempotency_keys",
                columns: table => new
                {
                    api_key_id = table.Column<int>(type: "integer", nullable: false),
                    key = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    request_hash = table.Column<byte[]>(type: "bytea", nullable: false),
                    booking_id = table.Column<int>(type: "integer", nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_api_idempotency_keys", x => new { x.api_key_id, x.key });
                    table.CheckConstraint("ck_api_idempotency_keys_request_hash", "length(request_hash) = 32");
                    table.ForeignKey(
                        name: "fk_api_idempotency_keys_api_key_id",
                        column: x => x.api_key_id,
                        principalTable: "api_keys",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_api_idempotency_keys_booking_id",
                        column: x => x.booking_id,
                        principalTable: "bookings",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_api_idempotency_keys_booking_id",
                table: "api_idempotency_keys",
                column: "booking_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "api_idempotency_keys");
        }
    }
}
