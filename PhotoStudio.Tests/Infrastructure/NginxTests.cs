using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Microsoft.EntityFrameworkCore;
using PhotoStudio.Data;
using PhotoStudio.Data.Seeding;
using PhotoStudio.Tests.Features.Board;
using PhotoStudio.Tests.Support;
using Xunit.Abstractions;

namespace PhotoStudio.Tests.Infrastructure;

/// <summary>
/// Debian's nginx in front of two instances of the app (separate processes on one database), with
/// ops/deploy/nginx/photostudio.conf as shipped except for its placeholders: upstream addresses, ports, host name
/// and a self-signed certificate made for the run. Clients reach nginx over HTTPS as <see cref="HostName"/>, from
/// 127.0.0.1 or, to tell a client from nginx (which reaches the instances from 127.0.0.1, their trusted proxy),
/// from other loopback addresses.
/// </summary>
public sealed class NginxFront : StudioApp
{
    public const string HostName = "photostudio.test";

    /// <summary>A client address that is neither nginx nor trusted by the instances.</summary>
    public static readonly IPAddress Visitor = IPAddress.Parse("127.0.0.2");

    private static readonly string Shipped = Path.Combine(TestDatabase.RepositoryRoot, "ops", "deploy", "nginx", "photostudio.conf");

    private readonly StringBuilder log = new();
    private Process? nginx;
    private DirectoryInfo? work;
    private HttpClient? reception;

    public AppProcess A { get; private set; } = null!;
    public AppProcess B { get; private set; } = null!;
    public int HttpsPort { get; private set; }
    public int HttpPort { get; private set; }
    public X509Certificate2 Certificate { get; private set; } = null!;

    /// <summary>The nginx.conf the test wrote, which includes the shipped file (as Debian's includes conf.d/*.conf).</summary>
    public string ConfigPath => Path.Combine(work!.FullName, "nginx.conf");

    public string Prefix => work!.FullName + "/";

    public string NginxLog { get { lock (log) return log + ReadIfThere(Path.Combine(work!.FullName, "error.log")); } }

