using System.Text.Json;
using System.Text.RegularExpressions;
using PhotoStudio.Tests.Support;
using Xunit.Abstractions;

namespace PhotoStudio.Tests.Infrastructure;

/// <summary>
/// docker-compose.yml as Docker Compose reads it, without a Docker engine: Debian's docker-compose (v1.29, which
/// knows profiles) validates the file against the Compose schema and interpolates .env.example in `config`, and
/// prints the result, read here as JSON.
/// </summary>
public class DockerComposeTests(ITestOutputHelper output)
{
    private static readonly string Root = TestDatabase.RepositoryRoot;

    /// <summary><c>PHOTOSTUDIO_DOCKER_COMPOSE</c>, or docker-compose on the PATH (./ops/test installs Debian's).</summary>
    private static string Executable =>
        Environment.GetEnvironmentVariable("PHOTOSTUDIO_DOCKER_COMPOSE") is { Length: > 0 } path ? path : "docker-compose";

    [Fact]
    public async Task The_validator_refuses_a_compose_file_that_breaks_the_schema()
    {
        var folder = Directory.CreateTempSubdirectory("photostudio-compose-");
        try
        {
            var broken = Path.Combine(folder.FullName, "docker-compose.yml");
            await File.WriteAllTextAsync(broken, "services:\n  app:\n    image: photostudio\n    ports: 5080\n    profile: [proxy]\n");
            var result = await Commands.RunAsync(Executable, ["-f", broken, "config"], workingDirectory: folder.FullName);
            output.WriteLine($"docker-compose config on a broken file: exit {result.ExitCode}\n{result.Output.Trim()}");
            Assert.NotEqual(0, result.ExitCode);
            Assert.Contains("ports", result.Output);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Without_a_profile_compose_runs_the_database_and_one_app_on_port_5080_as_before()
    {
        var services = await ConfigAsync();
        var always = services.EnumerateObject().Where(s => !s.Value.TryGetProperty("profiles", out _)).Select(s => s.Name).Order().ToList();
        output.WriteLine($"services without a profile: {string.Join(", ", always)}");
        Assert.Equal(["app", "db"], always);

        var port = Assert.Single(services.GetProperty("app").GetProperty("ports").EnumerateArray());
        output.WriteLine($"app publishes {port}");
        Assert.Equal("5080", port.GetProperty("published").ToString());
        Assert.Equal("8080", port.GetProperty("target").ToString());
        foreach (var name in new[] { "app-2", "nginx" })
            Assert.Equal(["proxy"], services.GetProperty(name).GetProperty("profiles").EnumerateArray().Select(p => p.GetString()));
    }

    [Fact]
    public async Task The_proxy_profile_puts_nginx_with_the_shipped_configuration_in_front_of_two_identical_instances()
    {
        var services = await ConfigAsync("--profile", "proxy");
        var app = services.GetProperty("app");
        var app2 = services.GetProperty("app-2");
        var nginx = services.GetProperty("nginx");

        Assert.Equal(app.GetProperty("environment").ToString(), app2.GetProperty("environment").ToString());
        Assert.Equal(app.GetProperty("build").ToString(), app2.GetProperty("build").ToString());
        Assert.False(app2.TryGetProperty("ports", out _), "the second instance is reached through nginx only");

        var shipped = await File.ReadAllTextAsync(Path.Combine(Root, "ops", "deploy", "nginx", "photostudio.conf"));
        var volumes = nginx.GetProperty("volumes").EnumerateArray().Select(v => v.GetString()!).ToList();
        output.WriteLine($"nginx {nginx.GetProperty("image")}: volumes {string.Join(", ", volumes)}");
        Assert.Contains($"{Path.Combine(Root, "ops", "deploy", "nginx", "photostudio.conf")}:/etc/nginx/conf.d/default.conf:ro", volumes);
        var certificates = Regex.Match(shipped, @"ssl_certificate\s+(\S+)/fullchain\.pem;").Groups[1].Value;
        Assert.Contains(volumes, v => v.EndsWith($":{certificates}:ro"));
        Assert.Equal(["443", "80"], nginx.GetProperty("ports").EnumerateArray().Select(p => p.GetProperty("published").ToString()).Order());

        // The upstream's names, as the links give them to nginx: app-1 is the "app" service.
        var upstream = Regex.Matches(shipped, @"^\s*server (\S+):8080", RegexOptions.Multiline).Select(m => m.Groups[1].Value).Order().ToList();
        var links = nginx.GetProperty("links").EnumerateArray().Select(l => l.GetString()!).ToList();
        output.WriteLine($"upstream {string.Join(", ", upstream)}; links {string.Join(", ", links)}");
        Assert.Equal(upstream, links.Select(l => l.Split(':')[^1]).Order());
        Assert.Equal(["app", "app-2"], links.Select(l => l.Split(':')[0]).Order());
        Assert.Equal(["app", "app-2"], nginx.GetProperty("depends_on").EnumerateObject().Select(d => d.Name).Order());
    }

    /// <summary><c>docker-compose config</c> with .env.example, as JSON: the "services" object. Fails on a non-zero exit.</summary>
    private async Task<JsonElement> ConfigAsync(params string[] options)
    {
        var result = await Commands.RunAsync(Executable, ["--env-file", ".env.example", "-f", "docker-compose.yml", .. options, "config"]);
        Assert.True(result.ExitCode == 0, $"docker-compose {string.Join(' ', options)} config: exit {result.ExitCode}\n{result.Output}");
        var json = await Python.RunAsync("import json, sys, yaml; print(json.dumps(yaml.safe_load(sys.stdin)))", result.Stdout);
        return JsonDocument.Parse(string.Join('\n', json)).RootElement.GetProperty("services").Clone();
    }
}
