using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Net.Http.Json;
using System.Text.Json;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using PhotoStudio.Data;
using PhotoStudio.Data.Seeding;
using PhotoStudio.Features.Admin.Integrations;
using PhotoStudio.Tests.Support;
using Xunit.Abstractions;

namespace PhotoStudio.Tests.Features.Api;

/// <summary>The app with webhooks allowed to reach this machine (the receiver is on loopback) and retries a second apart.</summary>
public class WebhookApp : StudioApp
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Webhooks:AllowPrivateTargets", "true");
        builder.UseSetting("Webhooks:RetryBaseSeconds", "1");
        builder.UseSetting("Mail:PickupDirectory", MailFolder);
    }

    /// <summary>Where this app's mail lands (.eml files): the admins' alert about a switched-off endpoint.</summary>
    public string MailFolder { get; } = Directory.CreateTempSubdirectory("photostudio-webhook-mail-").FullName;

    public Task<int> SweepAsync() => Services.GetRequiredService<WebhookSender>().SendDueAsync(CancellationToken.None);
}

/// <summary>Signed webhooks to a real receiver: made with the change, signed, retried, switched off after a day, never into the private network.</summary>
public class WebhookTests(WebhookApp app, ITestOutputHelper output) : IClassFixture<WebhookApp>
{
    private const string Admin = "admin@demo.studio";

    /// <summary>Adds an endpoint through /admin/integrations; returns its id and the secret shown once.</summary>
    /// <remarks>The endpoints of the class's earlier tests go first: their receivers are gone and their ports may be reused.</remarks>
    private async Task<(int Id, string Secret)> AddEndpointAsync(string url, params string[] events)
    {
        await using (var clean = app.NewDb()) await clean.WebhookEndpoints.ExecuteDeleteAsync();
        var admin = await app.SignedInClientAsync(Admin);
        var form = (await admin.GetDocumentAsync("/admin/integrations")).QuerySelector<IHtmlFormElement>("#webhook-form")!;
        foreach (var box in form.QuerySelectorAll<IHtmlInputElement>("input[name=Events]")) box.IsChecked = events.Contains(box.Value);
        using var response = await admin.SubmitAsync(form, new Dictionary<string, string> { ["Url"] = url });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var secret = (await response.ReadDocumentAsync()).Single("#new-secret-value").GetAttribute("value")!;
        TestSecrets.Remember(secret);
        await using var db = app.NewDb();
        return ((await db.WebhookEndpoints.Where(e => e.Url == url).OrderByDescending(e => e.Id).FirstAsync()).Id, secret);
    }