    /// <summary><c>PHOTOSTUDIO_NGINX</c>, or Debian's /usr/sbin/nginx (package nginx; ./ops/test installs it).</summary>
    public static string Executable =>
        System.Environment.GetEnvironmentVariable("PHOTOSTUDIO_NGINX") is { Length: > 0 } path ? path : "/usr/sbin/nginx";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        work = Directory.CreateTempSubdirectory("photostudio-nginx-");
        // Run as root, nginx's workers switch to "nobody", and must still reach their temp folders in here.
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(work.FullName, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        HttpsPort = AppProcess.FreePort();
        HttpPort = AppProcess.FreePort();
        var settings = new Dictionary<string, string>
        {
            ["TrustedProxies__0"] = "127.0.0.1",
            ["PHOTOSTUDIO_PUBLIC_URL"] = $"https://{HostName}:{HttpsPort}",
            // A heartbeat a second, so a test sees frames pass nginx one by one.
            ["Board__HeartbeatSeconds"] = "1",
        };
        A = AppProcess.Start(ConnectionString, settings: settings);
        B = AppProcess.Start(ConnectionString, settings: settings);

        var certificate = Path.Combine(work.FullName, "fullchain.pem");
        var key = Path.Combine(work.FullName, "privkey.pem");
        var openssl = await Commands.RunAsync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-days", "2", "-subj", $"/CN={HostName}", "-addext", $"subjectAltName=DNS:{HostName}", "-keyout", key, "-out", certificate]);
        if (openssl.ExitCode != 0) throw new InvalidOperationException("openssl req failed:\n" + openssl.Output);
        Certificate = X509CertificateLoader.LoadCertificateFromFile(certificate);

        await File.WriteAllTextAsync(Path.Combine(work.FullName, "photostudio.conf"), Configure(await File.ReadAllTextAsync(Shipped), certificate, key));
        await File.WriteAllTextAsync(ConfigPath, $$"""
            # The parts of Debian's /etc/nginx/nginx.conf that bear on the included file (old TLS versions and gzip on
            # for every HTML response), which it must override; files and folders are this test's own.
            worker_processes 1;
            pid {{Prefix}}nginx.pid;
            error_log {{Prefix}}error.log info;
            events { worker_connections 512; }
            http {
                include /etc/nginx/mime.types;
                default_type application/octet-stream;
                ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;
                ssl_prefer_server_ciphers on;
                gzip on;
                access_log {{Prefix}}access.log;
                client_body_temp_path {{Prefix}}client_body;
                proxy_temp_path {{Prefix}}proxy;
                fastcgi_temp_path {{Prefix}}fastcgi;
                uwsgi_temp_path {{Prefix}}uwsgi;
                scgi_temp_path {{Prefix}}scgi;
                include {{Prefix}}photostudio.conf;
            }
            """);

        var check = await TestConfigurationAsync();
        if (check.ExitCode != 0) throw new InvalidOperationException("nginx -t:\n" + check.Output);
        var start = new ProcessStartInfo(Executable, ["-p", Prefix, "-e", Prefix + "error.log", "-c", ConfigPath, "-g", "daemon off;"])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        nginx = Process.Start(start) ?? throw new InvalidOperationException($"{Executable} did not start");
        nginx.OutputDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        nginx.ErrorDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        nginx.BeginOutputReadLine();
        nginx.BeginErrorReadLine();

        await Task.WhenAll(A.WaitUntilReadyAsync(), B.WaitUntilReadyAsync());
        using var probe = Client();
        await Wait.UntilAsync(async () =>
        {
            if (nginx.HasExited) throw new InvalidOperationException($"nginx exited with {nginx.ExitCode}:\n{NginxLog}");
            try { return (await probe.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK; }
            catch (HttpRequestException) { return false; }
        }, "nginx to answer /health/ready over https", pollMilliseconds: 100);
    }

    /// <summary>The shipped configuration with this run's addresses, ports, host name and certificate; fails if one is not found.</summary>
    private string Configure(string config, string certificate, string key)
    {
        foreach (var (placeholder, value) in new[]
                 {
                     ("server app-1:8080", $"server {new Uri(A.BaseUrl).Authority}"),
                     ("server app-2:8080", $"server {new Uri(B.BaseUrl).Authority}"),
                     ("listen 80;", $"listen 127.0.0.1:{HttpPort};"),
                     ("listen 443 ssl http2;", $"listen 127.0.0.1:{HttpsPort} ssl http2;"),
                     ("server_name photostudio.example.com;", $"server_name {HostName};"),
                     ("/etc/ssl/photostudio/fullchain.pem", certificate),
                     ("/etc/ssl/photostudio/privkey.pem", key),
                 })
        {
            if (!config.Contains(placeholder)) throw new InvalidOperationException($"{Shipped} no longer contains '{placeholder}'.");
            config = config.Replace(placeholder, value);
        }
        return config;
    }

    public Task<CommandResult> TestConfigurationAsync() =>
        Commands.RunAsync(Executable, ["-t", "-p", Prefix, "-e", Prefix + "error.log", "-c", ConfigPath]);

    /// <summary>A browser-like client of nginx over HTTPS (cookies kept, redirects not followed), connecting from <paramref name="from"/>.</summary>
    public HttpClient Client(IPAddress? from = null) =>
        new(Handler(from ?? IPAddress.Loopback, Certificate.Thumbprint)) { BaseAddress = new Uri($"https://{HostName}:{HttpsPort}"), Timeout = TimeSpan.FromSeconds(60) };

    /// <summary>The same, to port 80.</summary>
    public HttpClient PlainClient() => new(Handler(IPAddress.Loopback)) { BaseAddress = new Uri($"http://{HostName}:{HttpPort}") };

    /// <summary>A client of one instance itself, bypassing nginx, connecting from <paramref name="from"/>.</summary>
    public static HttpClient Direct(AppProcess instance, IPAddress? from = null) =>
        new(Handler(from ?? IPAddress.Loopback)) { BaseAddress = new Uri(instance.BaseUrl), Timeout = TimeSpan.FromSeconds(60) };

    /// <summary>Reception (no second factor), signed in through nginx once for the class.</summary>
    public async Task<HttpClient> ReceptionAsync()
    {
        if (reception is not null) return reception;
        var client = Client();
        await client.SignInAsync("reception@demo.studio");
        return reception = client;
    }

    private readonly Dictionary<AppProcess, HttpClient> directReception = [];

    /// <summary>Reception signed in on one instance itself (plain HTTP, so its cookie is the unprefixed one), once for the class.</summary>
    public async Task<HttpClient> DirectReceptionAsync(AppProcess instance)
    {
        if (directReception.TryGetValue(instance, out var client)) return client;
        client = Direct(instance);
        await client.SignInAsync("reception@demo.studio");
        return directReception[instance] = client;
    }

    /// <summary>Open board streams on one instance, as its /metrics says.</summary>
    public static async Task<int> StreamsAsync(AppProcess instance)
    {
        using var http = Direct(instance);
        var metrics = await http.GetStringAsync("/metrics");
        return int.Parse(Regex.Match(metrics, @"^photostudio_board_subscribers (\d+)", RegexOptions.Multiline).Groups[1].Value);
    }

    /// <param name="thumbprint">The one server certificate to accept (HTTPS only).</param>
    private static SocketsHttpHandler Handler(IPAddress from, string? thumbprint = null) => new()
    {
        AllowAutoRedirect = false,
        UseCookies = true,
        CookieContainer = new CookieContainer(),
        AutomaticDecompression = DecompressionMethods.None,
        // Only the certificate this run made; every name resolves to loopback, the connection leaves from "from".
        SslOptions = new SslClientAuthenticationOptions
        {
            RemoteCertificateValidationCallback = (_, presented, _, _) => thumbprint is not null && presented?.GetCertHashString() == thumbprint,
        },
        ConnectCallback = async (context, ct) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                socket.Bind(new IPEndPoint(from, 0));
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, context.DnsEndPoint.Port), ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };

    public override async ValueTask DisposeAsync()
    {
        reception?.Dispose();
        foreach (var client in directReception.Values) client.Dispose();
        if (nginx is { HasExited: false })
        {
            nginx.Kill(entireProcessTree: true);
            await nginx.WaitForExitAsync();
        }
        nginx?.Dispose();
        if (A is not null) await A.DisposeAsync();
        if (B is not null) await B.DisposeAsync();
        work?.Delete(recursive: true);
        await base.DisposeAsync();
    }

    private static string ReadIfThere(string path) => File.Exists(path) ? File.ReadAllText(path) : "";
}

public class NginxTests(NginxFront front, ITestOutputHelper output) : IClassFixture<NginxFront>
{
    [Fact]
    public async Task Nginx_accepts_the_shipped_configuration_with_only_its_placeholders_replaced()
    {
        var check = await front.TestConfigurationAsync();
        output.WriteLine($"{NginxFront.Executable} -t: exit {check.ExitCode}\n{check.Output.Trim()}");
        Assert.Equal(0, check.ExitCode);
        Assert.Contains("syntax is ok", check.Output);
        Assert.Contains("test is successful", check.Output);
    }

    [Fact]
    public async Task Plain_http_is_redirected_to_the_same_address_over_https()
    {
        using var client = front.PlainClient();
        using var response = await client.GetAsync("/board?range=week");
        output.WriteLine($"GET http://{NginxFront.HostName}/board?range=week: {(int)response.StatusCode} Location {response.Headers.Location}");
        Assert.Equal(HttpStatusCode.MovedPermanently, response.StatusCode);
        Assert.Equal($"https://{NginxFront.HostName}/board?range=week", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Signing_in_through_nginx_over_https_sets_the_host_prefixed_secure_cookie_and_sends_each_security_header_once()
    {
        using var client = front.Client();
        using var page = await client.GetAsync("/account/login");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        foreach (var header in new[] { "Strict-Transport-Security", "Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy" })
        {
            var count = page.Headers.NonValidated.TryGetValues(header, out var values) ? values.Count : 0;
            output.WriteLine($"{header}: sent {count}x ({string.Join(" | ", values)})");
            Assert.Equal(1, count);
        }
        Assert.Contains("max-age=", page.Headers.NonValidated["Strict-Transport-Security"].ToString());
        Assert.Null(page.Content.Headers.ContentEncoding.FirstOrDefault()); // pages are never compressed (BREACH)

        var form = (await page.ReadDocumentAsync()).QuerySelector<IHtmlFormElement>("#login-form")!;
        using var signIn = await client.SubmitAsync(form, new Dictionary<string, string> { ["Email"] = "reception@demo.studio", ["Password"] = DemoSeeder.Password });
        Assert.Equal(HttpStatusCode.SeeOther, signIn.StatusCode);
        var cookie = Assert.Single(signIn.Headers.GetValues("Set-Cookie"), c => c.StartsWith("__Host-PhotoStudio="));
        var attributes = cookie.Split(';').Skip(1).Select(a => a.Trim().ToLowerInvariant()).ToList();
        output.WriteLine($"Set-Cookie: __Host-PhotoStudio=…; {string.Join("; ", attributes)}");
        Assert.Contains("secure", attributes);
        Assert.Contains("path=/", attributes);
        Assert.Contains("httponly", attributes);
        Assert.DoesNotContain(attributes, a => a.StartsWith("domain="));

        // Round robin: consecutive pages come from both instances, and each accepts the cookie the other issued.
        var before = (await RequestCountAsync(front.A), await RequestCountAsync(front.B));
        for (var i = 0; i < 4; i++) Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/board")).StatusCode);
        var served = (await RequestCountAsync(front.A) - before.Item1, await RequestCountAsync(front.B) - before.Item2);
        output.WriteLine($"4 board pages signed in: {served.Item1} from instance A, {served.Item2} from instance B");
        Assert.True(served.Item1 > 0 && served.Item2 > 0, $"A served {served.Item1}, B {served.Item2}");
    }

    [Fact]
    public async Task A_booking_confirmed_on_one_instance_reaches_a_board_stream_opened_through_nginx_on_the_other_within_a_second()
    {
        var reception = await front.ReceptionAsync();
        var first = await front.AddBookingAsync(BookingStatus.Pending);
        var booking = await front.AddBookingAsync(BookingStatus.Pending);
        await NoStreamsOpenAsync();

        using var stream = await EventStream.ListeningAsync(reception);
        var (other, name) = await Wait.UntilAsync(async () => (await NginxFront.StreamsAsync(front.A), await NginxFront.StreamsAsync(front.B)),
            s => s.Item1 + s.Item2 == 1, "one instance to count the stream") is (1, 0) ? (front.B, "A") : (front.A, "B");
        output.WriteLine($"the stream through nginx is served by instance {name}; bookings are confirmed on the other, directly");
        var direct = await front.DirectReceptionAsync(other);

        // The first confirmation on that instance also pays for its first move (compiling, connections); the second is the figure.
        var (cold, coldPosted) = await ConfirmAsync(direct, first, stream);
        var (delay, posted) = await ConfirmAsync(direct, booking, stream);
        output.WriteLine($"first confirmation: posted in {coldPosted.TotalMilliseconds:F0} ms, on the stream after {cold.TotalMilliseconds:F0} ms");
        output.WriteLine($"second confirmation: posted in {posted.TotalMilliseconds:F0} ms, on the stream through nginx after {delay.TotalMilliseconds:F0} ms");
        Assert.Equal(BookingStatus.Confirmed, (await front.ReloadAsync(booking.Id)).Status);
        Assert.True(delay < TimeSpan.FromSeconds(1), $"{delay.TotalMilliseconds:F0} ms");
    }

    [Fact]
    public async Task Board_events_pass_through_nginx_at_once_and_uncompressed_frame_by_frame()
    {
        var reception = await front.ReceptionAsync();
        var directA = await front.DirectReceptionAsync(front.A);
        // Each instance has served a stream before, so neither figure below includes a first request's start-up.
        foreach (var instance in new[] { front.A, front.B })
            using (var warm = await EventStream.ListeningAsync(await front.DirectReceptionAsync(instance))) { }
        await NoStreamsOpenAsync();

        var (viaNginx, viaNginxBeat, response) = await TimeStreamAsync(reception);
        using (response)
        {
            Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
            Assert.Empty(response.Content.Headers.ContentEncoding);
            Assert.False(response.Headers.Contains("X-Accel-Buffering"), "nginx keeps X-Accel-Buffering to itself");
        }
        var (straight, straightBeat, directResponse) = await TimeStreamAsync(directA);
        directResponse.Dispose();

        output.WriteLine($"hello event: {viaNginx.TotalMilliseconds:F0} ms through nginx, {straight.TotalMilliseconds:F0} ms straight from an instance");
        output.WriteLine($"gap between two 1 s heartbeats: {viaNginxBeat.TotalMilliseconds:F0} ms through nginx, {straightBeat.TotalMilliseconds:F0} ms straight");
        Assert.True(viaNginx < TimeSpan.FromSeconds(1), $"hello after {viaNginx.TotalMilliseconds:F0} ms through nginx");
        // A buffering proxy would hold these few-byte comments until its buffer filled, minutes later.
        Assert.InRange(viaNginxBeat.TotalMilliseconds, 500, 2500);
    }

    [Fact]
    public async Task The_app_believes_the_client_address_nginx_writes_and_never_a_forged_one()
    {
        const string forged = "203.0.113.9";

        using var viaNginx = front.Client(NginxFront.Visitor);
        var throughNginx = await FailedSignInIpAsync(viaNginx, forged);
        output.WriteLine($"through nginx from {NginxFront.Visitor} with X-Forwarded-For: {forged}: audit trail says {throughNginx}");
        Assert.Equal(NginxFront.Visitor.ToString(), throughNginx);

        using var untrusted = NginxFront.Direct(front.A, NginxFront.Visitor);
        var straight = await FailedSignInIpAsync(untrusted, forged);
        output.WriteLine($"straight to an instance from {NginxFront.Visitor} (not a trusted proxy) with X-Forwarded-For: {forged}: audit trail says {straight}");
        Assert.Equal(NginxFront.Visitor.ToString(), straight);

        // The control: from the trusted address the same header is believed, so the two above show the trust at work.
        using var trusted = NginxFront.Direct(front.A, IPAddress.Loopback);
        var believed = await FailedSignInIpAsync(trusted, forged);
        output.WriteLine($"straight to an instance from 127.0.0.1 (the trusted proxy's address) with X-Forwarded-For: {forged}: audit trail says {believed}");
        Assert.Equal(forged, believed);
    }

    [Fact]
    public async Task Static_files_are_gzipped_and_only_fingerprinted_urls_are_kept_a_year()
    {
        using var client = front.Client();
        client.DefaultRequestHeaders.AcceptEncoding.ParseAdd("gzip");
        var page = await client.GetDocumentAsync("/account/login");
        var css = page.QuerySelector("link[rel=stylesheet][href^='/css/site.css?v=']")!.GetAttribute("href")!;
        var lib = page.QuerySelector("link[rel=stylesheet][href^='/lib/']")!.GetAttribute("href")!;
        const string year = "public, max-age=31536000, immutable";

        foreach (var (url, cacheControl) in new[] { (css, year), (lib, year), ("/css/site.css", "no-cache"), ("/js/theme.js", "no-cache") })
        {
            using var response = await client.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var compressed = await response.Content.ReadAsByteArrayAsync();
            var encoding = string.Join(",", response.Content.Headers.ContentEncoding);
            var plain = encoding == "gzip" ? await GunzipLengthAsync(compressed) : compressed.Length;
            var sent = response.Headers.NonValidated.TryGetValues("Cache-Control", out var values) ? values.ToList() : [];
            output.WriteLine($"{url}: Content-Encoding {encoding}, {compressed.Length} of {plain} bytes, Cache-Control '{string.Join(" | ", sent)}'");
            Assert.Equal("gzip", encoding);
            Assert.True(compressed.Length < plain, $"{compressed.Length} >= {plain}");
            Assert.Equal([cacheControl], sent);
            Assert.Contains("Accept-Encoding", response.Headers.Vary);
        }

        foreach (var path in new[] { "/metrics", "/METRICS" })
        {
            using var metrics = await client.GetAsync(path);
            output.WriteLine($"{path} through nginx: {(int)metrics.StatusCode}");
            Assert.Equal(HttpStatusCode.NotFound, metrics.StatusCode);
        }
        // The instances themselves answer either spelling (Prometheus scrapes them directly).
        using var direct = NginxFront.Direct(front.A);
        Assert.Equal(HttpStatusCode.OK, (await direct.GetAsync("/METRICS")).StatusCode);
    }

    [Fact]
    public async Task Posts_to_account_pages_from_one_address_get_nginx_429_after_the_burst_and_pages_stay_open()
    {
        using var client = front.Client(IPAddress.Parse("127.0.0.3"));
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? refused = null;
        var clock = Stopwatch.StartNew();
        while (refused is null && statuses.Count < 40)
        {
            // The app's routes ignore case: every other post spells the path in capitals, which must count the same.
            var path = statuses.Count % 2 == 0 ? "/account/login" : "/ACCOUNT/Login";
            var response = await client.PostAsync(path, new FormUrlEncodedContent(new Dictionary<string, string> { ["Email"] = "x@example.test" }));
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests) refused = response;
            else response.Dispose();
        }
        using (refused)
        {
            var passed = statuses.Count - 1;
            output.WriteLine($"{passed} posts passed to the app ({string.Join(", ", statuses.Take(passed).Distinct())}) before nginx answered 429 " +
                             $"({clock.ElapsedMilliseconds} ms in all)");
            Assert.NotNull(refused);
            // The burst of 20 plus the first, and one more for every 6 s the posts took (10 a minute).
            Assert.InRange(passed, 21, 21 + (int)(clock.Elapsed.TotalSeconds / 6) + 1);
            // The app answered every one, in either spelling: 400, as they carry no antiforgery token.
            Assert.All(statuses.Take(passed), s => Assert.Equal(HttpStatusCode.BadRequest, s));
            Assert.Equal(TimeSpan.FromSeconds(60), refused!.Headers.RetryAfter!.Delta);
            Assert.False(refused.Headers.Contains("Content-Security-Policy"), "the 429 is nginx's, not the app's");
            var text = await refused.Content.ReadAsStringAsync();
            output.WriteLine($"429 body: {text.Trim()}");
            Assert.Contains("Too many attempts", text);
        }
        // Only posts are limited: the sign-in page itself still opens.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/account/login")).StatusCode);
    }

    [Fact]
    public async Task A_cookie_header_as_large_as_the_booking_wizards_drafts_reaches_the_app()
    {
        using var client = front.Client();
        foreach (var (size, fromApp) in new[] { (15_000, true), (17_000, false) })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/health/live");
            request.Headers.Add("Cookie", "draft=" + new string('x', size - "draft=".Length));
            using var response = await client.SendAsync(request);
            var answered = response.Headers.Contains("Content-Security-Policy") ? "the app" : "nginx";
            output.WriteLine($"Cookie header of {size:N0} bytes: {(int)response.StatusCode} from {answered}");
            Assert.Equal(fromApp, answered == "the app");
            Assert.Equal(fromApp ? HttpStatusCode.OK : HttpStatusCode.BadRequest, response.StatusCode);
        }
    }

