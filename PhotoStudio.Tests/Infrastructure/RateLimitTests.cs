using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using PhotoStudio.Data.Seeding;
using PhotoStudio.Tests.Support;

namespace PhotoStudio.Tests.Infrastructure;

/// <summary>
/// The app with the production limits, whatever <see cref="StudioApp"/> relaxes for the other test classes.
/// TestServer has no client address, so a test-only startup filter sets the socket's address from
/// <see cref="SocketHeader"/>: each test speaks from its own addresses, as separate machines would, and the
/// app's own forwarded-headers handling is exercised for real on top of it (the filter runs before the app's pipeline).
/// </summary>
public class RateLimitedApp : StudioApp
{
    public const string SocketHeader = "X-Test-Socket-Address";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("RateLimits:SignInPerIpPerMinute", "10");
        builder.UseSetting("RateLimits:SignInPerAccountPerMinute", "5");
        builder.UseSetting("RateLimits:PublicPostsPerIpPerMinute", "20");
        builder.UseSetting("RateLimits:GlobalPerIpPerMinute", "300");
        builder.UseSetting("RateLimits:LostLinkPerIpPer15Minutes", "10");
        builder.UseSetting("RateLimits:ApiPerKeyPerMinute", "5");
        builder.ConfigureTestServices(s => s.AddSingleton<IStartupFilter, SocketAddressFromHeader>());
    }

    /// <summary>A browser on the machine with this address.</summary>
    public HttpClient ClientFrom(string address, WebApplicationFactory<Program>? app = null)
    {
        var client = (app ?? this).CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        client.DefaultRequestHeaders.Add(SocketHeader, address);
        return client;
    }

    private sealed class SocketAddressFromHeader : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                if (IPAddress.TryParse(context.Request.Headers[SocketHeader], out var address))
                    context.Connection.RemoteIpAddress = address;
                return nextMiddleware(context);
            });
            next(app);
        };
    }
}

public class RateLimitTests(RateLimitedApp app) : IClassFixture<RateLimitedApp>
{
    private const string TooMany = "Too many requests";

