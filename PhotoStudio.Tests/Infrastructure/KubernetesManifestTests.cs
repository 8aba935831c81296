using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using PhotoStudio.Tests.Support;
using Xunit.Abstractions;

namespace PhotoStudio.Tests.Infrastructure;

/// <summary>
/// ops/deploy/k8s, checked offline: every manifest and each overlay's <c>kubectl kustomize</c> output passes the schema
/// validator (ops/deploy/k8s/validate, which rejects a broken manifest), and the settings that matter hold: the probes
/// get 200 from the running app for what the kubelet would send, the grace period covers the app's shutdown, pods run
/// as the image's non-root user, the Ingress keeps board streams open, and the Secrets hold only placeholders.
/// </summary>
public partial class KubernetesManifestTests(StudioApp app, KubernetesManifests manifests, ITestOutputHelper output)
    : IClassFixture<StudioApp>, IClassFixture<KubernetesManifests>
{
    [Fact]
    public async Task The_validator_accepts_every_manifest_under_base_and_components()
    {
        var files = KubernetesManifests.ResourceFiles();
        Assert.Contains(files, f => f.EndsWith("deployment.yaml"));
        Assert.Contains(files, f => f.EndsWith("statefulset.yaml"));

        var result = await manifests.ValidateAsync(files);
        output.WriteLine(result.Output);
        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Matches(@"\n\d+ documents, 0 failed", result.Stdout);
    }

    [Theory]
    [InlineData("small-studio")]
    [InlineData("hosted")]
    public async Task The_overlay_builds_with_kustomize_and_its_output_passes_the_validator(string overlay)
    {
        var built = await manifests.BuildAsync(overlay);
        var result = await manifests.ValidateAsync([built.File]);
        output.WriteLine($"{overlay}: kubectl kustomize in {built.Milliseconds} ms, {built.Documents.Count} documents\n{result.Output}");
        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Contains($"{built.Documents.Count} documents, 0 failed", result.Stdout);
        // Secrets stay out of every apply, so an apply never puts the placeholders back over the real values.
        Assert.DoesNotContain(built.Documents, d => Kind(d) == "Secret");
    }

    [Fact]
    public async Task The_validator_rejects_a_broken_manifest_an_unknown_field_of_a_cnpg_cluster_and_an_unknown_kind()
    {
        var deployment = await File.ReadAllTextAsync(Path.Combine(KubernetesManifests.Folder, "base", "deployment.yaml"));
        var cluster = await File.ReadAllTextAsync(Path.Combine(KubernetesManifests.Folder, "base", "postgres-cluster.yaml"));
        var broken = Path.Combine(Directory.CreateTempSubdirectory("photostudio-k8s-").FullName, "broken.yaml");
        try
        {
            await File.WriteAllTextAsync(broken, string.Join("\n---\n",
                deployment.Replace("replicas: 2", "replicas: two"),
                cluster.Replace("  storage:", "  storgae:"),
                "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: gadget\n",
                deployment));
            var result = await manifests.ValidateAsync([broken]);
            output.WriteLine(result.Output);

            Assert.Equal(1, result.ExitCode);
            Assert.Matches(@"FAIL .*#1: Deployment/photostudio: /spec/replicas must be integer", result.Stdout);
            Assert.Matches(@"FAIL .*#2: Cluster/photostudio-db: /spec must NOT have additional properties: storgae", result.Stdout);
            Assert.Matches(@"FAIL .*#3: Widget/gadget: unknown kind example.com/v1 Widget", result.Stdout);
            Assert.Matches(@"ok   .*#4: Deployment/photostudio", result.Stdout);
            Assert.Contains("4 documents, 3 failed", result.Stdout);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(broken)!, recursive: true);
        }
    }

    [Theory]
    [InlineData("small-studio")]
    [InlineData("hosted")]
    public async Task Every_probe_gets_200_from_the_app_started_with_the_overlays_settings_for_what_the_kubelet_sends(string overlay)
    {
        var built = await manifests.BuildAsync(overlay);
        var container = AppContainer(built);
        var port = container["ports"]!.AsArray().Single(p => (string?)p!["name"] == "http")!;
        Assert.Equal(8080, (int)port["containerPort"]!);

        // The ConfigMap's settings as the pod gets them; the database is this test's.
        var settings = ConfigMap(built).Where(s => !s.Key.StartsWith("PHOTOSTUDIO_DB_")).ToDictionary();
        Assert.Equal("Production", settings["ASPNETCORE_ENVIRONMENT"]);
        await using var instance = AppProcess.Start(app.ConnectionString, settings["ASPNETCORE_ENVIRONMENT"], settings);
        await instance.WaitUntilReadyAsync();
        using var http = new HttpClient { BaseAddress = new Uri(instance.BaseUrl), Timeout = TimeSpan.FromSeconds(10) };

        foreach (var probe in new[] { "startupProbe", "livenessProbe", "readinessProbe" })
        {
            var get = container[probe]?["httpGet"] ?? throw new Xunit.Sdk.XunitException($"{overlay}: {probe} is not an httpGet");
            Assert.Equal("http", (string?)get["port"]);
            var path = (string)get["path"]!;
            var host = get["httpHeaders"]?.AsArray().SingleOrDefault(h => (string?)h!["name"] == "Host")?["value"]?.GetValue<string>();

            var asKubelet = await GetAsync(http, path, host ?? "10.1.2.3:8080");
            // Without the header the kubelet sends the pod's address, which host filtering refuses.
            var withPodAddress = await GetAsync(http, path, "10.1.2.3:8080");
            output.WriteLine($"{overlay} {probe}: GET {path} (Host: {host}) -> {(int)asKubelet}; with the pod's address as Host -> {(int)withPodAddress}");
            Assert.Equal(HttpStatusCode.OK, asKubelet);
            Assert.Equal(HttpStatusCode.BadRequest, withPodAddress);
        }
        Assert.Equal("/health/ready", (string?)container["readinessProbe"]!["httpGet"]!["path"]);
        Assert.Equal("/health/live", (string?)container["livenessProbe"]!["httpGet"]!["path"]);

        // The startup probe waits at least as long as migrations may take before the liveness probe counts.
        var startup = container["startupProbe"]!;
        Assert.True((int)startup["periodSeconds"]! * (int)startup["failureThreshold"]! >= 120, "the startup probe allows less than 2 minutes");
    }

    [Theory]
    [InlineData("small-studio")]
    [InlineData("hosted")]
    public async Task The_grace_period_covers_the_preStop_sleep_and_the_apps_shutdown_timeout(string overlay)
    {
        var built = await manifests.BuildAsync(overlay);
        var pod = PodSpec(Single(built, "Deployment", "photostudio"));
        var shutdown = app.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout;
        var preStop = (int)AppContainer(built)["lifecycle"]!["preStop"]!["sleep"]!["seconds"]!;
        var grace = (int)pod["terminationGracePeriodSeconds"]!;
        output.WriteLine($"{overlay}: preStop sleep {preStop} s + the app's shutdown timeout {shutdown.TotalSeconds} s <= grace period {grace} s");
        Assert.InRange(preStop, 5, 30);
        Assert.True(grace >= preStop + shutdown.TotalSeconds, $"grace {grace} s < preStop {preStop} s + shutdown {shutdown.TotalSeconds} s");
    }

    [Theory]
    [InlineData("small-studio")]
    [InlineData("hosted")]
    public async Task Every_pod_runs_non_root_without_privileges_on_a_read_only_root_and_the_app_as_the_images_user(string overlay)
    {
        var built = await manifests.BuildAsync(overlay);
        var dockerfile = await File.ReadAllTextAsync(Path.Combine(TestDatabase.RepositoryRoot, "Dockerfile"));
        Assert.Contains("\nUSER $APP_UID\n", dockerfile);
        var imageUser = int.Parse(AppUid().Match(dockerfile).Groups[1].Value);

        var pods = built.Documents.Where(d => Kind(d) is "Deployment" or "StatefulSet" or "CronJob").ToList();
        Assert.NotEmpty(pods);
        foreach (var workload in pods)
        {
            var name = $"{overlay} {Kind(workload)}/{workload["metadata"]!["name"]}";
            var pod = PodSpec(workload);
            Assert.True((bool?)pod["securityContext"]?["runAsNonRoot"] == true, $"{name}: runAsNonRoot");
            Assert.True((string?)pod["securityContext"]?["seccompProfile"]?["type"] == "RuntimeDefault", $"{name}: seccomp");
            Assert.True((bool?)pod["automountServiceAccountToken"] == false, $"{name}: automountServiceAccountToken");
            foreach (var container in pod["containers"]!.AsArray())
            {
                var security = container!["securityContext"];
                Assert.True((bool?)security?["allowPrivilegeEscalation"] == false, $"{name}: allowPrivilegeEscalation");
                Assert.True((bool?)security?["readOnlyRootFilesystem"] == true, $"{name}: readOnlyRootFilesystem");
                Assert.Equal(new[] { "ALL" }, security?["capabilities"]?["drop"]?.AsArray().Select(c => (string)c!).ToArray() ?? []);
                Assert.NotNull(container["resources"]?["requests"]?["memory"]);
                Assert.NotNull(container["resources"]?["limits"]?["memory"]);
            }
        }
        var web = PodSpec(Single(built, "Deployment", "photostudio"));
        Assert.Equal(imageUser, (int)web["securityContext"]!["runAsUser"]!);
        Assert.Contains(AppContainer(built)["volumeMounts"]!.AsArray(), m => (string?)m!["mountPath"] == "/tmp");
        Assert.NotEmpty(web["topologySpreadConstraints"]!.AsArray());
        output.WriteLine($"{overlay}: {pods.Count} workloads checked; the app runs as {imageUser}, the Dockerfile's APP_UID");
    }

    [Theory]
    [InlineData("small-studio")]
    [InlineData("hosted")]
    public async Task The_ingress_keeps_board_streams_open_and_serves_the_public_address_through_the_apps_service(string overlay)
    {
        var built = await manifests.BuildAsync(overlay);
        var ingress = Single(built, "Ingress", "photostudio");
        var annotations = ingress["metadata"]!["annotations"]!;
        string Annotation(string name) => (string?)annotations[$"nginx.ingress.kubernetes.io/{name}"] ?? "";
        Assert.Equal("off", Annotation("proxy-buffering"));
        Assert.Equal("true", Annotation("ssl-redirect"));
        Assert.NotEqual("", Annotation("proxy-body-size"));
        var settings = ConfigMap(built);
        var readTimeout = int.Parse(Annotation("proxy-read-timeout"));
        Assert.True(readTimeout >= 3600, $"proxy-read-timeout {readTimeout}");
        Assert.True(readTimeout > int.Parse(settings["Board__HeartbeatSeconds"]), "the proxy would cut a quiet stream between heartbeats");

        var publicHost = new Uri(settings["PHOTOSTUDIO_PUBLIC_URL"]).Host;
        var spec = ingress["spec"]!;
        Assert.Equal(publicHost, (string?)spec["rules"]![0]!["host"]);
        Assert.Contains(spec["tls"]![0]!["hosts"]!.AsArray(), h => (string?)h == publicHost);

        var backend = spec["rules"]![0]!["http"]!["paths"]![0]!["backend"]!["service"]!;
        var service = Single(built, "Service", (string)backend["name"]!);
        var servicePort = service["spec"]!["ports"]!.AsArray().Single(p => (string?)p!["name"] == (string?)backend["port"]!["name"])!;
        Assert.Equal("http", (string?)servicePort["targetPort"]);
        Assert.Contains(AppContainer(built)["ports"]!.AsArray(), p => (string?)p!["name"] == "http");
        output.WriteLine($"{overlay}: {publicHost} -> Service {backend["name"]}:{servicePort["port"]} -> http (8080), read timeout {readTimeout} s");
    }

    [Theory]
    [InlineData("small-studio", 100)] // the postgres image's default
    [InlineData("hosted", 0)] // the Cluster's max_connections
    public async Task The_autoscalers_largest_count_of_replicas_fits_in_postgresqls_connections(string overlay, int imageDefault)
    {
        var built = await manifests.BuildAsync(overlay);
        var maxReplicas = (int)Single(built, "HorizontalPodAutoscaler", "photostudio")["spec"]!["maxReplicas"]!;
        var pool = int.Parse(ConfigMap(built)["PHOTOSTUDIO_DB_POOL"]);
        var cluster = built.Documents.SingleOrDefault(d => Kind(d) == "Cluster");
        var maxConnections = cluster is null ? imageDefault : int.Parse((string)cluster["spec"]!["postgresql"]!["parameters"]!["max_connections"]!);
        output.WriteLine($"{overlay}: {maxReplicas} replicas x {pool} connections = {maxReplicas * pool} of max_connections {maxConnections}");
        Assert.True(maxReplicas * pool <= maxConnections - 10, $"{maxReplicas} x {pool} leaves fewer than 10 of {maxConnections} connections");
        Assert.Contains("Maximum Pool Size=$(PHOTOSTUDIO_DB_POOL)", (string)AppContainer(built)["env"]!.AsArray()
            .Single(e => (string?)e!["name"] == "ConnectionStrings__Studio")!["value"]!);
    }

    [Fact]
    public async Task The_example_secrets_hold_placeholders_only_and_name_every_secret_and_key_the_overlays_read()
    {
        var documents = await manifests.ReadAsync(Path.Combine(KubernetesManifests.Folder, "base", "secrets.example.yaml"));
        var secrets = documents.Where(d => Kind(d) == "Secret").ToDictionary(d => (string)d["metadata"]!["name"]!);
        Assert.NotEmpty(secrets);
        foreach (var (name, secret) in secrets)
        {
            Assert.Null(secret["data"]); // base64 would hide what is in it
            foreach (var (key, value) in secret["stringData"]!.AsObject())
            {
                var text = (string?)value ?? "";
                if (SecretKeyName().IsMatch(key))
                    Assert.True(text == "CHANGE-ME", $"{name}.{key} is not the CHANGE-ME placeholder");
                else
                    Assert.True(text is "" or "photostudio" || text.EndsWith("@studio.example.com"), $"{name}.{key} = {text}");
            }
        }

        var used = new HashSet<(string Secret, string? Key)>();
        foreach (var overlay in KubernetesManifests.Overlays)
        {
            var built = await manifests.BuildAsync(overlay);
            foreach (var reference in built.Documents.SelectMany(d => Descendants(d)))
            {
                if (reference["secretKeyRef"] is JsonObject keyRef) used.Add(((string)keyRef["name"]!, (string)keyRef["key"]!));
                if (reference["secretRef"] is JsonObject secretRef) used.Add(((string)secretRef["name"]!, null));
            }
            foreach (var cluster in built.Documents.Where(d => Kind(d) == "Cluster"))
            {
                used.Add(((string)cluster["spec"]!["bootstrap"]!["initdb"]!["secret"]!["name"]!, "password"));
                foreach (var s3 in cluster["spec"]!["backup"]!["barmanObjectStore"]!["s3Credentials"]!.AsObject())
                    used.Add(((string)s3.Value!["name"]!, (string)s3.Value["key"]!));
            }
        }
        output.WriteLine($"secrets read: {string.Join(", ", used.Order().Select(u => u.Key is null ? u.Secret : $"{u.Secret}.{u.Key}"))}");
        Assert.True(used.Count >= 5, $"only {used.Count} secret references found");
        foreach (var (secret, key) in used)
        {
            Assert.True(secrets.ContainsKey(secret), $"secrets.example.yaml has no Secret {secret}");
            if (key is not null) Assert.True(secrets[secret]["stringData"]![key] is not null, $"secrets.example.yaml has no {secret}.{key}");
        }
    }

    private static async Task<HttpStatusCode> GetAsync(HttpClient http, string path, string host)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Host = host;
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    private static string? Kind(JsonNode? document) => (string?)document?["kind"];

    private static JsonNode Single(KubernetesManifests.Built built, string kind, string name) =>
        built.Documents.Single(d => Kind(d) == kind && (string?)d["metadata"]!["name"] == name);

    private static JsonNode PodSpec(JsonNode workload) => Kind(workload) == "CronJob"
        ? workload["spec"]!["jobTemplate"]!["spec"]!["template"]!["spec"]!
        : workload["spec"]!["template"]!["spec"]!;

    private static JsonNode AppContainer(KubernetesManifests.Built built) =>
        PodSpec(Single(built, "Deployment", "photostudio"))["containers"]!.AsArray().Single(c => (string?)c!["name"] == "photostudio")!;

    private static Dictionary<string, string> ConfigMap(KubernetesManifests.Built built) =>
        built.Documents.Single(d => Kind(d) == "ConfigMap" && ((string)d["metadata"]!["name"]!).StartsWith("photostudio-config"))["data"]!
            .AsObject().ToDictionary(p => p.Key, p => (string?)p.Value ?? "");

    private static IEnumerable<JsonObject> Descendants(JsonNode? node) => node switch
    {
        JsonObject o => new[] { o }.Concat(o.SelectMany(p => Descendants(p.Value))),
        JsonArray a => a.SelectMany(Descendants),
        _ => [],
    };

    [GeneratedRegex(@"APP_UID=(\d+)")]
    private static partial Regex AppUid();

    [GeneratedRegex("password|secret|key", RegexOptions.IgnoreCase)]
    private static partial Regex SecretKeyName();
}

