using System.Net;
using AngleSharp.Html.Dom;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PhotoStudio.Tests.Features.Booking;
using PhotoStudio.Tests.Support;

namespace PhotoStudio.Tests.Features.Admin;

/// <summary>The app as an owner installs it: Production, an empty database, the first admin from the environment.</summary>
public class FreshStudioApp : StudioApp
{
    public const string AdminEmail = "owner@new-studio.test";
    public const string AdminPassword = "copper lantern meadow river";

    protected override string Environment => "Production";

    protected override Task<string> CreateDatabaseAsync() => TestDatabase.CreateEmptyAsync();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("PHOTOSTUDIO_ADMIN_EMAIL", AdminEmail);
        builder.UseSetting("PHOTOSTUDIO_ADMIN_PASSWORD", AdminPassword);
        builder.UseSetting("PHOTOSTUDIO_PUBLIC_URL", "https://studio.example.test"); // Production refuses to start without it
    }
}

public class FreshStudioTests(FreshStudioApp app) : IClassFixture<FreshStudioApp>
{
    private static async Task<HttpResponseMessage> SaveAsync(HttpClient client, string page, string form, Dictionary<string, string> values)
    {
        var response = await client.SubmitAsync(page, form, values);
        Assert.True(response.StatusCode == HttpStatusCode.SeeOther,
            $"{page} answered {(int)response.StatusCode}: {(await response.ReadDocumentAsync()).QuerySelector(".alert-danger, .invalid-feedback:not(:empty)")?.TextContent}");
        return response;
    }

    /// <summary>The suite's apps all ask for cheap password hashes; outside the Testing environment the app does not listen.</summary>
    [Fact]
    public async Task In_production_the_first_admin_is_hashed_with_210000_iterations_whatever_the_test_setting()
    {
        Assert.Equal(StudioApp.TestPasswordIterations.ToString(System.Globalization.CultureInfo.InvariantCulture),
            app.Services.GetRequiredService<IConfiguration>()["Testing:PasswordIterations"]);
        Assert.Equal(210_000, app.Services.GetRequiredService<IOptions<PasswordHasherOptions>>().Value.IterationCount);
        await using var db = app.NewDb();
        var hash = await db.Users.Where(u => u.Email == FreshStudioApp.AdminEmail).Select(u => u.PasswordHash!).SingleAsync();
        Assert.Equal(210_000, PasswordHashes.Iterations(hash));
    }

    [Fact]
    public async Task An_admin_takes_an_empty_database_to_a_bookable_studio_with_the_admin_pages_alone()
    {
        TestSecrets.Remember(FreshStudioApp.AdminPassword);
        var admin = app.NewClient();
        await admin.SignInAsync(FreshStudioApp.AdminEmail, FreshStudioApp.AdminPassword);

        // Admins must use a second factor: the first stop is enrolment.
        Assert.Equal("/account/security", (await admin.GetAsync("/admin/settings")).Headers.Location?.OriginalString);
        var security = await admin.GetDocumentAsync("/account/security");
        var key = security.Single("#authenticator-key").TextContent.Replace(" ", "").ToUpperInvariant();
        Assert.Equal(HttpStatusCode.OK, (await admin.SubmitAsync("/account/security", "#enable-2fa-form",
            new Dictionary<string, string> { ["Code"] = Totp.Code(key, app.Clock.GetUtcNow()) })).StatusCode);

        // Nobody can book yet: no rooms, no services, no opening hours.
        Assert.Empty((await app.NewClient().GetDocumentAsync("/book")).QuerySelectorAll("input[name=serviceId]"));

        var settings = new Dictionary<string, string>
        {
            ["Name"] = "Lichtblick Studio", ["TimeZone"] = "Europe/Berlin", ["Currency"] = "EUR", ["SlotStepMinutes"] = "30",
            ["MinimumNoticeMinutes"] = "60", ["HorizonDays"] = "60",
        };
        for (var day = 0; day < 6; day++) // Monday to Saturday
        {
            settings[$"Days[{day}].Opens[0]"] = "09:00";
            settings[$"Days[{day}].Closes[0]"] = "19:00";
        }
        await SaveAsync(admin, "/admin/settings", "#settings-form", settings);

        await SaveAsync(admin, "/admin/rooms/new", "#room-form", new()
        {
            ["Form.Name"] = "Main hall", ["Form.Capacity"] = "6", ["Form.HourlyRate"] = "40", ["Form.BufferBeforeMinutes"] = "0",
            ["Form.BufferAfterMinutes"] = "15", ["Form.Color"] = "#336699",
        });

        await SaveAsync(admin, "/admin/employees/new", "#employee-form", new()
        {
            ["FullName"] = "Pia Brandt", ["Email"] = "pia@new-studio.test", ["Roles"] = "Photographer", ["Access"] = "link",
        });
        await using var db = app.NewDb();
        var pia = await db.Employees.Where(e => e.FullName == "Pia Brandt").Select(e => e.Id).SingleAsync();
        var hours = new Dictionary<string, string>();
        for (var day = 0; day < 6; day++)
        {
            hours[$"rows[{day}].Starts"] = "10:00";
            hours[$"rows[{day}].Ends"] = "18:00";
        }
        await SaveAsync(admin, $"/admin/employees/{pia}/hours", "#hours-form", hours);

        var room = await db.Rooms.Where(r => r.Name == "Main hall").Select(r => r.Id).SingleAsync();
        await SaveAsync(admin, "/admin/services/new", "#service-form", new()
        {
            ["Form.Name"] = "First light portraits", ["Form.DurationMinutes"] = "60", ["Form.Price"] = "120",
            ["Form.NeedsPhotographer"] = "true", ["Form.RoomIds"] = room.ToString(), ["Form.EmployeeIds"] = pia.ToString(),
        });

        // A client books the first free time.
        var (client, start) = await WizardTests.ChooseATimeAsync(app, "First light portraits");
        Assert.Equal("/book/details", (await client.SubmitAsync("/book/when?day=" + start[..10], "#slots-form",
            new Dictionary<string, string> { ["start"] = start })).Headers.Location!.OriginalString);
        Assert.Equal("/book/review", (await client.SubmitAsync("/book/details", "#details-form", new Dictionary<string, string>
        {
            ["Name"] = "Erste Kundin", ["Email"] = "erste@example.org", ["Phone"] = "+49 30 555", ["Guests"] = "1", ["AcceptTerms"] = "true",
        })).Headers.Location!.OriginalString);
        var done = await client.SubmitAsync("/book/review", "#confirm-form");
        Assert.Equal(HttpStatusCode.SeeOther, done.StatusCode);
        Assert.StartsWith("/book/done/", done.Headers.Location!.OriginalString);

        var booking = await db.Bookings.SingleAsync();
        Assert.Equal((room, pia, 120m, "EUR"), (booking.RoomId, booking.PhotographerId!.Value, booking.Price, booking.Currency));
    }
}
