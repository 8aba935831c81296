using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PhotoStudio.Data.Seeding;
using PhotoStudio.Tests.Support;
using Xunit.Abstractions;

namespace PhotoStudio.Tests.Features.Api;

/// <summary>
/// The API's contract as a third-party tool reads it: the OpenAPI document the built app serves (as a process) passes
/// Redocly's recommended rules, Stoplight Prism's validating proxy finds no request or answer of a tour of every
/// operation that breaks it, and a bounded fuzz derived from its schemas gets no 5xx and only problem details as errors.
/// </summary>
public class ApiContractTests(ApiContract contract, ITestOutputHelper output) : IClassFixture<ApiContract>
{
    [Fact]
    public async Task Redocly_finds_no_error_or_warning_in_the_document_and_does_find_a_broken_one()
    {
        var clean = await contract.LintAsync(contract.DocumentFile);
        output.WriteLine($"redocly lint (recommended): {clean.Errors} errors, {clean.Warnings} warnings, {contract.OperationCount} operations");
        Assert.True(clean.Errors == 0 && clean.Warnings == 0, clean.Report);

        // The same check fails for a document with a schema that is not there (an error) and without an operationId (a warning).
        var broken = JsonNode.Parse(await File.ReadAllTextAsync(contract.DocumentFile))!;
        var get = broken["paths"]!["/api/v1/bookings/{id}"]!["get"]!.AsObject();
        get["responses"]!["200"]!["content"]!["application/json"]!["schema"] = new JsonObject { ["$ref"] = "#/components/schemas/ApiBookingGone" };
        get.Remove("operationId");
        var file = Path.Combine(contract.Work, "broken.json");
        await File.WriteAllTextAsync(file, broken.ToJsonString());
        var found = await contract.LintAsync(file);
        output.WriteLine($"redocly lint of the broken copy: {found.Errors} errors, {found.Warnings} warnings");
        Assert.True(found.Errors >= 1 && found.Warnings >= 1, found.Report);
    }

