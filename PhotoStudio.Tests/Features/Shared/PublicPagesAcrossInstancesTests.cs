using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Microsoft.EntityFrameworkCore;
using PhotoStudio.Tests.Support;
using Xunit.Abstractions;

namespace PhotoStudio.Tests.Features.Shared;

/// <summary>
/// Two instances on one database, each with its cached settings and public pages: a change made through one (or by
/// SQL, through neither) reaches the other's pages through PostgreSQL's notification, and the writer's own at once.
/// </summary>
public class PublicPagesAcrossInstancesTests(StudioApp app, ITestOutputHelper output) : IClassFixture<StudioApp>
{
    [Fact]
    public async Task A_settings_or_catalogue_change_through_one_instance_evicts_the_cached_pages_of_both()
    {
        await using var second = AppProcess.Start(app.ConnectionString);
        try
        {
            await second.WaitUntilReadyAsync();
            using var other = new HttpClient { BaseAddress = new Uri(second.BaseUrl) };
            async Task<string> OtherAsync(string url) => await other.GetStringAsync(url);
            async Task<string> HereAsync(string url) => await app.NewClient().GetStringAsync(url);

            // Both have both pages cached (asked twice), with the demo's name and sessions.
            await using (var db = app.NewDb())
                Assert.Equal("Newborn session", await db.Services.Where(s => s.Name == "Newborn session").Select(s => s.Name).SingleAsync());
            foreach (var url in new[] { "/", "/book", "/", "/book" })
            {
                Assert.Contains("Newborn session", await OtherAsync(url));
                Assert.Contains("Newborn session", await HereAsync(url));
            }

            // Settings through this instance: its own pages at once, the other's once it hears.
            var admin = await app.SignedInClientAsync("admin@demo.studio");
            var settings = (await admin.GetDocumentAsync("/admin/settings")).QuerySelector<IHtmlFormElement>("#settings-form")!;
            var saved = await admin.SubmitAsync(settings, new Dictionary<string, string> { ["Name"] = "Lumen Across Instances" });
            Assert.Equal(HttpStatusCode.SeeOther, saved.StatusCode);
            Assert.Contains("Lumen Across Instances", await HereAsync("/"));
            await Wait.UntilAsync(async () => (await OtherAsync("/")).Contains("Lumen Across Instances"), "the other instance's landing page to show the new name");

            // A service deactivated through this instance leaves step 1 of both.
            await using (var db = app.NewDb())
            {
                var id = await db.Services.Where(s => s.Name == "Newborn session").Select(s => s.Id).SingleAsync();
                var page = await admin.GetDocumentAsync($"/admin/services/{id}");
                var deactivated = await admin.SubmitAsync(page.QuerySelector<IHtmlFormElement>($"form[action='/admin/services/{id}/deactivate']")!);
                Assert.Equal(HttpStatusCode.SeeOther, deactivated.StatusCode);
            }
            Assert.DoesNotContain("Newborn session", await HereAsync("/book"));
            await Wait.UntilAsync(async () => !(await OtherAsync("/book")).Contains("Newborn session"), "the other instance's step 1 to drop the service");

            // A change by SQL, through neither instance: both hear of it from the trigger.
            await using (var db = app.NewDb())
                await db.Rooms.Where(r => r.Name == "Black Box").ExecuteUpdateAsync(r => r.SetProperty(x => x.Description, "Repainted by hand"));
            await Wait.UntilAsync(async () => (await HereAsync("/")).Contains("Repainted by hand"), "this instance's landing page to show the new description");
            await Wait.UntilAsync(async () => (await OtherAsync("/")).Contains("Repainted by hand"), "the other instance's landing page to show the new description");
        }
        catch
        {
            output.WriteLine(second.Output);
            throw;
        }
    }
}