    private static void AssertSigned(WebhookReceiver.Received request, string secret)
    {
        var timestamp = long.Parse(request.Headers[WebhookSender.TimestampHeader]);
        Assert.InRange(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - timestamp, -300, 300);
        var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}.{request.Body}")));
        Assert.Equal(expected, request.Headers[WebhookSender.SignatureHeader]);
        Assert.Equal(JsonDocument.Parse(request.Body).RootElement.GetProperty("id").GetString(), request.Headers[WebhookSender.EventIdHeader]);
    }

    [Fact]
    public async Task A_booking_made_and_moved_through_the_api_reaches_the_receiver_signed_and_a_500_twice_is_delivered_on_the_third_try()
    {
        await using var receiver = new WebhookReceiver();
        var (endpointId, secret) = await AddEndpointAsync(receiver.Url, "booking.created", "booking.status_changed", "booking.cancelled");
        Assert.StartsWith("whsec_", secret);

        using var api = ApiKeysTests.Api(app, DemoSeeder.ApiKey);
        var body = await BookingsApiTests.PortraitAsync(app, TestBookings.NextMonday());
        body["status"] = "Pending";
        using var created = await api.SendAsync(BookingsApiTests.Post("/api/v1/bookings", body, $"hook-{Guid.NewGuid():N}"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetInt32();

        // Written with the booking, in its transaction: the delivery is there before anything is sent.
        await using (var db = app.NewDb())
            Assert.Equal(1, await db.WebhookDeliveries.CountAsync(d => d.EndpointId == endpointId && d.Event!.ResourceId == id && d.Event.Type == "booking.created"));

        receiver.AnswerNext(500, 500);
        Assert.Equal(0, await app.SweepAsync());
        app.Clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(0, await app.SweepAsync());
        app.Clock.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(1, await app.SweepAsync());
        var tries = receiver.Requests.ToList();
        Assert.Equal(3, tries.Count);
        Assert.Single(tries.Select(r => r.Headers[WebhookSender.EventIdHeader]).Distinct());
        foreach (var request in tries) AssertSigned(request, secret);
        var first = JsonDocument.Parse(tries[0].Body).RootElement;
        Assert.Equal("booking.created", first.GetProperty("type").GetString());
        Assert.Equal(id, first.GetProperty("data").GetProperty("id").GetInt32());
        await using (var db = app.NewDb())
        {
            var delivery = await db.WebhookDeliveries.SingleAsync(d => d.EndpointId == endpointId && d.Event!.ResourceId == id);
            Assert.Equal((WebhookDeliveryStatus.Delivered, 3, 200), (delivery.Status, delivery.Attempts, delivery.LastStatusCode));
            Assert.Null((await db.WebhookEndpoints.SingleAsync(e => e.Id == endpointId)).FailingSince);
        }

        // A move and a cancellation are events of their own; an event nobody subscribed to (booking.updated) is not written.
        var etag = (await api.GetAsync($"/api/v1/bookings/{id}")).Headers.ETag!.ToString();
        using var moved = await api.SendAsync(BookingsApiTests.Post($"/api/v1/bookings/{id}/status", new { status = "Confirmed" }, ifMatch: etag));
        using var cancelled = await api.SendAsync(BookingsApiTests.Post($"/api/v1/bookings/{id}/cancel", new { reason = "Test" }, ifMatch: moved.Headers.ETag!.ToString()));
        Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);
        Assert.Equal(2, await app.SweepAsync());
        var types = receiver.Requests.Skip(3).Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("type").GetString()).ToList();
        Assert.Equal(["booking.status_changed", "booking.cancelled"], types);
        await using (var db = app.NewDb())
            Assert.False(await db.WebhookEvents.AnyAsync(e => e.ResourceId == id && e.Type == "booking.updated"));
    }

    [Fact]
    public async Task Redeliver_sends_an_event_again_and_an_endpoint_failing_for_a_day_is_switched_off_and_shown()
    {
        await using var receiver = new WebhookReceiver();
        var (endpointId, _) = await AddEndpointAsync(receiver.Url, "client.created", "client.updated");
        using var api = ApiKeysTests.Api(app, DemoSeeder.ApiKey);
        using var created = await api.PostAsJsonAsync("/api/v1/clients", new { name = "Hook Client", email = $"hook.{Guid.NewGuid():N}@example.org" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(1, await app.SweepAsync());

        var admin = await app.SignedInClientAsync(Admin);
        var page = await admin.GetDocumentAsync("/admin/integrations");
        var delivery = page.QuerySelectorAll("#deliveries-list [data-delivery]").First(d => d.TextContent.Contains("client.created"));
        Assert.Equal("Delivered", delivery.GetAttribute("data-status"));
        using var again = await admin.SubmitAsync(delivery.QuerySelector<IHtmlFormElement>("form")!);
        Assert.Equal(HttpStatusCode.SeeOther, again.StatusCode);
        Assert.Equal(1, await app.SweepAsync());
        Assert.Equal(2, receiver.Requests.Count);
        Assert.Single(receiver.Requests.Select(r => r.Headers[WebhookSender.EventIdHeader]).Distinct());

        // From now on it fails; once its failures are a day old, the next failure switches it off.
        receiver.Otherwise = 503;
        var clientId = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetInt32();
        await using (var db = app.NewDb())
        {
            (await db.Clients.SingleAsync(c => c.Id == clientId)).Phone = "+49 30 555 0101";
            await db.SaveChangesAsync();
            Assert.Equal(0, await app.SweepAsync());
            await db.WebhookEndpoints.Where(e => e.Id == endpointId)
                .ExecuteUpdateAsync(s => s.SetProperty(e => e.FailingSince, DateTime.UtcNow.AddHours(-25)));
        }
        app.Clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(0, await app.SweepAsync());
        await using (var db = app.NewDb())
        {
            var endpoint = await db.WebhookEndpoints.SingleAsync(e => e.Id == endpointId);
            Assert.False(endpoint.Enabled);
            Assert.Contains("24 hours", endpoint.DisabledReason);
        }
        page = await admin.GetDocumentAsync("/admin/integrations");
        var shown = page.Single($"[data-endpoint='{endpointId}']");
        Assert.NotNull(shown.QuerySelector(".endpoint-off"));
        Assert.Contains("24 hours", shown.Single(".endpoint-disabled-reason").TextContent);
        output.WriteLine($"{receiver.Requests.Count} requests received; the endpoint was switched off: {shown.Single(".endpoint-disabled-reason").TextContent.Trim()}");
        // The admins (whoever may manage integrations) are mailed.
        var alert = Directory.GetFiles(app.MailFolder, "*.eml").Select(File.ReadAllText).Single(m => m.Contains("A webhook endpoint was switched off"));
        Assert.Contains(Admin, alert);
        Assert.Contains(receiver.Url, alert);
    }

    [Theory]
    [InlineData("http://127.0.0.1:8080/hook", "Production")]
    [InlineData("https://10.1.2.3/hook", "Production")]
    [InlineData("https://169.254.169.254/latest/meta-data", "Production")]
    [InlineData("https://[::1]/hook", "Production")]
    [InlineData("https://localhost/hook", "Production")]
    [InlineData("https://user:pass@example.com/hook", "Production")]
    [InlineData("http://example.com/hook", "Production")]
    [InlineData("ftp://example.com/hook", "Testing")]
    [InlineData("https://192.168.1.10/hook", "Testing")]
    public void Addresses_into_the_private_network_or_without_https_in_production_are_refused(string url, string environment)
    {
        var targets = new WebhookTargets(Options.Create(new WebhookOptions()), new Environment(environment));
        Assert.NotNull(targets.Refusal(url));
        Assert.Null(targets.Refusal("https://hooks.example.com/photostudio"));
    }

    [Fact]
    public async Task A_name_that_resolves_into_the_private_network_is_refused_when_the_connection_is_made()
    {
        await using var receiver = new WebhookReceiver();
        var targets = new WebhookTargets(Options.Create(new WebhookOptions()), new Environment("Production"));
        using var client = new HttpClient(targets.Handler());
        // "localhost" passes no written-out address check at connect time: it is what it resolves to that counts.
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => client.PostAsync($"http://localhost:{receiver.Port}/hooks", new StringContent("{}")));
        Assert.Contains("no public address", refused.Message);
        Assert.Empty(receiver.Requests);
        // Allowed by configuration, the same call arrives.
        using var allowed = new HttpClient(new WebhookTargets(Options.Create(new WebhookOptions { AllowPrivateTargets = true }), new Environment("Production")).Handler());
        Assert.Equal(HttpStatusCode.OK, (await allowed.PostAsync($"http://localhost:{receiver.Port}/hooks", new StringContent("{}"))).StatusCode);
    }

    [Fact]
    public async Task A_refused_address_is_a_field_error_on_the_page_and_nothing_is_saved()
    {
        var admin = await app.SignedInClientAsync(Admin);
        var form = (await admin.GetDocumentAsync("/admin/integrations")).QuerySelector<IHtmlFormElement>("#webhook-form")!;
        using var response = await admin.SubmitAsync(form, new Dictionary<string, string> { ["Url"] = "ftp://files.example.com/x" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var page = await response.ReadDocumentAsync();
        Assert.NotEmpty(page.Single("#Url-error").TextContent.Trim());
        await using var db = app.NewDb();
        Assert.False(await db.WebhookEndpoints.AnyAsync(e => e.Url == "ftp://files.example.com/x"));
    }

    private sealed class Environment(string name) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = name;
        public string ApplicationName { get; set; } = "PhotoStudio";
        public string ContentRootPath { get; set; } = "/";
        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = null!;
    }
}

/// <summary>Two app instances sweeping the same deliveries at once: every event reaches the receiver exactly once.</summary>
public class WebhookAcrossInstancesTests(StudioApp app, ITestOutputHelper output) : IClassFixture<StudioApp>
{
    [Fact]
    public async Task Each_event_is_delivered_once_by_two_instances_sweeping_every_second()
    {
        await using var receiver = new WebhookReceiver();
        await using (var db = app.NewDb())
        {
            var admin = await db.Users.SingleAsync(u => u.Email == "admin@demo.studio");
            await using var scope = app.Scope();
            var sealer = scope.ServiceProvider.GetRequiredService<IDataProtectionProvider>()
                .CreateProtector("PhotoStudio.WebhookSecret.v1");
            db.WebhookEndpoints.Add(new WebhookEndpoint
            {
                Url = receiver.Url, SecretSealed = sealer.Protect("whsec_test"), Events = ["client.created"], CreatedByUserId = admin.Id,
                CreatedAt = DateTime.UtcNow,
            });
            await db.SaveChangesAsync();
        }
        var settings = new Dictionary<string, string>
        {
            ["Jobs__Enabled"] = "true", ["Jobs__SweepSeconds"] = "1", ["Webhooks__AllowPrivateTargets"] = "true",
        };
        await using var a = AppProcess.Start(app.ConnectionString, settings: settings);
        await using var b = AppProcess.Start(app.ConnectionString, settings: settings);
        await Task.WhenAll(a.WaitUntilReadyAsync(), b.WaitUntilReadyAsync());

        const int events = 40;
        await using (var db = app.NewDb())
        {
            for (var i = 0; i < events; i++)
                db.Clients.Add(new Client { Name = $"Twice Client {i}", Email = $"twice.{i}.{Guid.NewGuid():N}@example.org", CreatedAt = DateTime.UtcNow });
            await db.SaveChangesAsync();
        }
        await Wait.UntilAsync(() => Task.FromResult(receiver.Requests.Count >= events), "both instances to deliver every event",
            timeout: TimeSpan.FromSeconds(60));
        await Task.Delay(TimeSpan.FromSeconds(3)); // a second delivery of any event would arrive by now
        var ids = receiver.Requests.Select(r => r.Headers[WebhookSender.EventIdHeader]).ToList();
        output.WriteLine($"{ids.Count} requests for {events} events, {ids.Distinct().Count()} distinct event ids");
        Assert.Equal(events, ids.Count);
        Assert.Equal(events, ids.Distinct().Count());
        await using (var db = app.NewDb())
            Assert.Equal(events, await db.WebhookDeliveries.CountAsync(d => d.Status == WebhookDeliveryStatus.Delivered));
    }
}