    [Fact]
    public async Task Prism_finds_no_request_or_response_of_a_tour_of_every_operation_that_breaks_the_document()
    {
        var tour = new Tour(contract.ProxyUrl);
        using var api = tour.Client(DemoSeeder.ApiKey);

        // The catalogue and a free slot.
        var services = await tour.JsonAsync(api, HttpMethod.Get, "/api/v1/services", 200);
        await tour.JsonAsync(api, HttpMethod.Get, "/api/v1/rooms", 200);
        await tour.JsonAsync(api, HttpMethod.Get, "/api/v1/photographers", 200);
        var serviceId = services.AsArray().Single(s => (string?)s!["name"] == "Portrait session")!["id"]!.GetValue<int>();
        var from = DateOnly.FromDateTime(DateTime.UtcNow.AddDays(8));
        var availability = await tour.JsonAsync(api, HttpMethod.Get,
            $"/api/v1/availability?serviceId={serviceId}&from={from:yyyy-MM-dd}&to={from.AddDays(6):yyyy-MM-dd}", 200);
        var slots = availability["slots"]!.AsArray().Select(s => s!).ToList();
        var slot = slots[0];
        var later = slots.Last(s => (int)s["roomId"]! == (int)slot["roomId"]! && (int?)s["photographerId"] == (int?)slot["photographerId"]
                                    && (DateTime)s["start"]! >= (DateTime)slot["end"]!.GetValue<DateTime>().AddHours(2));

        // A booking, made once per idempotency key.
        var booking = new JsonObject
        {
            ["serviceId"] = serviceId, ["start"] = slot["start"]!.GetValue<string>(), ["roomId"] = (int)slot["roomId"]!,
            ["photographerId"] = (int?)slot["photographerId"], ["guests"] = 1, ["status"] = "Pending", ["sendConfirmation"] = false,
            ["client"] = new JsonObject { ["name"] = "Contract Client", ["email"] = $"contract.{Guid.NewGuid():N}@example.org" },
        };
        var key = $"contract-{Guid.NewGuid():N}";
        var made = await tour.JsonAsync(api, HttpMethod.Post, "/api/v1/bookings", 201, booking, ("Idempotency-Key", key));
        var id = made["id"]!.GetValue<int>();
        var code = made["code"]!.GetValue<string>();
        var replay = await tour.SendAsync(api, HttpMethod.Post, "/api/v1/bookings", 201, booking, ("Idempotency-Key", key));
        Assert.Equal("true", replay.Headers.GetValues("Idempotency-Replayed").Single());
        var changed = booking.DeepClone();
        changed["guests"] = 2;
        await tour.SendAsync(api, HttpMethod.Post, "/api/v1/bookings", 422, changed, ("Idempotency-Key", key));
        await tour.SendAsync(api, HttpMethod.Post, "/api/v1/bookings", 409, booking, ("Idempotency-Key", $"contract-{Guid.NewGuid():N}"));

        // Read and list.
        await tour.JsonAsync(api, HttpMethod.Get, $"/api/v1/bookings/{id}", 200);
        await tour.JsonAsync(api, HttpMethod.Get, $"/api/v1/bookings/by-code/{code}", 200);
        var since = Uri.EscapeDataString(DateTime.UtcNow.AddHours(-1).ToString("O", CultureInfo.InvariantCulture));
        var first = await tour.JsonAsync(api, HttpMethod.Get, "/api/v1/bookings?limit=2", 200);
        await tour.JsonAsync(api, HttpMethod.Get, $"/api/v1/bookings?limit=2&cursor={first["nextCursor"]!.GetValue<string>()}", 200);
        var filtered = await tour.JsonAsync(api, HttpMethod.Get,
            $"/api/v1/bookings?status=Pending&updatedSince={since}&roomId={slot["roomId"]}&clientId={made["clientId"]}&from={Uri.EscapeDataString(slot["start"]!.GetValue<string>())}&limit=10", 200);
        Assert.Contains(filtered["items"]!.AsArray(), b => (int)b!["id"]! == id);

        // Changes over the row version: 428 without If-Match, 412 with a stale one.
        await tour.SendAsync(api, HttpMethod.Post, $"/api/v1/bookings/{id}/status", 428, new JsonObject { ["status"] = "Confirmed" });
        await tour.SendAsync(api, HttpMethod.Post, $"/api/v1/bookings/{id}/status", 412, new JsonObject { ["status"] = "Confirmed" }, ("If-Match", "\"1\""));
        var etag = tour.LastETag!;
        await tour.SendAsync(api, HttpMethod.Post, $"/api/v1/bookings/{id}/status", 422, new JsonObject { ["status"] = "Delivered" }, ("If-Match", etag));
        await tour.JsonAsync(api, HttpMethod.Post, $"/api/v1/bookings/{id}/status", 200, new JsonObject { ["status"] = "Confirmed" }, ("If-Match", etag));
        await tour.JsonAsync(api, HttpMethod.Post, $"/api/v1/bookings/{id}/reschedule", 200,
            new JsonObject { ["start"] = later["start"]!.GetValue<string>() }, ("If-Match", tour.LastETag!));
        await tour.JsonAsync(api, HttpMethod.Post, $"/api/v1/bookings/{id}/cancel", 200,
            new JsonObject { ["reason"] = "The contract tour is over." }, ("If-Match", tour.LastETag!));
        await tour.SendAsync(api, HttpMethod.Post, $"/api/v1/bookings/{id}/cancel", 428, new JsonObject { ["reason"] = "Again." });

        // Clients.
        var email = $"contract.{Guid.NewGuid():N}@example.org";
        var client = new JsonObject { ["name"] = "Contract Person", ["email"] = email, ["phone"] = "+44 20 7946 0002", ["tags"] = new JsonArray("api") };
        var created = await tour.JsonAsync(api, HttpMethod.Post, "/api/v1/clients", 201, client);
        var clientId = created["id"]!.GetValue<int>();
        await tour.SendAsync(api, HttpMethod.Post, "/api/v1/clients", 422, client);
        await tour.JsonAsync(api, HttpMethod.Get, $"/api/v1/clients?q={Uri.EscapeDataString("Contract Person")}&limit=5", 200);
        var clients = await tour.JsonAsync(api, HttpMethod.Get, "/api/v1/clients?limit=1", 200);
        await tour.JsonAsync(api, HttpMethod.Get, $"/api/v1/clients?limit=1&cursor={clients["nextCursor"]!.GetValue<string>()}", 200);
        await tour.JsonAsync(api, HttpMethod.Get, $"/api/v1/clients/{clientId}", 200);
        client["notes"] = "Came through the contract tour.";
        await tour.SendAsync(api, HttpMethod.Put, $"/api/v1/clients/{clientId}", 428, client);
        await tour.SendAsync(api, HttpMethod.Put, $"/api/v1/clients/{clientId}", 412, client, ("If-Match", "\"1\""));
        await tour.JsonAsync(api, HttpMethod.Put, $"/api/v1/clients/{clientId}", 200, client, ("If-Match", tour.LastETag!));

        // Errors the document promises: unknown resources, an unknown key, a question that makes no sense.
        await tour.SendAsync(api, HttpMethod.Get, "/api/v1/bookings/2000000000", 404);
        await tour.SendAsync(api, HttpMethod.Get, "/api/v1/bookings/by-code/PS-NONE0", 404);
        await tour.SendAsync(api, HttpMethod.Get, "/api/v1/clients/2000000000", 404);
        await tour.SendAsync(api, HttpMethod.Post, "/api/v1/bookings/2000000000/cancel", 404, new JsonObject { ["reason"] = "None." }, ("If-Match", "\"1\""));
        await tour.SendAsync(api, HttpMethod.Get, $"/api/v1/availability?serviceId={serviceId}&from={from:yyyy-MM-dd}&to={from.AddDays(-1):yyyy-MM-dd}", 422);
        using (var stranger = tour.Client("psk_nosuchke_" + new string('a', 32)))
            await tour.SendAsync(stranger, HttpMethod.Get, "/api/v1/rooms", 401);

        output.WriteLine(tour.Log.ToString());
        output.WriteLine($"{tour.Requests} requests through prism, {tour.Operations.Count} operations, {tour.Violations.Count} violations");
        Assert.True(tour.Violations.Count == 0, string.Join("\n", tour.Violations));
        Assert.Equal(contract.OperationCount, tour.Operations.Count);

        // Prism does report what breaks the document: a request without a required field is refused with its own 422 ...
        using var bad = await tour.RawAsync(api, HttpMethod.Post, $"/api/v1/bookings/{id}/status", new JsonObject { ["reason"] = "x" });
        var refusal = await bad.Content.ReadAsStringAsync();
        Assert.Equal(422, (int)bad.StatusCode);
        Assert.Contains(PrismErrors + "UNPROCESSABLE_ENTITY", refusal);
        Assert.Contains("status", refusal);
        // ... and an answer that does not fit (rooms' capacity made a string in a copy of the document) becomes its 500 with sl-violations.
        var tampered = JsonNode.Parse(await File.ReadAllTextAsync(contract.DocumentFile))!;
        tampered["components"]!["schemas"]!["ApiRoom"]!["properties"]!["capacity"] = new JsonObject { ["type"] = "string" };
        var file = Path.Combine(contract.Work, "tampered.json");
        await File.WriteAllTextAsync(file, tampered.ToJsonString());
        using var strict = new HttpClient { BaseAddress = new Uri(await contract.StartPrismAsync(file)) };
        strict.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", DemoSeeder.ApiKey);
        using var rooms = await strict.GetAsync("/api/v1/rooms");
        Assert.Equal(500, (int)rooms.StatusCode);
        Assert.Contains(PrismErrors + "VIOLATIONS", await rooms.Content.ReadAsStringAsync());
        Assert.Contains("capacity", rooms.Headers.GetValues("sl-violations").Single());
    }

