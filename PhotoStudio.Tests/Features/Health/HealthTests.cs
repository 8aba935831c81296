using System.Net;
using Npgsql;
using PhotoStudio.Tests.Support;

namespace PhotoStudio.Tests.Features.Health;

[Collection(SharedStudio.Name)]
public class HealthTests(StudioApp app)
{
    [Fact]
    public async Task Live_and_ready_answer_200_on_a_migrated_database()
    {
        var client = app.NewClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);
    }

    [Fact]
    public async Task Ready_answers_503_when_a_migration_is_missing()
    {
        // Make the database look one migration behind by forgetting the last applied one.
        var client = app.NewClient();
        await using var conn = new NpgsqlConnection(app.ConnectionString);
        await conn.OpenAsync();
        await using var tx = await conn.BeginTransactionAsync();
        var id = (string)(await new NpgsqlCommand(
            "SELECT \"MigrationId\" FROM \"__EFMigrationsHistory\" ORDER BY \"MigrationId\" DESC LIMIT 1", conn, tx).ExecuteScalarAsync())!;
        await new NpgsqlCommand($"DELETE FROM \"__EFMigrationsHistory\" WHERE \"MigrationId\" = '{id}'", conn, tx).ExecuteNonQueryAsync();
        await tx.CommitAsync();
        try
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/health/ready")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
        }
        finally
        {
            await new NpgsqlCommand($"INSERT INTO \"__EFMigrationsHistory\" VALUES ('{id}', '10.0.14')", conn).ExecuteNonQueryAsync();
        }
    }
}

[Collection(SharedStudio.Name)]
public class MetricsTests(StudioApp app)
{
    [Fact]
    public async Task Metrics_are_valid_prometheus_text_with_http_and_runtime_series()
    {
        var client = app.NewClient();
        await client.GetAsync("/");
        await client.GetAsync("/account/login");
        await client.GetAsync("/no-such-page");
        // A sign-in and a failed one feed the Identity and authentication meters, which are exported too.
        await client.SignInAsync("reception@demo.studio");
        await app.NewClient().PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>()));

        var response = await client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType!.ToString());
        var text = await response.Content.ReadAsStringAsync();

        Assert.Contains("http_request_duration_seconds_bucket{", text);
        Assert.Contains("endpoint=\"/account/login\"", text);
        Assert.Contains("http_requests_in_progress", text);
        Assert.Contains("process_cpu_seconds_total", text);
        Assert.Contains("system_runtime_dotnet_gc_collections", text);
        Assert.Contains("microsoft_aspnetcore_identity_aspnetcore_identity_sign_in_", text);

        // The outbox's gauges are read from the database on every instance, whether or not it sends.
        Assert.Contains("\nphotostudio_outbox_backlog ", text);
        Assert.Contains("\nphotostudio_outbox_oldest_pending_age_seconds ", text);
        Assert.Contains("\nphotostudio_outbox_failed ", text);

        await Promtool.AssertLintCleanAsync(text);
    }
}
