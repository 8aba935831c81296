using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PhotoStudio.Infrastructure.Events;
using PhotoStudio.Tests.Support;
using Xunit.Abstractions;

namespace PhotoStudio.Tests.Infrastructure;

/// <summary>
/// ops/deploy/monitoring: promtool accepts the Prometheus configuration and the alert rules and their unit tests pass;
/// every series the rules and the Grafana dashboard ask for is one the running app (or ops/backup's metric file)
/// exports, so renaming a metric fails here rather than silencing an alert.
/// </summary>
public partial class MonitoringRulesTests(StudioApp app, ITestOutputHelper output) : IClassFixture<StudioApp>
{
    private static readonly string Folder = Path.Combine(TestDatabase.RepositoryRoot, "ops", "deploy", "monitoring");
    private static readonly string Rules = Path.Combine(Folder, "alerts.yml");
    private static readonly string RuleTests = Path.Combine(Folder, "alerts.test.yml");
    private static readonly string Dashboard = Path.Combine(Folder, "grafana-dashboard.json");

    /// <summary>Series Prometheus makes itself for each target; the app cannot export them.</summary>
    private static readonly HashSet<string> PrometheusOwn = ["up"];

    [Fact]
    public async Task Promtool_accepts_the_configuration_and_the_rules_and_every_rule_unit_test_passes()
    {
        foreach (var arguments in new[]
                 {
                     new[] { "check", "config", Path.Combine(Folder, "prometheus.yml") },
                     ["check", "rules", Rules],
                     ["test", "rules", RuleTests],
                 })
        {
            var result = await Commands.RunAsync(Promtool.Executable, arguments, workingDirectory: Folder);
            output.WriteLine($"promtool {string.Join(' ', arguments[..2])}: exit {result.ExitCode}\n{result.Output.Trim()}");
            Assert.True(result.ExitCode == 0 && !result.Output.Contains("FAILED"), $"promtool {string.Join(' ', arguments)}:\n{result.Output}");
        }
    }

    [Fact]
    public void Every_alert_has_a_for_a_severity_a_summary_and_a_description_and_a_firing_and_a_quiet_unit_test()
    {
        var rules = File.ReadAllText(Rules);
        var blocks = AlertStart().Split(rules).Skip(1).ToList();
        Assert.True(blocks.Count >= 10, $"only {blocks.Count} alerts in {Rules}");

        var tests = File.ReadAllText(RuleTests).Split("- eval_time:").Skip(1)
            .Select(t => (Alert: AlertName().Match(t).Groups[1].Value, Quiet: t.Contains("exp_alerts: []"), Firing: t.Contains("exp_labels:")))
            .ToList();
        foreach (var block in blocks)
        {
            var name = block[..block.IndexOf('\n')].Trim();
            foreach (var part in new[] { "\n        for: ", "\n          severity: ", "\n          summary: ", "\n          description: " })
                Assert.True(block.Contains(part), $"{name} has no {part.Trim()}");
            Assert.True(tests.Any(t => t.Alert == name && t.Firing), $"no unit test in alerts.test.yml where {name} fires");
            Assert.True(tests.Any(t => t.Alert == name && t.Quiet), $"no unit test in alerts.test.yml where {name} stays quiet");
        }
    }