    [Fact]
    public async Task A_bounded_fuzz_of_every_operation_gets_no_5xx_and_only_problem_details_as_errors()
    {
        var fuzz = new Fuzz(JsonNode.Parse(await File.ReadAllTextAsync(contract.DocumentFile))!, seed: 20261203);
        using var api = new HttpClient { BaseAddress = new Uri(contract.App.BaseUrl), Timeout = TimeSpan.FromSeconds(20) };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", DemoSeeder.ApiKey);
        // What the fuzz once found: a NUL, which PostgreSQL's text cannot hold, answered 500 from the client search.
        using (var search = await api.GetAsync("/api/v1/clients?q=%00"))
            Assert.True(JsonNode.Parse(await search.Content.ReadAsStringAsync())!["errors"]!["q"] is not null && (int)search.StatusCode == 400);
        using (var create = await api.PostAsync("/api/v1/clients", new StringContent(
                   """{"name":"Nul\u0000Name","email":"nul@example.org","tags":["ok","n\u0000l"]}""", Encoding.UTF8, "application/json")))
        {
            var errors = JsonNode.Parse(await create.Content.ReadAsStringAsync())!["errors"]!.AsObject();
            Assert.Equal(400, (int)create.StatusCode);
            Assert.Equal(new[] { "name", "tags" }, errors.Select(e => e.Key).Order());
        }

        var histogram = new SortedDictionary<int, int>();
        var failures = new List<string>();
        var watch = Stopwatch.StartNew();
        var requests = 0;
        foreach (var operation in fuzz.Operations)
        {
            for (var i = 0; i < Fuzz.PerOperation; i++)
            {
                using var request = fuzz.Request(operation);
                var what = $"{request.Method} {request.RequestUri} {(request.Content is null ? "" : await request.Content.ReadAsStringAsync())}";
                using var response = await api.SendAsync(request);
                requests++;
                var status = (int)response.StatusCode;
                histogram[status] = histogram.GetValueOrDefault(status) + 1;
                var body = await response.Content.ReadAsStringAsync();
                if (status >= 500) failures.Add($"{status} for {Shorten(what)}: {Shorten(body)}");
                else if (status >= 400 && !IsProblem(response, body, status)) failures.Add($"{status} is no problem+json for {Shorten(what)}: {Shorten(body)}");
            }
        }
        output.WriteLine($"fuzz: {requests} requests over {fuzz.Operations.Count} operations in {watch.ElapsedMilliseconds} ms (seed 20261203)");
        output.WriteLine("statuses: " + string.Join(", ", histogram.Select(h => $"{h.Key}: {h.Value}")));
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(20)));
        Assert.Equal(contract.OperationCount, fuzz.Operations.Count);
        // The fuzz reaches past the model binder: some requests are refused by the API's own rules, some succeed.
        Assert.Contains(histogram.Keys, s => s is >= 200 and < 300);
        Assert.Contains(histogram.Keys, s => s is 404 or 412 or 422 or 428);
    }

    /// <summary>The problem types of Prism's own answers (a refused request, a violating response).</summary>
    private const string PrismErrors = "https://stoplight.io/prism/errors#";

    private static bool IsProblem(HttpResponseMessage response, string body, int status)
    {
        if (response.Content.Headers.ContentType?.MediaType != "application/problem+json") return false;
        try
        {
            var problem = JsonNode.Parse(body)!;
            return (int?)problem["status"] == status && !string.IsNullOrEmpty((string?)problem["title"]);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";

    /// <summary>Requests through the proxy: each one's status checked, prism's violations collected.</summary>
    private sealed class Tour(string proxyUrl)
    {
        public StringBuilder Log { get; } = new();
        public List<string> Violations { get; } = [];
        public HashSet<string> Operations { get; } = [];
        public int Requests { get; private set; }
        public string? LastETag { get; private set; }

        public HttpClient Client(string key)
        {
            TestSecrets.Remember(key);
            var client = new HttpClient { BaseAddress = new Uri(proxyUrl), Timeout = TimeSpan.FromSeconds(30) };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
            return client;
        }

        public async Task<HttpResponseMessage> RawAsync(HttpClient client, HttpMethod method, string url, JsonNode? body = null,
            params (string Name, string Value)[] headers)
        {
            var request = new HttpRequestMessage(method, url);
            if (body is not null) request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
            foreach (var (name, value) in headers) request.Headers.TryAddWithoutValidation(name, value);
            return await client.SendAsync(request);
        }

        public async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string url, int expected, JsonNode? body = null,
            params (string Name, string Value)[] headers)
        {
            var response = await RawAsync(client, method, url, body, headers);
            Requests++;
            var status = (int)response.StatusCode;
            var text = await response.Content.ReadAsStringAsync();
            Log.AppendLine($"{status} {method} {url}");
            Operations.Add($"{method} {Template(url)}");
            if (response.Headers.TryGetValues("sl-violations", out var violations))
                Violations.Add($"{method} {url} -> {status}: {string.Join(' ', violations)}");
            if (text.Contains(PrismErrors)) Violations.Add($"{method} {url} -> prism answered itself: {Shorten(text)}");
            if (status != expected) Violations.Add($"{method} {url}: expected {expected}, got {status}: {Shorten(text)}");
            if (response.Headers.ETag is { } etag) LastETag = etag.ToString();
            return response;
        }

        public async Task<JsonNode> JsonAsync(HttpClient client, HttpMethod method, string url, int expected, JsonNode? body = null,
            params (string Name, string Value)[] headers)
        {
            using var response = await SendAsync(client, method, url, expected, body, headers);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True((int)response.StatusCode == expected, $"{method} {url}: {(int)response.StatusCode} {text}\n{string.Join("\n", Violations)}");
            return JsonNode.Parse(text)!;
        }

        /// <summary>The document's path template a tour address belongs to.</summary>
        private static string Template(string url)
        {
            var path = url.Split('?')[0];
            if (path.StartsWith("/api/v1/bookings/by-code/", StringComparison.Ordinal)) return "/api/v1/bookings/by-code/{code}";
            return string.Join('/', path.Split('/').Select(s => s.Length > 0 && s.All(char.IsAsciiDigit) ? "{id}" : s));
        }
    }

    /// <summary>
    /// Requests made from the document alone: each parameter and body field gets a boundary or random value of its
    /// schema's kind (or of another kind), required fields go missing, bodies get the wrong shape; a fixed seed.
    /// </summary>
    private sealed class Fuzz(JsonNode document, int seed)
    {
        public const int PerOperation = 30;
        private readonly Random random = new(seed);

        public sealed record Operation(string Method, string Path, JsonArray Parameters, JsonNode? BodySchema);

        public List<Operation> Operations { get; } =
        [
            .. document["paths"]!.AsObject().SelectMany(p => p.Value!.AsObject().Select(o => new Operation(o.Key.ToUpperInvariant(), p.Key,
                o.Value!["parameters"]?.AsArray() ?? [], o.Value!["requestBody"]?["content"]?["application/json"]?["schema"]))),
        ];

        private static readonly string[] Strings =
        [
            "", " ", "a", new string('x', 2000), "Zoë Ψ 写真 👩🏽‍🎨", "\u0000", "'; DROP TABLE bookings; --", "%", "../..", "null", "-1",
            "2147483648", "PS-00000", "\"1\"", "<script>", "Confirmed", "NoShow", "1e309",
        ];
        private static readonly object[] Integers = [0, -1, 1, 2, int.MaxValue, int.MinValue, 2147483648L, long.MaxValue, 1.5, "7", "abc"];
        private static readonly string[] Dates = ["0001-01-01", "9999-12-31", "2026-02-30", "1900-01-01", "2030-06-03", "yesterday", ""];
        private static readonly string[] Times =
        [
            "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2030-06-03T09:00:00Z", "2030-06-03T09:00:00", "2030-06-03T09:00:30+03:00",
            "2030-13-01T00:00:00Z", "now",
        ];

        public HttpRequestMessage Request(Operation operation)
        {
            var path = operation.Path;
            var query = new List<string>();
            var headers = new List<(string, string)>();
            foreach (var parameter in operation.Parameters)
            {
                var name = (string)parameter!["name"]!;
                var where = (string)parameter["in"]!;
                var required = (bool?)parameter["required"] == true;
                if (!required && random.Next(3) == 0) continue;
                var value = Scalar(parameter["schema"]);
                var text = value switch { null => "", string s => s, IFormattable f => f.ToString(null, CultureInfo.InvariantCulture), _ => value.ToString()! };
                switch (where)
                {
                    // Kestrel itself refuses a NUL in the path and a request line over 8 KB, before the app sees them.
                    case "path": path = path.Replace("{" + name + "}", Uri.EscapeDataString(text.Length == 0 || text.Contains('\0') ? "0" : text)); break;
                    case "query" when query.Sum(q => q.Length) + Uri.EscapeDataString(text).Length < 6000: query.Add($"{name}={Uri.EscapeDataString(text)}"); break;
                    case "header" when text.All(char.IsAscii) && !text.Contains('\0'): headers.Add((name, text)); break;
                }
            }
            var request = new HttpRequestMessage(new HttpMethod(operation.Method), path + (query.Count > 0 ? "?" + string.Join('&', query) : ""));
            foreach (var (name, value) in headers) request.Headers.TryAddWithoutValidation(name, value);
            if (operation.BodySchema is { } schema)
            {
                var body = random.Next(10) switch
                {
                    0 => Pick<JsonNode?>([null, new JsonArray(), JsonValue.Create("x"), JsonValue.Create(1), new JsonObject()]),
                    _ => Value(schema, depth: 0),
                };
                request.Content = new StringContent(body?.ToJsonString() ?? "null", Encoding.UTF8, "application/json");
            }
            return request;
        }

        private T Pick<T>(IReadOnlyList<T> values) => values[random.Next(values.Count)];

        private JsonNode Resolve(JsonNode schema) =>
            schema["$ref"] is { } reference ? document["components"]!["schemas"]![((string)reference!).Split('/')[^1]]! : schema;

        private static string Kind(JsonNode schema) => schema["type"] switch
        {
            JsonArray types => types.Select(t => (string)t!).FirstOrDefault(t => t != "null") ?? "null",
            JsonNode type => (string)type!,
            null => schema["properties"] is not null ? "object" : "string",
        };

        /// <summary>A value for a parameter: usually of its kind, sometimes of another.</summary>
        private object? Scalar(JsonNode? schema)
        {
            var kind = schema is null ? "string" : Kind(Resolve(schema));
            var format = (string?)schema?["format"];
            if (random.Next(6) == 0) return Pick<object?>([.. Strings, .. Integers]);
            return (kind, format) switch
            {
                ("integer", _) => random.Next(4) == 0 ? random.Next(1, 400) : Pick(Integers),
                ("number", _) => Pick<object>([0, -1, 1e308, 0.5, "NaN"]),
                ("boolean", _) => Pick<object>([true, false, "yes", 2]),
                (_, "date") => random.Next(3) == 0 ? DateOnly.FromDateTime(DateTime.UtcNow.AddDays(random.Next(-5, 80))).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : Pick(Dates),
                (_, "date-time") => Pick(Times),
                _ => random.Next(4) == 0 ? RandomText() : Pick(Strings),
            };
        }

        private JsonNode? Value(JsonNode schema, int depth)
        {
            var resolved = Resolve(schema);
            var kind = Kind(resolved);
            if (kind == "object" && depth < 2)
            {
                var body = new JsonObject();
                var required = resolved["required"]?.AsArray().Select(r => (string)r!).ToHashSet() ?? [];
                foreach (var (name, property) in resolved["properties"]?.AsObject() ?? [])
                {
                    // Required fields go missing now and then, optional ones more often.
                    if (random.Next(required.Contains(name) ? 8 : 3) == 0) continue;
                    body[name] = Value(property!, depth + 1);
                }
                return body;
            }
            if (kind == "array") return random.Next(5) == 0 ? JsonValue.Create("tag") : new JsonArray([.. Enumerable.Range(0, Pick<int>([0, 1, 3, 25])).Select(_ => Value(resolved["items"]!, depth + 1))]);
            return Scalar(resolved) switch
            {
                null => null,
                string s => JsonValue.Create(s),
                int i => JsonValue.Create(i),
                long l => JsonValue.Create(l),
                double d => JsonValue.Create(d),
                bool b => JsonValue.Create(b),
                var other => JsonValue.Create(other.ToString()),
            };
        }

        private string RandomText()
        {
            var length = Pick<int>([1, 8, 64, 300]);
            return new string([.. Enumerable.Range(0, length).Select(_ => (char)random.Next(0x20, 0x2FF))]);
        }
    }
}