    [Fact]
    public async Task A_body_over_the_apps_own_limit_gets_413_from_nginx_before_it_is_sent()
    {
        var staff = await front.ReceptionAsync();
        const int limit = 30_000_000; // Kestrel's default MaxRequestBodySize, which the app keeps for signed-in staff

        var clock = Stopwatch.StartNew();
        using var atLimit = await staff.PostAsync("/", new ByteArrayContent(new byte[limit]));
        var atLimitMs = clock.ElapsedMilliseconds;
        output.WriteLine($"{limit:N0} bytes from signed-in staff: {(int)atLimit.StatusCode} from the app after {atLimitMs} ms");
        Assert.NotEqual(HttpStatusCode.RequestEntityTooLarge, atLimit.StatusCode);
        Assert.True(atLimit.Headers.Contains("Content-Security-Policy"), "answered by the app");

        using var over = new HttpRequestMessage(HttpMethod.Post, "/") { Content = new ByteArrayContent(new byte[limit + 1]) };
        over.Headers.ExpectContinue = true;
        clock.Restart();
        using var refused = await staff.SendAsync(over);
        output.WriteLine($"{limit + 1:N0} bytes: {(int)refused.StatusCode} after {clock.ElapsedMilliseconds} ms, " +
                         $"{(refused.Headers.Contains("Content-Security-Policy") ? "from the app" : "from nginx")}");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, refused.StatusCode);
        Assert.False(refused.Headers.Contains("Content-Security-Policy"), "the 413 is nginx's, not the app's");

