using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Npgsql;
using PhotoStudio.Data;
using PhotoStudio.Tests.Support;

namespace PhotoStudio.Tests.Data;

/// <summary>
/// Migrations are hand-written, so nothing but this test keeps them in step with the EF model:
/// one database migrated, one created from the model, and their catalogs must agree.
/// </summary>
public class MigrationDriftTests
{
    [Fact]
    public async Task Migrations_create_the_schema_the_model_describes()
    {
        var migrated = await TestDatabase.CreateEmptyAsync();
        var modelled = await TestDatabase.CreateEmptyAsync();
        try
        {
            await using (var db = Context(migrated)) await db.Database.MigrateAsync();
            await using (var db = Context(modelled)) await db.Database.EnsureCreatedAsync();

            var fromMigrations = await CatalogAsync(migrated);
            var fromModel = await CatalogAsync(modelled);

            Assert.Empty(fromModel.Except(fromMigrations).Select(x => "missing from migrations: " + x));
            Assert.Empty(fromMigrations.Except(fromModel).Where(x => !x.Contains("__EFMigrationsHistory") && !x.StartsWith("constraint ex_") && !x.StartsWith("index ex_"))
                .Select(x => "not in the model: " + x));
        }
        finally
        {
            await TestDatabase.DropAsync(migrated);
            await TestDatabase.DropAsync(modelled);
        }
    }

    [Fact]
    public async Task Migrations_add_the_no_double_booking_constraints()
    {
        var migrated = await TestDatabase.CreateEmptyAsync();
        try
        {
            await using (var db = Context(migrated)) await db.Database.MigrateAsync();
            var catalog = await CatalogAsync(migrated);
            Assert.Contains(catalog, x => x.StartsWith("constraint ex_bookings_room_overlap on bookings: EXCLUDE USING gist (room_id WITH =, blocked WITH &&)"));
            Assert.Contains(catalog, x => x.StartsWith("constraint ex_bookings_photographer_overlap on bookings: EXCLUDE USING gist (photographer_id WITH =, blocked WITH &&)"));
        }
        finally
        {
            await TestDatabase.DropAsync(migrated);
        }
    }

    private static StudioDb Context(string connectionString) => new(new DbContextOptionsBuilder<StudioDb>()
        .UseNpgsql(connectionString)
        .ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning))
        .Options);

    /// <summary>Tables, columns (type, nullability, default), indexes, constraints and extensions, as comparable lines.</summary>
    private static async Task<HashSet<string>> CatalogAsync(string connectionString)
    {
        const string sql = """
            SELECT 'table ' || table_name || ' column ' || column_name || ' ' || data_type
                   || coalesce('(' || character_maximum_length || ')', '')
                   || coalesce('(' || numeric_precision || ',' || numeric_scale || ')', '')
                   || CASE WHEN is_nullable = 'YES' THEN ' null' ELSE ' not null' END
                   || CASE WHEN is_identity = 'YES' THEN ' identity' ELSE '' END
                   || coalesce(' default ' || column_default, '')
            FROM information_schema.columns WHERE table_schema = 'public'
            UNION ALL
            SELECT 'index ' || indexname || ': ' || indexdef FROM pg_indexes WHERE schemaname = 'public'
            UNION ALL
            SELECT 'constraint ' || c.conname || ' on ' || t.relname || ': ' || pg_get_constraintdef(c.oid)
            FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace
            WHERE n.nspname = 'public'
            UNION ALL
            SELECT 'extension ' || extname FROM pg_extension
            """;
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await using var reader = await cmd.ExecuteReaderAsync();
        var lines = new HashSet<string>();
        while (await reader.ReadAsync()) lines.Add(reader.GetString(0));
        return lines;
    }
}