/// <summary>
/// The built app as a process on a fresh demo database, its OpenAPI document fetched with the demo key into a work
/// folder, and Prism proxying to it in validation mode (<c>--errors</c>); the tools from ops/api-contract.
/// </summary>
public sealed class ApiContract : StudioApp
{
    private readonly List<Process> proxies = [];
    private readonly StringBuilder prismOutput = new();

    public AppProcess App { get; private set; } = null!;
    public string Tools { get; private set; } = "";
    public string Work { get; } = Directory.CreateTempSubdirectory("photostudio-contract-").FullName;
    public string DocumentFile => Path.Combine(Work, "openapi.json");
    public string ProxyUrl { get; private set; } = "";
    public int OperationCount { get; private set; }

    public sealed record Lint(int Errors, int Warnings, string Report);

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        var tools = NpmTools.InstalledAsync("api-contract");
        // The tour and the fuzz send a few hundred requests a minute with one key.
        App = AppProcess.Start(ConnectionString, settings: new Dictionary<string, string> { ["RateLimits__ApiPerKeyPerMinute"] = "100000" });
        await App.WaitUntilReadyAsync();
        Tools = await tools;

        using var http = new HttpClient { BaseAddress = new Uri(App.BaseUrl) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", DemoSeeder.ApiKey);
        var document = await http.GetStringAsync("/openapi/v1.json");
        await File.WriteAllTextAsync(DocumentFile, document);
        OperationCount = JsonNode.Parse(document)!["paths"]!.AsObject().Sum(p => p.Value!.AsObject().Count);

        ProxyUrl = await StartPrismAsync(DocumentFile);
    }

