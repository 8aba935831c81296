using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using PhotoStudio.Data;
using PhotoStudio.Tests.Support;

namespace PhotoStudio.Tests.Features.Clients;

/// <summary>The demo studio with a mail pickup folder of its own, so a test can see which .eml files an erasure deletes.</summary>
public sealed class PrivacyApp : StudioApp
{
    public string MailFolder { get; } = Path.Combine(Path.GetTempPath(), "photostudio-privacy-mail-" + Guid.NewGuid().ToString("N"));

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Mail:PickupDirectory", MailFolder);
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (Directory.Exists(MailFolder)) Directory.Delete(MailFolder, recursive: true);
    }
}

/// <summary>Searching a whole database for text, as an auditor of an erasure would.</summary>
public static class DatabaseSearch
{
    /// <summary>
    /// Every text, varchar, char, json, jsonb and text[] column of every table in the public and quartz schemas, cast to
    /// text and searched with ILIKE for each value: "table.column: value" for each hit.
    /// </summary>
    public static async Task<List<string>> HitsAsync(string connectionString, IReadOnlyCollection<string> values)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var columns = new List<(string Schema, string Table, string Column)>();
        await using (var list = new NpgsqlCommand("""
            SELECT c.table_schema, c.table_name, c.column_name
            FROM information_schema.columns c JOIN information_schema.tables t
              ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
            WHERE c.table_schema IN ('public', 'quartz')
              AND (c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb')
                   OR (c.data_type = 'ARRAY' AND c.udt_name IN ('_text', '_varchar', '_bpchar')))
            ORDER BY 1, 2, 3
            """, connection))
        await using (var reader = await list.ExecuteReaderAsync())
            while (await reader.ReadAsync()) columns.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2)));
        Assert.True(columns.Count > 50, $"only {columns.Count} text columns found");

        var hits = new List<string>();
        foreach (var (schema, table, column) in columns)
            foreach (var value in values)
            {
                // Names of tables and columns cannot be parameters: PostgreSQL's format(%I) quotes them inside the statement.
                await using var search = new NpgsqlCommand("""
                    SELECT (xpath('/row/n/text()', query_to_xml(
                        format('SELECT count(*) AS n FROM %I.%I WHERE %I::text ILIKE %L', @schema, @table, @column, @pattern),
                        false, true, '')))[1]::text::bigint
                    """, connection);
                search.Parameters.AddWithValue("schema", schema);
                search.Parameters.AddWithValue("table", table);
                search.Parameters.AddWithValue("column", column);
                search.Parameters.AddWithValue("pattern", PhotoStudio.Infrastructure.Like.Containing(value));
                if ((long)(await search.ExecuteScalarAsync())! > 0) hits.Add($"{schema}.{table}.{column}: {value}");
            }
        return hits;
    }
}

public static class PrivacySteps
{
    public static async Task<int> ClientIdAsync(this StudioApp app, string email)
    {
        await using var db = app.NewDb();
        return await db.Clients.Where(c => c.Email == email).Select(c => c.Id).SingleAsync();
    }

    /// <summary>Work on the app's own database context (so the audit interceptor records it, as the app's writes are).</summary>
    public static async Task WithDbAsync(this StudioApp app, Func<StudioDb, Task> work)
    {
        await using var scope = app.Scope();
        await work(scope.ServiceProvider.GetRequiredService<StudioDb>());
    }
}
