using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PhotoStudio.Features.Search;
using PhotoStudio.Tests.Support;
using Xunit.Abstractions;

namespace PhotoStudio.Tests.Features.Search;

/// <summary>
/// At 100,000 clients (names of random letters, so as alike as real ones) the client search is an index lookup, not a
/// scan of the table.
/// </summary>
public class SearchIndexTests(StudioApp app, ITestOutputHelper output) : IClassFixture<StudioApp>
{
    [Fact]
    public async Task The_client_search_uses_the_trigram_index_over_100000_clients()
    {
        await using (var db = app.NewDb())
        {
            db.Database.SetCommandTimeout(TimeSpan.FromMinutes(5));
            await db.Database.ExecuteSqlAsync($"""
                INSERT INTO clients (name, email, phone, notes, tags, marketing_opt_in, source, created_at)
                SELECT initcap(substr(md5(g::text), 1, 7)) || ' ' || initcap(substr(md5((g * 7)::text), 1, 9)),
                       'bulk' || g || '@example.net', '+49 30 ' || lpad(g::text, 7, '0'), '', ARRAY[]::text[], false, 'web', now()
                FROM generate_series(1, 100000) g
                """);
            await db.Database.ExecuteSqlAsync($"ANALYZE clients");
        }

        await using var scope = app.Scope();
        var search = scope.ServiceProvider.GetRequiredService<GlobalSearch>();
        var query = search.ClientsQuery("bulk54321@");
        output.WriteLine(query.ToQueryString());
        var plan = await ExplainAsync(query.CreateDbCommand());
        output.WriteLine(plan);

        Assert.Contains("Bitmap Index Scan on ix_clients_search_text", plan);
        Assert.Equal(["bulk54321@example.net"], (await query.ToListAsync()).Select(c => c.Email));

        // Not a speed test: how long the whole list of possible duplicates takes at this size, for the record.
        var finder = scope.ServiceProvider.GetRequiredService<PhotoStudio.Features.Clients.DuplicateFinder>();
        var state = new PhotoStudio.Infrastructure.TableState("/clients/duplicates", new Dictionary<string, string>(), "#duplicates-table");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var list = await finder.ListAsync(state, null, CancellationToken.None);
        output.WriteLine($"Possible duplicates among {100_000 + 41:N0} clients: {list!.Pairs.Total} pairs, first page in {clock.ElapsedMilliseconds} ms");
        clock.Restart();
        var one = await finder.ListAsync(state, list.Pairs.Items[0].Newer.Id, CancellationToken.None);
        output.WriteLine($"One client's possible duplicates: {one!.Pairs.Total} pairs in {clock.ElapsedMilliseconds} ms");
    }

    /// <summary>EXPLAIN ANALYZE of the command as the app sends it (its SQL and parameters), printed with its time.</summary>
    private static async Task<string> ExplainAsync(DbCommand command)
    {
        var connection = command.Connection!;
        await connection.OpenAsync();
        command.CommandText = "EXPLAIN (ANALYZE, COSTS OFF) " + command.CommandText;
        var lines = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync()) lines.Add(reader.GetString(0));
        await connection.CloseAsync();
        return string.Join("\n", lines);
    }
}