    [Fact]
    public async Task Every_series_the_alerts_and_the_dashboard_query_is_exported_by_the_app_or_by_ops_backup()
    {
        // Requests, a sign-in and a board stream's worth of series; the listener is up once the hub says so.
        await app.Services.GetRequiredService<BoardEventHub>().Listening.WaitAsync(TimeSpan.FromSeconds(30));
        var admin = await app.SignedInClientAsync("reception@demo.studio");
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/board")).StatusCode);
        var scrape = await ScrapeAsync();

        var folder = Directory.CreateTempSubdirectory("photostudio-monitoring-");
        try
        {
            var backup = await Commands.RunAsync(Path.Combine(TestDatabase.RepositoryRoot, "ops", "backup"), [folder.FullName],
                new Dictionary<string, string?> { ["ConnectionStrings__Studio"] = app.ConnectionString });
            Assert.True(backup.ExitCode == 0, backup.Output);
            var textfile = await File.ReadAllTextAsync(Path.Combine(folder.FullName, "photostudio-backup.prom"));
            await Promtool.AssertLintCleanAsync(textfile);

            var exported = ExportedNames(scrape).Concat(ExportedNames(textfile)).Concat(PrometheusOwn).ToHashSet();
            var fromRules = ExpressionsIn(File.ReadAllText(Rules)).SelectMany(SeriesNames).ToHashSet();
            var fromDashboard = DashboardQueries().SelectMany(SeriesNames).ToHashSet();
            output.WriteLine($"alerts use {fromRules.Count} series: {string.Join(", ", fromRules.Order())}");
            output.WriteLine($"dashboard uses {fromDashboard.Count} series: {string.Join(", ", fromDashboard.Order())}");

            // The extraction itself finds what the files are known to ask for (an empty set would prove nothing).
            Assert.Superset(new HashSet<string> { "up", "http_request_duration_seconds_bucket", "http_requests_received_total",
                "photostudio_board_listener_connected", "photostudio_db_pool_connections", "photostudio_db_pool_max_connections",
                "photostudio_outbox_backlog", "photostudio_notifications_failed_total", "photostudio_backup_last_success_timestamp_seconds" }, fromRules);
            Assert.Superset(new HashSet<string> { "photostudio_bookings_created_total", "photostudio_board_subscribers", "process_cpu_seconds_total" }, fromDashboard);

            Assert.Empty(fromRules.Except(exported).Order());
            Assert.Empty(fromDashboard.Except(exported).Order());
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task The_pool_and_listener_gauges_report_this_app_and_the_listener_gauge_drops_while_its_connection_is_down()
    {
        await app.Services.GetRequiredService<BoardEventHub>().Listening.WaitAsync(TimeSpan.FromSeconds(30));
        await Wait.UntilAsync(async () => Sample(await ScrapeAsync(), "photostudio_board_listener_connected") == 1, "the listener gauge to read 1");

        // The pool of this app's connection string: Npgsql's default limit, and the connection the scrape itself used.
        var text = await ScrapeAsync();
        Assert.Equal(100, Sample(text, "photostudio_db_pool_max_connections"));
        var used = Sample(text, "photostudio_db_pool_connections{state=\"used\"}");
        var idle = Sample(text, "photostudio_db_pool_connections{state=\"idle\"}");
        output.WriteLine($"pool: {used} used, {idle} idle of 100");
        Assert.True(used + idle >= 1 && used + idle <= 100, text);

        await using (var db = app.NewDb())
        {
            var killed = await db.Database.SqlQueryRaw<int>(
                "SELECT count(pg_terminate_backend(pid))::int AS \"Value\" FROM pg_stat_activity WHERE application_name = {0} AND datname = current_database()",
                BoardEventListener.ApplicationName).SingleAsync();
            Assert.Equal(1, killed);
        }
        // It waits a second before it connects again: long enough for a scrape every 20 ms to see it down.
        await Wait.UntilAsync(async () => Sample(await ScrapeAsync(), "photostudio_board_listener_connected") == 0,
            "the listener gauge to read 0", TimeSpan.FromSeconds(10), pollMilliseconds: 20);
        await Wait.UntilAsync(async () => Sample(await ScrapeAsync(), "photostudio_board_listener_connected") == 1, "the listener gauge to read 1 again");
    }

    [Fact]
    public void The_dashboard_is_valid_json_with_a_query_in_every_panel()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Dashboard));
        Assert.Equal("photostudio", json.RootElement.GetProperty("uid").GetString());
        var panels = json.RootElement.GetProperty("panels").EnumerateArray().Where(p => p.GetProperty("type").GetString() != "row").ToList();
        Assert.True(panels.Count >= 10, $"{panels.Count} panels");
        foreach (var panel in panels)
        {
            var title = panel.GetProperty("title").GetString();
            var targets = panel.GetProperty("targets").EnumerateArray().ToList();
            Assert.True(targets.Count > 0 && targets.All(t => t.GetProperty("expr").GetString() is { Length: > 0 }), $"panel '{title}' has no query");
        }
        foreach (var wanted in new[] { "http_requests_received_total", "http_request_duration_seconds_bucket", "photostudio_bookings_created_total",
                     "photostudio_outbox_backlog", "photostudio_board_subscribers" })
            Assert.Contains(DashboardQueries(), q => q.Contains(wanted));
    }

    private async Task<string> ScrapeAsync()
    {
        var response = await app.NewClient().GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    private static double? Sample(string text, string series) =>
        text.Split('\n').FirstOrDefault(l => l.StartsWith(series + " ", StringComparison.Ordinal)) is { } line
            ? double.Parse(line[(series.Length + 1)..], CultureInfo.InvariantCulture)
            : null;

    /// <summary>
    /// The series names of a text exposition: every sample's, and every declared family's (a labelled counter nothing
    /// has counted yet has its <c># TYPE</c> line only), a histogram's with its _bucket, _sum and _count.
    /// </summary>
    private static IEnumerable<string> ExportedNames(string exposition)
    {
        foreach (var line in exposition.Split('\n'))
        {
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var parts = line.Split(' ');
                yield return parts[2];
                if (parts[3] == "histogram")
                    foreach (var suffix in new[] { "_bucket", "_sum", "_count" }) yield return parts[2] + suffix;
            }
            else if (line.Length > 0 && line[0] != '#')
                yield return SampleName().Match(line).Value;
        }
    }

    /// <summary>The <c>expr:</c> values of a rules file, inline or as a block scalar.</summary>
    private static IEnumerable<string> ExpressionsIn(string yaml)
    {
        var lines = yaml.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var trimmed = lines[i].TrimStart();
            if (!trimmed.StartsWith("expr:", StringComparison.Ordinal)) continue;
            var rest = trimmed["expr:".Length..].Trim();
            if (rest is not ("|" or ">" or "|-" or ">-"))
            {
                yield return rest.Trim('\'', '"');
                continue;
            }
            var indent = lines[i].Length - trimmed.Length;
            var block = new List<string>();
            while (i + 1 < lines.Length && (lines[i + 1].Trim().Length == 0 || lines[i + 1].Length - lines[i + 1].TrimStart().Length > indent))
                block.Add(lines[++i]);
            yield return string.Join('\n', block);
        }
    }

    private static List<string> DashboardQueries()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Dashboard));
        return json.RootElement.GetProperty("panels").EnumerateArray()
            .Where(p => p.TryGetProperty("targets", out _))
            .SelectMany(p => p.GetProperty("targets").EnumerateArray())
            .Select(t => t.GetProperty("expr").GetString()!)
            .ToList();
    }

    private static readonly HashSet<string> PromQlWords =
        ["and", "or", "unless", "bool", "offset", "by", "without", "on", "ignoring", "group_left", "group_right", "inf", "nan"];

    /// <summary>The metric names a PromQL expression selects: identifiers that are not functions, keywords, labels or durations.</summary>
    internal static IEnumerable<string> SeriesNames(string expression)
    {
        var text = QuotedString().Replace(expression, "\"\"");
        text = Braces().Replace(text, " ");
        text = Brackets().Replace(text, " ");
        text = Grouping().Replace(text, " ");
        text = GrafanaVariable().Replace(text, " ");
        return Identifier().Matches(text).Select(m => m.Value).Where(w => !PromQlWords.Contains(w.ToLowerInvariant())).Distinct();
    }

    [GeneratedRegex(@"^      - alert: ", RegexOptions.Multiline)]
    private static partial Regex AlertStart();

    [GeneratedRegex(@"alertname:\s*(\S+)")]
    private static partial Regex AlertName();

    [GeneratedRegex(@"^[a-zA-Z_:][a-zA-Z0-9_:]*")]
    private static partial Regex SampleName();

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"")]
    private static partial Regex QuotedString();

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex Braces();

    [GeneratedRegex(@"\[[^\]]*\]")]
    private static partial Regex Brackets();

    [GeneratedRegex(@"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")]
    private static partial Regex Grouping();

    [GeneratedRegex(@"\$\{?\w+\}?")]
    private static partial Regex GrafanaVariable();

    [GeneratedRegex(@"(?<![\w:.])[a-zA-Z_:][a-zA-Z0-9_:]*\b(?!\s*\()")]
    private static partial Regex Identifier();
}
