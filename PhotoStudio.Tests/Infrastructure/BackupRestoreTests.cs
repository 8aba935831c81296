using System.Net;
using Npgsql;
using PhotoStudio.Tests.Support;
using Xunit.Abstractions;

namespace PhotoStudio.Tests.Infrastructure;

/// <summary>
/// ops/backup and ops/restore on real PostgreSQL: the demo studio backed up and restored into a new database holds the
/// same rows in every table, the same sequences, the constraints and triggers that keep bookings apart and the audit
/// trail append-only, and the app serves the board from it; a changed archive and a non-empty target are refused.
/// </summary>
/// <remarks>The fixture's app is never started, so nothing writes to the source database between backup and comparison.</remarks>
public class BackupRestoreTests(StudioApp app, ITestOutputHelper output) : IClassFixture<StudioApp>
{
    private static readonly string Backup = Path.Combine(TestDatabase.RepositoryRoot, "ops", "backup");
    private static readonly string Restore = Path.Combine(TestDatabase.RepositoryRoot, "ops", "restore");

    [Fact]
    public async Task The_demo_studio_backed_up_and_restored_into_a_new_database_is_the_same_and_serves_the_board()
    {
        var folder = Directory.CreateTempSubdirectory("photostudio-backup-");
        var restored = await TestDatabase.CreateEmptyAsync();
        try
        {
            // Two older archives (one with its checksum) and room for two: the oldest goes, the newer one stays.
            foreach (var old in new[] { "photostudio-20200101T000000Z.dump", "photostudio-20200102T000000Z.dump" })
                await File.WriteAllTextAsync(Path.Combine(folder.FullName, old), "old");
            await File.WriteAllTextAsync(Path.Combine(folder.FullName, "photostudio-20200101T000000Z.dump.sha256"), "old");

            var before = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            var backup = await RunAsync(Backup, folder.FullName, app.ConnectionString, ("BACKUP_KEEP", "2"));
            Assert.True(backup.ExitCode == 0, backup.Output);

            var archives = folder.GetFiles("photostudio-*.dump").Select(f => f.Name).Order().ToList();
            Assert.Equal(2, archives.Count);
            Assert.Equal("photostudio-20200102T000000Z.dump", archives[0]);
            Assert.Matches(@"^photostudio-\d{8}T\d{6}Z\.dump$", archives[1]);
            Assert.False(File.Exists(Path.Combine(folder.FullName, "photostudio-20200101T000000Z.dump.sha256")));
            var archive = Path.Combine(folder.FullName, archives[1]);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(archive));

            // The checksum as sha256sum -c reads it, and the metric node_exporter will read.
            var check = await Commands.RunAsync("sha256sum", ["-c", archives[1] + ".sha256"], workingDirectory: folder.FullName);
            Assert.True(check.ExitCode == 0, check.Output);
            var prom = await File.ReadAllTextAsync(Path.Combine(folder.FullName, "photostudio-backup.prom"));
            await Promtool.AssertLintCleanAsync(prom);
            var stamp = long.Parse(prom.Split('\n').Single(l => l.StartsWith("photostudio_backup_last_success_timestamp_seconds ")).Split(' ')[1]);
            Assert.InRange(stamp, before - 1, DateTimeOffset.UtcNow.ToUnixTimeSeconds());

            var restore = await RunAsync(Restore, archive, restored);
            Assert.True(restore.ExitCode == 0, restore.Output);
            output.WriteLine(restore.Stdout.Trim());

            // Every table: its row count and a checksum of its rows' text.
            var source = await TableFingerprintsAsync(app.ConnectionString);
            var copy = await TableFingerprintsAsync(restored);
            Assert.True(source.Count >= 20, $"only {source.Count} tables in the demo studio");
            Assert.True(source.Values.Sum(t => t.Rows) > 100, "the demo studio has hardly any rows");
            Assert.Equal(source.Keys.Order(), copy.Keys.Order());
            foreach (var (table, (rows, md5)) in source.OrderBy(t => t.Key))
            {
                output.WriteLine($"{table,-40} {rows,7} rows  {md5}  {(copy[table] == (rows, md5) ? "equal" : $"RESTORED {copy[table]}")}");
                Assert.Equal((rows, md5), copy[table]);
            }
            output.WriteLine($"{source.Count} tables, {source.Values.Sum(t => t.Rows)} rows, all equal");

            // Sequences go on from where they were, so new rows do not collide with restored ones.
            Assert.Equal(await ListAsync(app.ConnectionString, "SELECT schemaname || '.' || sequencename || '=' || coalesce(last_value, 0) FROM pg_sequences"),
                await ListAsync(restored, "SELECT schemaname || '.' || sequencename || '=' || coalesce(last_value, 0) FROM pg_sequences"));

            // The exclusion constraints that keep bookings from overlapping, and every trigger (the audit trail's among them).
            const string exclusions = "SELECT conrelid::regclass || '.' || conname FROM pg_constraint WHERE contype = 'x'";
            const string triggers = "SELECT tgrelid::regclass || '.' || tgname FROM pg_trigger WHERE NOT tgisinternal";
            var sourceExclusions = await ListAsync(app.ConnectionString, exclusions);
            Assert.NotEmpty(sourceExclusions);
            Assert.Equal(sourceExclusions, await ListAsync(restored, exclusions));
            var sourceTriggers = await ListAsync(app.ConnectionString, triggers);
            Assert.Contains("audit_entries.audit_entries_no_update_or_delete", sourceTriggers);
            Assert.Equal(sourceTriggers, await ListAsync(restored, triggers));
            output.WriteLine($"exclusion constraints: {string.Join(", ", sourceExclusions)}");
            output.WriteLine($"triggers: {string.Join(", ", sourceTriggers)}");

            // And they work: the restored audit trail refuses a delete.
            await using (var connection = new NpgsqlConnection(restored))
            {
                await connection.OpenAsync();
                await using var delete = new NpgsqlCommand("DELETE FROM audit_entries", connection);
                await Assert.ThrowsAsync<PostgresException>(() => delete.ExecuteNonQueryAsync());
            }

            // A second restore into the same (now full) database is refused, and changes nothing.
            var again = await RunAsync(Restore, archive, restored);
            Assert.Equal(1, again.ExitCode);
            Assert.Contains("is not empty", again.Stderr);
            Assert.Equal(copy, await TableFingerprintsAsync(restored));

            // The app starts on the restored database and serves the board to a receptionist.
            await using var instance = AppProcess.Start(restored);
            await instance.WaitUntilReadyAsync();
            using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() })
                { BaseAddress = new Uri(instance.BaseUrl) };
            await client.SignInAsync("reception@demo.studio");
            var board = await client.GetAsync("/board");
            Assert.Equal(HttpStatusCode.OK, board.StatusCode);
            Assert.Contains("id=\"board\"", await board.Content.ReadAsStringAsync());
        }
        finally
        {
            folder.Delete(recursive: true);
            await TestDatabase.DropAsync(restored);
        }
    }

    [Fact]
    public async Task An_archive_with_one_byte_changed_is_refused_before_anything_is_restored()
    {
        var folder = Directory.CreateTempSubdirectory("photostudio-backup-");
        var target = await TestDatabase.CreateEmptyAsync();
        try
        {
            var backup = await RunAsync(Backup, folder.FullName, app.ConnectionString);
            Assert.True(backup.ExitCode == 0, backup.Output);
            var archive = folder.GetFiles("photostudio-*.dump").Single().FullName;

            await using (var file = new FileStream(archive, FileMode.Open, FileAccess.ReadWrite))
            {
                file.Position = file.Length / 2;
                var b = file.ReadByte();
                file.Position = file.Length / 2;
                file.WriteByte((byte)(b ^ 0x01));
            }

            var restore = await RunAsync(Restore, archive, target);
            output.WriteLine(restore.Stderr.Trim());
            Assert.Equal(1, restore.ExitCode);
            Assert.Contains("checksum mismatch", restore.Stderr);
            Assert.Contains("refusing to restore", restore.Stderr);
            Assert.Empty(await TableFingerprintsAsync(target));

            // Without its checksum file an archive is refused too.
            File.Delete(archive + ".sha256");
            var withoutChecksum = await RunAsync(Restore, archive, target);
            Assert.Equal(1, withoutChecksum.ExitCode);
            Assert.Contains(".sha256 is missing", withoutChecksum.Stderr);
            Assert.Empty(await TableFingerprintsAsync(target));
        }
        finally
        {
            folder.Delete(recursive: true);
            await TestDatabase.DropAsync(target);
        }
    }

    private static Task<CommandResult> RunAsync(string script, string argument, string connectionString, params (string Key, string Value)[] more)
    {
        var environment = new Dictionary<string, string?> { ["ConnectionStrings__Studio"] = connectionString };
        foreach (var (key, value) in more) environment[key] = value;
        return Commands.RunAsync(script, [argument], environment);
    }

    /// <summary>Every table of the public schema: its row count and the md5 of its rows' text, in a fixed order.</summary>
    private static async Task<Dictionary<string, (long Rows, string Md5)>> TableFingerprintsAsync(string connectionString)
    {
        var tables = await ListAsync(connectionString, "SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = 'public'");
        var result = new Dictionary<string, (long, string)>();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        foreach (var table in tables)
        {
            await using var command = new NpgsqlCommand(
                $"SELECT count(*), coalesce(md5(string_agg(t::text, '' ORDER BY t::text)), '') FROM {table} t", connection);
            await using var reader = await command.ExecuteReaderAsync();
            await reader.ReadAsync();
            result[table] = (reader.GetInt64(0), reader.GetString(1));
        }
        return result;
    }

    private static async Task<List<string>> ListAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql + " ORDER BY 1", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<string>();
        while (await reader.ReadAsync()) values.Add(reader.GetString(0));
        return values;
    }
}
