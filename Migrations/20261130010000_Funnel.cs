using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using PhotoStudio.Data;

namespace PhotoStudio.Migrations;

/// <summary>The booking funnel: one counter per studio-local day and wizard step, no visitor data.</summary>
[DbContext(typeof(StudioDb))]
[Migration("20261130010000_Funnel")]
public class Funnel : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            CREATE TABLE funnel_counts (
                day date NOT NULL,
                step smallint NOT NULL,
                count integer NOT NULL,
                CONSTRAINT pk_funnel_counts PRIMARY KEY (day, step),
                CONSTRAINT ck_funnel_counts_step CHECK (step BETWEEN 1 AND 6)
            );
            """);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("DROP TABLE funnel_counts;");
    }
}