        // Visitors who are not signed in: the app's own 64 KB limit, with its page, passes through nginx unchanged.
        using var visitor = front.Client();
        using var anonymous = await visitor.PostAsync("/", new ByteArrayContent(new byte[100 * 1024]));
        output.WriteLine($"100 KB from a visitor: {(int)anonymous.StatusCode}, {(anonymous.Headers.Contains("Content-Security-Policy") ? "from the app" : "from nginx")}");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, anonymous.StatusCode);
        Assert.True(anonymous.Headers.Contains("Content-Security-Policy"), "the app's own 413");
    }

    /// <summary>
    /// Confirms a pending booking with the board's own htmx post and reads the stream until it hears of it; returns the
    /// time from sending the post to the event, and to the post's answer.
    /// </summary>
    private static async Task<(TimeSpan ToEvent, TimeSpan ToAnswer)> ConfirmAsync(HttpClient client, Booking booking, EventStream stream)
    {
        var token = JsonDocument.Parse((await client.GetDocumentAsync("/board")).Body!.GetAttribute("hx-headers")!)
            .RootElement.GetProperty("RequestVerificationToken").GetString()!;
        using var move = new HttpRequestMessage(HttpMethod.Post, $"/board/bookings/{booking.Id}/move")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["to"] = "Confirmed", ["version"] = booking.Version.ToString() }),
        };
        move.Headers.Add("HX-Request", "true");
        move.Headers.Add("RequestVerificationToken", token);
        var clock = Stopwatch.StartNew();
        var posting = client.SendAsync(move);
        while ((await stream.NextChangeAsync()).Booking != booking.Id) { }
        var toEvent = clock.Elapsed;
        using var response = await posting;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (toEvent, clock.Elapsed);
    }

    /// <summary>Board pages an instance has answered so far, from its own /metrics.</summary>
    private static async Task<double> RequestCountAsync(AppProcess instance)
    {
        using var http = NginxFront.Direct(instance);
        var metrics = await http.GetStringAsync("/metrics");
        return Regex.Matches(metrics, @"^http_requests_received_total\{[^}]*endpoint=""/board""[^}]*\} (\S+)", RegexOptions.Multiline)
            .Sum(m => double.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Until earlier tests' streams have closed on both instances.</summary>
    private async Task NoStreamsOpenAsync() =>
        await Wait.UntilAsync(async () => await NginxFront.StreamsAsync(front.A) + await NginxFront.StreamsAsync(front.B) == 0,
            "earlier board streams to close");

    /// <summary>Opens a stream (asking for gzip), times its hello event and the gap between the next two heartbeats.</summary>
    private static async Task<(TimeSpan Hello, TimeSpan Beat, HttpResponseMessage Response)> TimeStreamAsync(HttpClient client)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/board/events");
        request.Headers.AcceptEncoding.ParseAdd("gzip");
        var clock = Stopwatch.StartNew();
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var stream = new EventStream(response, new StreamReader(await response.Content.ReadAsStreamAsync()));
        await stream.NextEventAsync("hello");
        var hello = clock.Elapsed;
        while (!(await stream.NextAsync()).Comment) { }
        var first = clock.Elapsed;
        while (!(await stream.NextAsync()).Comment) { }
        return (hello, clock.Elapsed - first, response);
    }

    /// <summary>A failed sign-in for a new address, with a forged X-Forwarded-For; returns the client address its audit row names.</summary>
    private async Task<string> FailedSignInIpAsync(HttpClient client, string forwardedFor)
    {
        var email = $"nobody-{Guid.NewGuid():N}@example.test";
        client.DefaultRequestHeaders.Add("X-Forwarded-For", forwardedFor);
        using var response = await client.SubmitAsync("/account/login", "#login-form",
            new Dictionary<string, string> { ["Email"] = email, ["Password"] = "not-the-password-" + Guid.NewGuid().ToString("N")[..8] });
        Assert.NotEqual(HttpStatusCode.SeeOther, response.StatusCode);
        await using var db = front.NewDb();
        return await db.AuditEntries.Where(e => e.Action == "signin.failed" && e.ActorName == email).Select(e => e.Ip).SingleAsync();
    }

    private static async Task<long> GunzipLengthAsync(byte[] compressed)
    {
        await using var gzip = new GZipStream(new MemoryStream(compressed), CompressionMode.Decompress);
        var plain = new MemoryStream();
        await gzip.CopyToAsync(plain);
        return plain.Length;
    }
}