/// <summary>
/// ops/deploy/k8s for the tests: installs the validator's pinned npm packages when node_modules is missing, runs the
/// validator, and builds each overlay once with <c>kubectl kustomize</c> (into a temporary folder, read back as JSON).
/// </summary>
public sealed class KubernetesManifests : IAsyncLifetime
{
    public static readonly string Folder = Path.Combine(TestDatabase.RepositoryRoot, "ops", "deploy", "k8s");
    public static readonly string[] Overlays = ["small-studio", "hosted"];
    private static readonly string Validator = Path.Combine(Folder, "validate");

    private readonly DirectoryInfo work = Directory.CreateTempSubdirectory("photostudio-kustomize-");
    private readonly Dictionary<string, Task<Built>> builds = [];

    /// <summary>An overlay's kustomize output: the file and its documents.</summary>
    public sealed record Built(string File, IReadOnlyList<JsonNode> Documents, long Milliseconds);

    public async Task InitializeAsync()
    {
        if (Directory.Exists(Path.Combine(Validator, "node_modules"))) return;
        var install = await Commands.RunAsync("npm", ["ci", "--ignore-scripts", "--no-audit", "--no-fund"], workingDirectory: Validator);
        if (install.ExitCode != 0) throw new InvalidOperationException($"npm ci in {Validator} failed:\n{install.Output}");
    }

