using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Npgsql;
using PhotoStudio.Data;
using PhotoStudio.Tests.Support;

namespace PhotoStudio.Tests.Data;

/// <summary>
/// The model snapshot must match the model (else "dotnet ef migrations add" has work to do), the migrations must
/// build the schema the model describes (the early ones are raw SQL), and what EF cannot model must be there.
/// </summary>
public class MigrationDriftTests(MigrationDriftTests.MigratedDatabase migrated) : IClassFixture<MigrationDriftTests.MigratedDatabase>
{
    [Fact]
    public void The_model_has_no_changes_that_a_migration_still_lacks()
    {
        using var db = Context("Host=localhost;Database=unused");
        Assert.False(db.Database.HasPendingModelChanges(),
            "The EF model differs from Migrations/StudioDbModelSnapshot.cs: add a migration (README, \"Adding a migration\").");
    }

    [Fact]
    public async Task Migrations_add_the_triggers_constraints_and_unique_indexes_by_name()
    {
        string[] raw =
        [
            "trigger audit_entries_no_update_or_delete", "trigger audit_entries_no_truncate",
            "trigger users_last_totp_time_step_never_decreases", "trigger audit_entries_erasure_changes_only",
            "constraint ex_bookings_room_overlap", "constraint ex_bookings_photographer_overlap",
            "trigger studio_settings_notify_change", "trigger services_notify_change", "trigger rooms_notify_change",
            "trigger bookings_rollups_insert", "trigger bookings_rollups_update", "trigger bookings_rollups_delete",
            "trigger studio_settings_time_zone_rebuilds_rollups",
        ];
        await using var db = Context(migrated.ConnectionString);
        // Check constraints are design-time metadata: the runtime model drops them.
        var modelled = db.GetService<IDesignTimeModel>().Model.GetEntityTypes().SelectMany(e =>
            e.GetCheckConstraints().Select(c => "constraint " + c.Name)
                .Concat(e.GetIndexes().Where(i => i.IsUnique).Select(i => "index " + i.GetDatabaseName())));
        var names = (await CatalogAsync(migrated.ConnectionString)).Select(x => Regex.Match(x, @"^\w+ \w+").Value);

        Assert.Empty(raw.Concat(modelled).Except(names).Select(x => "missing: " + x));
    }

    [Fact]
    public async Task The_no_double_booking_constraints_hold_exactly_the_statuses_that_hold_a_slot()
    {
        var live = Enum.GetValues<BookingStatus>().Where(Booking.IsLive).Select(s => $"'{s}'::character varying").Order();
        var catalog = await CatalogAsync(migrated.ConnectionString);
        foreach (var name in new[] { "ex_bookings_room_overlap", "ex_bookings_photographer_overlap" })
        {
            var definition = catalog.Single(x => x.StartsWith($"constraint {name} "));
            Assert.Equal(live, Regex.Matches(definition, @"'\w+'::character varying").Select(m => m.Value).Order());
        }
    }

    [Fact]
    public async Task Migrations_create_the_schema_the_model_describes()
    {
        var modelled = await TestDatabase.CreateEmptyAsync();
        try
        {
            await using (var db = Context(modelled)) await db.Database.EnsureCreatedAsync();

            var fromMigrations = await CatalogAsync(migrated.ConnectionString);
            var fromModel = await CatalogAsync(modelled);

            Assert.Empty(fromModel.Except(fromMigrations).Select(x => "missing from migrations: " + x));
            Assert.Empty(fromMigrations.Except(fromModel)
                .Where(x => !x.Contains("__EFMigrationsHistory") && !x.StartsWith("constraint ex_") && !x.StartsWith("index ex_") && !x.StartsWith("trigger "))
                .Select(x => "not in the model: " + x));
        }
        finally
        {
            await TestDatabase.DropAsync(modelled);
        }
    }

    [Fact]
    public async Task Migrations_add_the_no_double_booking_constraints()
    {
        var catalog = await CatalogAsync(migrated.ConnectionString);
        Assert.Contains(catalog, x => x.StartsWith("constraint ex_bookings_room_overlap on bookings: EXCLUDE USING gist (room_id WITH =, blocked WITH &&)"));
        Assert.Contains(catalog, x => x.StartsWith("constraint ex_bookings_photographer_overlap on bookings: EXCLUDE USING gist (photographer_id WITH =, blocked WITH &&)"));
    }

    /// <summary>An empty database taken through every migration, once for the class.</summary>
    public sealed class MigratedDatabase : IAsyncLifetime
    {
        public string ConnectionString { get; private set; } = "";

        public async Task InitializeAsync()
        {
            ConnectionString = await TestDatabase.CreateEmptyAsync();
            await using var db = Context(ConnectionString);
            await db.Database.MigrateAsync();
        }

        public Task DisposeAsync() => TestDatabase.DropAsync(ConnectionString);
    }

    private static StudioDb Context(string connectionString) => new(new DbContextOptionsBuilder<StudioDb>()
        .UseNpgsql(connectionString)
        .ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning))
        .Options);

    /// <summary>Tables, columns (type, nullability, default), indexes, constraints, triggers and extensions, as comparable lines.</summary>
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
            SELECT 'trigger ' || t.tgname || ' on ' || c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND NOT t.tgisinternal
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
