using System.Diagnostics;
using Npgsql;

namespace PhotoStudio.Tests.Support;

/// <summary>
/// The real PostgreSQL every data test runs on. Uses ConnectionStrings__Studio when set (./ops/test sets it);
/// otherwise starts a private cluster under .data/test-pg with ops/lib/pg.sh. A template database is built
/// once per run (migrated and seeded with the demo studio by the app itself); each test class gets a copy.
/// </summary>
public static class TestDatabase
{
    public const string TemplateName = "photostudio_template";
    private static readonly Lazy<Task<string>> Server = new(StartServerAsync);
    private static readonly SemaphoreSlim TemplateLock = new(1, 1);
    private static bool templateReady;
    private static int counter;

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>Connection string to the server's maintenance database.</summary>
    public static Task<string> ServerConnectionStringAsync() => Server.Value;

    public static async Task<string> ConnectionStringFor(string database) =>
        new NpgsqlConnectionStringBuilder(await Server.Value) { Database = database, Pooling = true }.ConnectionString;

    /// <summary>Creates a fresh database copied from the template and returns its connection string.</summary>
    public static async Task<string> CreateCopyAsync(Func<string, Task> buildTemplate)
    {
        await EnsureTemplateAsync(buildTemplate);
        var name = $"test_{Environment.ProcessId}_{Interlocked.Increment(ref counter)}";
        // CREATE DATABASE … TEMPLATE needs the template to have no other sessions, so copies are taken one at a time.
        await TemplateLock.WaitAsync();
        try
        {
            await ExecuteAsync($"DROP DATABASE IF EXISTS {name} WITH (FORCE)"); // an interrupted run of a process with this id
            await ExecuteAsync($"CREATE DATABASE {name} TEMPLATE {TemplateName}");
        }
        finally
        {
            TemplateLock.Release();
        }
        return await ConnectionStringFor(name);
    }

    /// <summary>An empty database (not even migrated), for tests of migrations themselves.</summary>
    public static async Task<string> CreateEmptyAsync()
    {
        var name = $"test_{Environment.ProcessId}_{Interlocked.Increment(ref counter)}";
        await ExecuteAsync($"DROP DATABASE IF EXISTS {name} WITH (FORCE)"); // an interrupted run of a process with this id
        await ExecuteAsync($"CREATE DATABASE {name}");
        return await ConnectionStringFor(name);
    }

    public static async Task DropAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        NpgsqlConnection.ClearAllPools();
        await ExecuteAsync($"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
    }

    private static async Task EnsureTemplateAsync(Func<string, Task> buildTemplate)
    {
        if (Volatile.Read(ref templateReady)) return;
        await TemplateLock.WaitAsync();
        try
        {
            if (templateReady) return;
            // Leftovers of an earlier, interrupted run; not this run's own (an empty database made before the template).
            await using (var conn = new NpgsqlConnection(await Server.Value))
            {
                await conn.OpenAsync();
                var stale = new List<string>();
                await using (var cmd = new NpgsqlCommand(
                    "SELECT datname FROM pg_database WHERE (datname LIKE 'test\\_%' AND datname NOT LIKE @ours) OR datname = @t", conn))
                {
                    cmd.Parameters.AddWithValue("t", TemplateName);
                    cmd.Parameters.AddWithValue("ours", $"test\\_{Environment.ProcessId}\\_%");
                    await using var reader = await cmd.ExecuteReaderAsync();
                    while (await reader.ReadAsync()) stale.Add(reader.GetString(0));
                }
                foreach (var db in stale)
                    await new NpgsqlCommand($"DROP DATABASE IF EXISTS {db} WITH (FORCE)", conn).ExecuteNonQueryAsync();
                await new NpgsqlCommand($"CREATE DATABASE {TemplateName}", conn).ExecuteNonQueryAsync();
            }
            await buildTemplate(await ConnectionStringFor(TemplateName));
            NpgsqlConnection.ClearAllPools();
            templateReady = true;
        }
        finally
        {
            TemplateLock.Release();
        }
    }

    private static async Task ExecuteAsync(string sql)
    {
        await using var conn = new NpgsqlConnection(await Server.Value);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    private static async Task<string> StartServerAsync()
    {
        var configured = Environment.GetEnvironmentVariable("ConnectionStrings__Studio");
        if (!string.IsNullOrEmpty(configured))
            return new NpgsqlConnectionStringBuilder(configured) { Database = "postgres" }.ConnectionString;

        const int port = 55433;
        var dir = Path.Combine(RepositoryRoot, ".data", "test-pg");
        await PgShAsync($"pg_start '{dir}' {port}", "start PostgreSQL for the tests");
        return $"Host=127.0.0.1;Port={port};Database=postgres;Username=postgres";
    }

    /// <summary>Runs bash <paramref name="commands"/> with ops/lib/pg.sh sourced; returns their standard output, or fails with all they wrote.</summary>
    internal static async Task<string> PgShAsync(string commands, string what)
    {
        var script = Path.Combine(RepositoryRoot, "ops", "lib", "pg.sh");
        var psi = new ProcessStartInfo("bash", ["-c", $"source '{script}' && {commands}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(psi)!;
        var (stdout, stderr) = (process.StandardOutput.ReadToEndAsync(), process.StandardError.ReadToEndAsync());
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"Could not {what}:\n{await stdout}{await stderr}");
        return await stdout;
    }

    private static string FindRepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "PhotoStudio.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("PhotoStudio.sln not found above the test binaries");
    }
}