    [Fact]
    public async Task An_api_key_over_its_limit_gets_429_problem_details_with_retry_after_while_another_key_goes_on()
    {
        var other = PhotoStudio.Features.Admin.Integrations.ApiKeys.NewKey();
        await using (var db = app.NewDb())
        {
            var admin = await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.SingleAsync(db.Users, u => u.Email == "admin@demo.studio");
            db.ApiKeys.Add(new PhotoStudio.Data.ApiKey
            {
                Name = "Second tool", Prefix = PhotoStudio.Features.Admin.Integrations.ApiKeys.PrefixOf(other)!,
                SecretHash = PhotoStudio.Features.Admin.Integrations.ApiKeys.Hash(other), Scopes = ["bookings.view_all"],
                CreatedByUserId = admin.Id, CreatedAt = DateTime.UtcNow,
            });
            await db.SaveChangesAsync();
        }
        HttpClient Api(string key, string address)
        {
            TestSecrets.Remember(key);
            var client = app.ClientFrom(address);
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
            return client;
        }

        // The limit follows the key, whatever address its requests come from.
        for (var i = 0; i < 5; i++)
            Assert.Equal(HttpStatusCode.OK, (await Api(DemoSeeder.ApiKey, $"198.51.100.{i + 1}").GetAsync("/api/v1/rooms")).StatusCode);
        var refused = await Api(DemoSeeder.ApiKey, "198.51.100.9").GetAsync("/api/v1/rooms");
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        AssertRetryAfter(refused);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType!.MediaType);
        Assert.Contains("\"status\":429", await refused.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await Api(other, "198.51.100.9").GetAsync("/api/v1/rooms")).StatusCode);
    }

    [Fact]
    public async Task Eleventh_sign_in_post_from_one_address_gets_429_with_retry_after_and_the_friendly_page()
    {
        var client = app.ClientFrom("203.0.113.10");
        // A different (unknown) account each time, so only the per-address limit is in play.
        for (var i = 1; i <= 10; i++)
            Assert.Equal(HttpStatusCode.UnprocessableEntity, (await WrongPassword(client, $"nobody{i}@example.com")).StatusCode);

        var refused = await WrongPassword(client, "nobody11@example.com");

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        AssertRetryAfter(refused);
        var html = await refused.Content.ReadAsStringAsync();
        Assert.Contains("<html", html);
        var page = await refused.ReadDocumentAsync();
        Assert.Equal(TooMany, page.Single("#error-heading").TextContent.Trim());
        Assert.Null(page.QuerySelector("#login-form"));
    }

    [Fact]
    public async Task Htmx_sign_in_post_over_the_limit_gets_the_429_fragment_with_retry_after()
    {
        var client = app.ClientFrom("203.0.113.11");
        var form = await LoginForm(client);
        for (var i = 1; i <= 10; i++)
            await client.SubmitAsync(form, Credentials($"nobody{i}@example.com", "wrong-password-x"), htmx: true);

        var refused = await client.SubmitAsync(form, Credentials("nobody11@example.com", "wrong-password-x"), htmx: true);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        AssertRetryAfter(refused);
        var fragment = await refused.Content.ReadAsStringAsync();
        Assert.DoesNotContain("<html", fragment);
        Assert.DoesNotContain("<body", fragment);
        Assert.Contains(TooMany, fragment);
    }

    [Fact]
    public async Task The_eleventh_lost_link_request_from_one_address_within_15_minutes_gets_429_and_another_address_does_not()
    {
        // A different unknown email each time, so only the per-address limit is in play.
        var client = app.ClientFrom("203.0.113.40");
        for (var i = 1; i <= 10; i++)
            Assert.Equal(HttpStatusCode.SeeOther, (await LostLink(client, $"nobody{i}@example.com")).StatusCode);

        var refused = await LostLink(client, "nobody11@example.com");

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.InRange(refused.Headers.RetryAfter!.Delta!.Value, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(15));
        Assert.Equal(TooMany, (await refused.ReadDocumentAsync()).Single("#error-heading").TextContent.Trim());
        Assert.Equal(HttpStatusCode.SeeOther, (await LostLink(app.ClientFrom("203.0.113.41"), "nobody12@example.com")).StatusCode);
    }

    private static Task<HttpResponseMessage> LostLink(HttpClient client, string email) =>
        client.SubmitAsync("/my", "#lost-link-form", new Dictionary<string, string> { ["Email"] = email, ["BookingCode"] = "PS-ZZZZZ" });

    // Addresses vary through the socket (see RateLimitedApp), as for sign-ins from several real machines.
    [Fact]
    public async Task Sixth_post_for_one_account_from_different_addresses_gets_429_but_other_accounts_get_through()
    {
        for (var i = 1; i <= 5; i++)
        {
            var attempt = await WrongPassword(app.ClientFrom($"198.51.100.{i}"), "ivan@demo.studio");
            Assert.Equal(HttpStatusCode.UnprocessableEntity, attempt.StatusCode);
        }

        var sixth = app.ClientFrom("198.51.100.6");
        var refused = await WrongPassword(sixth, "  IVAN@demo.studio ");
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        AssertRetryAfter(refused);
        Assert.Equal(TooMany, (await refused.ReadDocumentAsync()).Single("#error-heading").TextContent.Trim());

        var other = await sixth.SubmitAsync("/account/login", "#login-form", Credentials("anna@demo.studio", DemoSeeder.Password));
        Assert.Equal(HttpStatusCode.SeeOther, other.StatusCode);
        Assert.Equal("/board", other.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Sixth_two_factor_code_for_one_account_gets_429()
    {
        var client = app.ClientFrom("198.51.100.20");
        var login = await client.SubmitAsync("/account/login", "#login-form", Credentials("manager@demo.studio", DemoSeeder.Password));
        var twoFactorUrl = login.Headers.Location!.OriginalString;
        Assert.StartsWith("/account/2fa", twoFactorUrl);
        var form = (await client.GetDocumentAsync(twoFactorUrl)).QuerySelector<IHtmlFormElement>("#two-factor-form")!;

        // A wrong code that will not turn up by chance in the logs the secrets check searches.
        var wrongCode = new Dictionary<string, string> { ["Code"] = "271828" };
        for (var i = 1; i <= 5; i++)
            Assert.Equal(HttpStatusCode.UnprocessableEntity, (await client.SubmitAsync(form, wrongCode)).StatusCode);
        var refused = await client.SubmitAsync(form, wrongCode);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        AssertRetryAfter(refused);
    }

    [Fact]
    public async Task An_email_spelled_with_a_long_s_counts_against_the_same_account()
    {
        // "ſ" (U+017F) upper-cases to "S": Identity finds reception@demo.studio for it, so the limiter must count it there too.
        for (var i = 1; i <= 5; i++)
        {
            var email = i % 2 == 1 ? "reception@demo.\u017Ftudio" : "reception@demo.studio";
            Assert.Equal(HttpStatusCode.UnprocessableEntity, (await WrongPassword(app.ClientFrom($"198.51.100.{40 + i}"), email)).StatusCode);
        }

        var refused = await WrongPassword(app.ClientFrom("198.51.100.46"), "reception@demo.studio");
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
    }

    [Fact]
    public async Task Sixth_current_password_check_for_one_signed_in_account_gets_429()
    {
        var client = app.ClientFrom("198.51.100.30");
        await client.SignInAsync("maria@demo.studio");
        // Wrong current passwords, and the right one with a new password too easy to take: both are checks of the password.
        for (var i = 1; i <= 5; i++)
        {
            var current = i <= 3 ? "not my password at all" : DemoSeeder.Password;
            Assert.Equal(HttpStatusCode.UnprocessableEntity, (await ChangePassword(client, current)).StatusCode);
        }

        var refused = await ChangePassword(client, DemoSeeder.Password);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        AssertRetryAfter(refused);
    }

    [Fact]
    public async Task Current_password_checks_count_against_the_sign_in_limit_of_the_address()
    {
        var client = app.ClientFrom("198.51.100.31");
        for (var i = 1; i <= 9; i++)
            Assert.Equal(HttpStatusCode.UnprocessableEntity, (await WrongPassword(client, $"guess{i}@example.com")).StatusCode);
        await client.SignInAsync("anna@demo.studio");

        var refused = await ChangePassword(client, "not my password at all");
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        AssertRetryAfter(refused);
    }

    [Fact]
    public async Task Forwarded_for_is_ignored_when_no_proxy_is_trusted()
    {
        var client = app.ClientFrom("192.0.2.50");
        var form = await LoginForm(client);
        HttpResponseMessage last = null!;
        for (var i = 1; i <= 11; i++)
            last = await SubmitVia(client, form, forwardedFor: $"100.64.0.{i}", email: $"spoof{i}@example.com");

        Assert.Equal(HttpStatusCode.TooManyRequests, last.StatusCode);
    }

    [Fact]
    public async Task Forwarded_for_from_a_trusted_proxy_is_the_client_and_only_its_last_hop_counts()
    {
        var proxied = app.WithWebHostBuilder(b =>
        {
            b.UseSetting("TrustedProxies:0", "10.0.0.5");
            b.UseSetting("TrustedProxies:1", "10.1.0.0/16");
        });

        // Eleven clients behind the proxy network: each is its own partition.
        var viaNetwork = app.ClientFrom("10.1.2.3", proxied);
        var form = await LoginForm(viaNetwork);
        for (var i = 1; i <= 11; i++)
            Assert.Equal(HttpStatusCode.UnprocessableEntity, (await SubmitVia(viaNetwork, form, $"100.64.1.{i}", $"proxied{i}@example.com")).StatusCode);

        // One client prepending made-up hops: the proxy's own entry (the last) decides, so the 11th is refused.
        var viaProxy = app.ClientFrom("10.0.0.5", proxied);
        form = await LoginForm(viaProxy);
        HttpResponseMessage last = null!;
        for (var i = 1; i <= 11; i++)
            last = await SubmitVia(viaProxy, form, $"100.64.2.{i}, 203.0.113.77", $"hops{i}@example.com");
        Assert.Equal(HttpStatusCode.TooManyRequests, last.StatusCode);

        // A machine that is not a trusted proxy cannot choose its address.
        var direct = app.ClientFrom("192.0.2.60", proxied);
        form = await LoginForm(direct);
        for (var i = 1; i <= 11; i++)
            last = await SubmitVia(direct, form, $"100.64.3.{i}", $"direct{i}@example.com");
        Assert.Equal(HttpStatusCode.TooManyRequests, last.StatusCode);
    }

    [Fact]
    public async Task Global_limit_refuses_pages_with_the_friendly_page_but_never_health_or_metrics()
    {
        var strict = app.WithWebHostBuilder(b => b.UseSetting("RateLimits:GlobalPerIpPerMinute", "3"));
        var client = app.ClientFrom("192.0.2.70", strict);
        for (var i = 1; i <= 3; i++)
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/")).StatusCode);

        var refused = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        AssertRetryAfter(refused);
        Assert.Equal(TooMany, (await refused.ReadDocumentAsync()).Single("#error-heading").TextContent.Trim());
        // Error pages are exempt only while re-executed for a request, not when asked for directly.
        Assert.Equal(HttpStatusCode.TooManyRequests, (await client.GetAsync("/error/404")).StatusCode);

        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/metrics")).StatusCode);
        }
    }

    private static Dictionary<string, string> Credentials(string email, string password) =>
        new() { ["Email"] = email, ["Password"] = password };

    private static Task<HttpResponseMessage> WrongPassword(HttpClient client, string email) =>
        client.SubmitAsync("/account/login", "#login-form", Credentials(email, "not-the-password-at-all"));

    private static Task<HttpResponseMessage> ChangePassword(HttpClient client, string current) =>
        client.SubmitAsync("/account/password", "#password-form", new Dictionary<string, string>
        {
            ["CurrentPassword"] = current, ["NewPassword"] = "password1234", ["ConfirmPassword"] = "password1234",
        });

    private static async Task<IHtmlFormElement> LoginForm(HttpClient client) =>
        (await client.GetDocumentAsync("/account/login")).QuerySelector<IHtmlFormElement>("#login-form")!;

    private static async Task<HttpResponseMessage> SubmitVia(HttpClient client, IHtmlFormElement form, string forwardedFor, string email)
    {
        client.DefaultRequestHeaders.Remove("X-Forwarded-For");
        client.DefaultRequestHeaders.Add("X-Forwarded-For", forwardedFor);
        try
        {
            return await client.SubmitAsync(form, Credentials(email, "not-the-password-at-all"));
        }
        finally
        {
            client.DefaultRequestHeaders.Remove("X-Forwarded-For");
        }
    }

    private static void AssertRetryAfter(HttpResponseMessage response)
    {
        var delta = response.Headers.RetryAfter?.Delta;
        Assert.True(delta is { } d && d > TimeSpan.Zero && d <= TimeSpan.FromMinutes(1),
            $"Retry-After: '{string.Join(",", response.Headers.TryGetValues("Retry-After", out var v) ? v : [])}'");
    }
}
