using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using PhotoStudio.Tests.Support;
using Xunit.Abstractions;

namespace PhotoStudio.Tests.Infrastructure;

/// <summary>
/// A real Prometheus (Debian's, beside promtool) with ops/deploy/monitoring/prometheus.yml and alerts.yml, scraping the
/// app as a separate process every second: its HTTP API says the target is up, the app's series are stored, and every
/// alert rule loaded and evaluates without error.
/// </summary>
public class PrometheusServerTests(StudioApp app, ITestOutputHelper output) : IClassFixture<StudioApp>
{
    private static readonly string Folder = Path.Combine(TestDatabase.RepositoryRoot, "ops", "deploy", "monitoring");

    [Fact]
    public async Task Prometheus_with_our_configuration_scrapes_the_app_and_loads_every_rule()
    {
        await using var instance = AppProcess.Start(app.ConnectionString);
        var work = Directory.CreateTempSubdirectory("photostudio-prometheus-");
        Process? prometheus = null;
        var log = new StringBuilder();
        try
        {
            await instance.WaitUntilReadyAsync();
            var target = new Uri(instance.BaseUrl).Authority;

            // The shipped configuration with this machine's target and a one-second rhythm; everything else as shipped.
            var config = (await File.ReadAllTextAsync(Path.Combine(Folder, "prometheus.yml")))
                .Replace("scrape_interval: 15s", "scrape_interval: 1s")
                .Replace("evaluation_interval: 15s", "evaluation_interval: 1s")
                .Replace("scrape_timeout: 10s", "scrape_timeout: 1s")
                .Replace("\"app-1.example.internal:8080\"", $"\"{target}\"");
            config = string.Join('\n', config.Split('\n').Where(l => !l.Contains("app-2.example.internal")));
            Assert.Contains(target, config);
            await File.WriteAllTextAsync(Path.Combine(work.FullName, "prometheus.yml"), config);
            File.Copy(Path.Combine(Folder, "alerts.yml"), Path.Combine(work.FullName, "alerts.yml"));

            var port = FreePort();
            var start = new ProcessStartInfo(Executable, [
                $"--config.file={Path.Combine(work.FullName, "prometheus.yml")}",
                $"--storage.tsdb.path={Path.Combine(work.FullName, "data")}",
                $"--web.listen-address=127.0.0.1:{port}",
            ]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            prometheus = Process.Start(start)!;
            prometheus.OutputDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
            prometheus.ErrorDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
            prometheus.BeginOutputReadLine();
            prometheus.BeginErrorReadLine();
            using var api = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };
            string Log() { lock (log) return log.ToString(); }

            await Wait.UntilAsync(async () =>
            {
                Assert.False(prometheus.HasExited, $"prometheus exited with {(prometheus.HasExited ? prometheus.ExitCode : 0)}:\n{Log()}");
                try { return (await api.GetAsync("/-/ready")).StatusCode == HttpStatusCode.OK; }
                catch (HttpRequestException) { return false; }
            }, "Prometheus to be ready", pollMilliseconds: 200);

            // The target: up, scraped without error.
            var targetState = await Wait.UntilAsync(async () =>
                    (await GetDataAsync(api, "/api/v1/targets")).GetProperty("activeTargets").EnumerateArray()
                    .Where(t => t.GetProperty("labels").GetProperty("job").GetString() == "photostudio").Select(t => t.Clone()).ToList(),
                targets => targets.Count == 1 && targets[0].GetProperty("health").GetString() == "up",
                "Prometheus to scrape the app", pollMilliseconds: 200);
            output.WriteLine($"target {targetState[0].GetProperty("scrapeUrl")}: {targetState[0].GetProperty("health")}, " +
                             $"last scrape {targetState[0].GetProperty("lastScrapeDuration")} s, error '{targetState[0].GetProperty("lastError")}'");
            Assert.Equal("", targetState[0].GetProperty("lastError").GetString());

            // Our series, as stored: up, the listener and pool gauges, the outbox and the request histogram.
            foreach (var query in new[]
                     {
                         "up{job=\"photostudio\"} == 1",
                         "photostudio_board_listener_connected{job=\"photostudio\"} == 1",
                         "photostudio_db_pool_max_connections{job=\"photostudio\"} > 0",
                         "photostudio_outbox_backlog{job=\"photostudio\"}",
                         "http_request_duration_seconds_bucket{job=\"photostudio\", endpoint=\"/health/ready\"}",
                     })
            {
                var result = await Wait.UntilAsync(async () => (await GetDataAsync(api, "/api/v1/query?query=" + Uri.EscapeDataString(query))).GetProperty("result").GetArrayLength(),
                    n => n > 0, $"Prometheus to answer {query}", pollMilliseconds: 200);
                output.WriteLine($"{query}: {result} series");
            }

            // Every rule of alerts.yml loaded, evaluated at least once, without error.
            var rules = await Wait.UntilAsync(async () =>
                    (await GetDataAsync(api, "/api/v1/rules")).GetProperty("groups").EnumerateArray()
                    .SelectMany(g => g.GetProperty("rules").EnumerateArray()).Select(r => r.Clone()).ToList(),
                rules => rules.Count > 0 && rules.All(r => !r.GetProperty("lastEvaluation").GetString()!.StartsWith("0001-")),
                "Prometheus to evaluate every rule", pollMilliseconds: 200);
            var alertNames = System.Text.RegularExpressions.Regex.Matches(await File.ReadAllTextAsync(Path.Combine(Folder, "alerts.yml")), @"- alert: (\w+)")
                .Select(m => m.Groups[1].Value).Order().ToList();
            Assert.Equal(alertNames, rules.Select(r => r.GetProperty("name").GetString()!).Order().ToList());
            foreach (var rule in rules)
            {
                var name = rule.GetProperty("name").GetString();
                var health = rule.GetProperty("health").GetString();
                var error = rule.TryGetProperty("lastError", out var e) ? e.GetString() : "";
                output.WriteLine($"{name}: {health}, {rule.GetProperty("state")}{(string.IsNullOrEmpty(error) ? "" : ", " + error)}");
                Assert.True(health == "ok" && string.IsNullOrEmpty(error), $"{name}: {health} {error}");
            }
            // A healthy app fires none of them (the backup job's target does not exist here, so only the backup alerts may be pending).
            Assert.All(rules.Where(r => r.GetProperty("state").GetString() != "inactive"),
                r => Assert.StartsWith("PhotoStudioBackup", r.GetProperty("name").GetString()));
        }
        finally
        {
            if (prometheus is { HasExited: false })
            {
                prometheus.Kill(entireProcessTree: true);
                await prometheus.WaitForExitAsync();
            }
            prometheus?.Dispose();
            work.Delete(recursive: true);
        }
    }

    /// <summary><c>PHOTOSTUDIO_PROMETHEUS</c>, or the prometheus beside promtool (both come with Debian's package).</summary>
    private static string Executable =>
        Environment.GetEnvironmentVariable("PHOTOSTUDIO_PROMETHEUS") is { Length: > 0 } p ? p
        : Path.GetDirectoryName(Promtool.Executable) is { Length: > 0 } dir && File.Exists(Path.Combine(dir, "prometheus")) ? Path.Combine(dir, "prometheus")
        : "prometheus";

    private static async Task<JsonElement> GetDataAsync(HttpClient api, string url)
    {
        using var json = JsonDocument.Parse(await api.GetStringAsync(url));
        Assert.Equal("success", json.RootElement.GetProperty("status").GetString());
        return json.RootElement.GetProperty("data").Clone();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
