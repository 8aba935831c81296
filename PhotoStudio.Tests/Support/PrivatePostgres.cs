using Npgsql;

namespace PhotoStudio.Tests.Support;

/// <summary>
/// A PostgreSQL cluster of one test class's own (ops/lib/pg.sh, in a temporary folder, on a free port or the one given),
/// for tests that crash the server itself: the suite's shared server must stay up for the classes running beside them.
/// Stopped and deleted on dispose.
/// </summary>
public sealed class PrivatePostgres : IAsyncDisposable
{
    private readonly string folder;
    private string dataDirectory;

    private PrivatePostgres(string folder, int port)
    {
        this.folder = folder;
        dataDirectory = Path.Combine(folder, "pg");
        Port = port;
    }

    public int Port { get; }

    /// <summary>Connection string to the cluster's maintenance database.</summary>
    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Database=postgres;Username=postgres";

    public static async Task<PrivatePostgres> StartAsync(int? port = null)
    {
        var server = new PrivatePostgres(Path.Combine(Path.GetTempPath(), $"photostudio-private-pg-{Guid.NewGuid():N}"), port ?? AppProcess.FreePort());
        // pg.sh may put the data elsewhere (when user postgres cannot reach the folder); it says where.
        server.dataDirectory = (await TestDatabase.PgShAsync($"pg_start '{server.dataDirectory}' {server.Port} && echo \"$PG_DATA_DIR\"",
            $"start a private PostgreSQL on port {server.Port}")).Trim();
        return server;
    }

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string name)
    {
        await using (var connection = new NpgsqlConnection(ConnectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await create.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(ConnectionString) { Database = name }.ConnectionString;
    }

    /// <summary>
    /// <c>pg_ctl restart -m immediate</c>: every session dies at once, nothing is checkpointed, and the start replays the
    /// WAL, as after a power cut. Returns once the server accepts connections again.
    /// </summary>
    public Task CrashRestartAsync() =>
        TestDatabase.PgShAsync($"pg_restart_immediate '{dataDirectory}'", $"crash-restart the private PostgreSQL on port {Port}");

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        try
        {
            await TestDatabase.PgShAsync($"pg_stop '{dataDirectory}'", $"stop the private PostgreSQL on port {Port}");
        }
        finally
        {
            foreach (var path in new[] { folder, dataDirectory }.Distinct())
                if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
        }
    }
}