    public Task DisposeAsync()
    {
        work.Delete(recursive: true);
        return Task.CompletedTask;
    }

    /// <summary>The resource files under base/ and components/: no kustomization.yaml, no patch.</summary>
    public static List<string> ResourceFiles() =>
        new[] { "base", "components" }
            .SelectMany(d => Directory.EnumerateFiles(Path.Combine(Folder, d), "*.yaml", SearchOption.AllDirectories))
            .Where(f => Path.GetFileName(f) != "kustomization.yaml" && !f.Contains($"{Path.DirectorySeparatorChar}patches{Path.DirectorySeparatorChar}"))
            .Order(StringComparer.Ordinal)
            .ToList();

    public Task<CommandResult> ValidateAsync(IEnumerable<string> files) =>
        Commands.RunAsync("node", [Path.Combine(Validator, "validate.mjs"), .. files], workingDirectory: Validator);

    public async Task<IReadOnlyList<JsonNode>> ReadAsync(string file)
    {
        var json = await Commands.RunAsync("node", [Path.Combine(Validator, "to-json.mjs"), file], workingDirectory: Validator);
        if (json.ExitCode != 0) throw new InvalidOperationException($"to-json.mjs {file}:\n{json.Output}");
        return JsonNode.Parse(json.Stdout)!.AsArray().Select(d => d!).ToList();
    }

    public Task<Built> BuildAsync(string overlay)
    {
        lock (builds)
        {
            if (!builds.TryGetValue(overlay, out var build)) builds[overlay] = build = KustomizeAsync(overlay);
            return build;
        }
    }

    private async Task<Built> KustomizeAsync(string overlay)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        CommandResult result;
        try
        {
            result = await Commands.RunAsync("kubectl", ["kustomize", Path.Combine(Folder, "overlays", overlay)]);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException(
                "kubectl is needed to build the overlays (kubectl kustomize, with Kustomize 5; Debian's kubernetes-client is too old for components)", e);
        }
        if (result.ExitCode != 0) throw new InvalidOperationException($"kubectl kustomize {overlay}:\n{result.Output}");
        var file = Path.Combine(work.FullName, $"{overlay}.yaml");
        await File.WriteAllTextAsync(file, result.Stdout);
        return new Built(file, await ReadAsync(file), watch.ElapsedMilliseconds);
    }
}