    public async Task<Lint> LintAsync(string file)
    {
        var result = await Commands.RunAsync(NpmTools.Bin(Tools, "redocly"),
            ["lint", file, "--config", Path.Combine(Tools, "redocly.yaml"), "--format", "json"], workingDirectory: Tools);
        var report = JsonNode.Parse(result.Stdout[result.Stdout.IndexOf('{')..])!;
        var totals = report["totals"]!;
        var problems = report["problems"]!.AsArray()
            .Select(p => $"{p!["severity"]} {p["ruleId"]} {p["location"]?[0]?["pointer"]}: {p["message"]}");
        return new Lint((int)totals["errors"]!, (int)totals["warnings"]!, string.Join("\n", problems));
    }

    /// <summary>Prism proxying to the app in validation mode, with <paramref name="document"/> as the contract; its address.</summary>
    public async Task<string> StartPrismAsync(string document)
    {
        var port = AppProcess.FreePort();
        var url = $"http://127.0.0.1:{port}";
        var start = new ProcessStartInfo(NpmTools.Bin(Tools, "prism"),
            ["proxy", document, App.BaseUrl, "--errors", "--host", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture)])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = Tools,
        };
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var prism = Process.Start(start) ?? throw new InvalidOperationException("prism did not start");
        lock (proxies) proxies.Add(prism);
        void Read(string? line)
        {
            if (line is null) return;
            lock (prismOutput) prismOutput.AppendLine(line);
            if (line.Contains("Prism is listening")) listening.TrySetResult();
        }
        prism.OutputDataReceived += (_, e) => Read(e.Data);
        prism.ErrorDataReceived += (_, e) => Read(e.Data);
        prism.BeginOutputReadLine();
        prism.BeginErrorReadLine();
        if (await Task.WhenAny(listening.Task, prism.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(60))) != listening.Task)
            throw new InvalidOperationException($"prism did not start listening:\n{prismOutput}");
        return url;
    }

    public override async ValueTask DisposeAsync()
    {
        foreach (var prism in proxies)
        {
            if (!prism.HasExited) prism.Kill(entireProcessTree: true);
            prism.Dispose();
        }
        proxies.Clear();
        if (App is not null) await App.DisposeAsync();
        if (Directory.Exists(Work)) Directory.Delete(Work, recursive: true);
        await base.DisposeAsync();
    }
}
