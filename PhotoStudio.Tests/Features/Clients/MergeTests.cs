using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using PhotoStudio.Data;
using PhotoStudio.Tests.Support;

namespace PhotoStudio.Tests.Features.Clients;

public class MergeTests(StudioApp app) : IClassFixture<StudioApp>
{
    private const string Desk = "reception@demo.studio";

    /// <summary>Two clients of one person: the older with bookings of the demo, the newer with one booking, notes and consents.</summary>
    private async Task<(Client Keep, Client Merge)> TwoOfOnePersonAsync(string name)
    {
        await using var db = app.NewDb();
        var bookings = await db.Bookings.Where(b => b.Client!.ErasedAt == null).OrderBy(b => b.Id)
            .Select(b => new { b.Id, b.ClientId }).ToListAsync();
        var keep = new Client
        {
            Name = name, Email = $"{name.Replace(" ", ".").ToLowerInvariant()}@example.org", Phone = "+49 30 5550001", Tags = ["vip", "family"],
            Notes = "Prefers mornings.", MarketingOptIn = false, Source = "phone", CreatedAt = DateTime.UtcNow.AddDays(-100),
            StaffNotes = [new ClientNote { AuthorId = "system", Text = "First note", At = DateTime.UtcNow }],
        };
        var merge = new Client
        {
            Name = name + "a", Email = $"{name.Replace(" ", "").ToLowerInvariant()}@gmail.com", Phone = "030 5550001", Tags = ["family", "newborn"],
            MarketingOptIn = true, Source = "web", CreatedAt = DateTime.UtcNow.AddDays(-3), TermsAcceptedAt = DateTime.UtcNow.AddDays(-3),
            StaffNotes = [new ClientNote { AuthorId = "system", Text = "Second note", At = DateTime.UtcNow }, new ClientNote { AuthorId = "system", Text = "Third", At = DateTime.UtcNow }],
            Consents =
            [
                new ClientConsent { Kind = ClientConsent.Terms, Granted = true, At = DateTime.UtcNow, Source = "web", By = "client" },
                new ClientConsent { Kind = ClientConsent.Marketing, Granted = true, At = DateTime.UtcNow, Source = "web", By = "client" },
            ],
        };
        db.Clients.AddRange(keep, merge);
        await db.SaveChangesAsync();
        // Two bookings of demo clients become theirs: one each, a second for the client merged.
        var taken = bookings.Where(b => b.Id % 7 == name.Length % 7).Take(3).Select(b => b.Id).ToList();
        await db.Bookings.Where(b => b.Id == taken[0]).ExecuteUpdateAsync(s => s.SetProperty(b => b.ClientId, keep.Id));
        await db.Bookings.Where(b => taken.Skip(1).Contains(b.Id)).ExecuteUpdateAsync(s => s.SetProperty(b => b.ClientId, merge.Id));
        return (await db.Clients.AsNoTracking().SingleAsync(c => c.Id == keep.Id), await db.Clients.AsNoTracking().SingleAsync(c => c.Id == merge.Id));
    }

    [Fact]
    public async Task Merging_moves_bookings_notes_and_consents_unites_tags_and_records_one_audit_entry()
    {
        var (keep, merge) = await TwoOfOnePersonAsync("Rosalind Merger");
        var desk = await app.SignedInClientAsync(Desk);
        var page = await desk.GetDocumentAsync($"/clients/merge?keep={keep.Id}&merge={merge.Id}");
        Assert.Equal(["family", "newborn", "vip"], page.QuerySelectorAll("#merge-form input[name=Tags][checked]").Select(t => t.GetAttribute("value")).Order());
        await using var before = app.NewDb();
        var lastAudit = await before.AuditEntries.MaxAsync(a => a.Id);

        var response = await desk.SubmitAsync(page.Single("#merge-form") as AngleSharp.Html.Dom.IHtmlFormElement ?? throw new InvalidOperationException(),
            new Dictionary<string, string> { ["Email"] = "merge", ["Marketing"] = "merge" });

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal($"/clients/{keep.Id}", response.Headers.Location!.OriginalString);
        await using var db = app.NewDb();
        Assert.False(await db.Clients.AnyAsync(c => c.Id == merge.Id));
        var survivor = await db.Clients.AsNoTracking().SingleAsync(c => c.Id == keep.Id);
        Assert.Equal(keep.Name, survivor.Name);
        Assert.Equal(merge.Email, survivor.Email);
        Assert.Equal(keep.Phone, survivor.Phone);
        Assert.True(survivor.MarketingOptIn);
        Assert.Equal(["family", "newborn", "vip"], survivor.Tags.Order());
        Assert.Equal(3, await db.Bookings.CountAsync(b => b.ClientId == keep.Id));
        Assert.Equal(3, await db.ClientNotes.CountAsync(n => n.ClientId == keep.Id));
        // The two moved, and the opt-in the merge changed.
        var consents = await db.ClientConsents.Where(c => c.ClientId == keep.Id).ToListAsync();
        Assert.Equal(3, consents.Count);
        Assert.Single(consents, c => c.Source == "merge" && c.Kind == ClientConsent.Marketing && c.Granted);

        var audit = await db.AuditEntries.Where(a => a.Id > lastAudit).ToListAsync();
        var entry = Assert.Single(audit);
        Assert.Equal(("merged", "Client", keep.Id.ToString()), (entry.Action, entry.EntityType, entry.EntityId));
        var changes = JsonDocument.Parse(entry.Changes!).RootElement;
        Assert.Equal([merge.Id, keep.Id], changes.GetProperty("MergedClientId").EnumerateArray().Select(v => v.GetInt32()));
        Assert.Equal([keep.Email, merge.Email], changes.GetProperty("Email").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal([false, true], changes.GetProperty("MarketingOptIn").EnumerateArray().Select(v => v.GetBoolean()));
        Assert.Equal([0, 2], changes.GetProperty("Bookings").EnumerateArray().Select(v => v.GetInt32()));
        Assert.Equal([0, 2], changes.GetProperty("Notes").EnumerateArray().Select(v => v.GetInt32()));
        Assert.Equal([0, 2], changes.GetProperty("Consents").EnumerateArray().Select(v => v.GetInt32()));
        Assert.False(changes.TryGetProperty("Name", out _), "The name did not change.");
        Assert.False(changes.TryGetProperty("Phone", out _), "The phone did not change.");

        var profile = await desk.GetAsync(response.Headers.Location.OriginalString);
        Assert.NotEqual(HttpStatusCode.InternalServerError, profile.StatusCode);
    }

    [Fact]
    public async Task A_client_changed_since_the_screen_was_shown_is_not_merged_and_the_screen_shows_it_as_it_is_now()
    {
        var (keep, merge) = await TwoOfOnePersonAsync("Stale Staleson");
        var desk = await app.SignedInClientAsync(Desk);
        var page = await desk.GetDocumentAsync($"/clients/merge?keep={keep.Id}&merge={merge.Id}");
        await using (var db = app.NewDb())
            await db.Clients.Where(c => c.Id == merge.Id).ExecuteUpdateAsync(s => s.SetProperty(c => c.Name, "Stale Renamed Meanwhile"));

        var response = await desk.SubmitAsync((AngleSharp.Html.Dom.IHtmlFormElement)page.Single("#merge-form"));

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        var again = await response.ReadDocumentAsync();
        Assert.Contains("changed a moment ago", again.Single("#merge-message").TextContent);
        Assert.Contains("Stale Renamed Meanwhile", again.Single("#merge-form").TextContent);
        await using var check = app.NewDb();
        Assert.True(await check.Clients.AnyAsync(c => c.Id == merge.Id));
        Assert.Equal(2, await check.Bookings.CountAsync(b => b.ClientId == merge.Id));

        // The screen shown with the 409 carries the new versions: merging from it works.
        var done = await desk.SubmitAsync((AngleSharp.Html.Dom.IHtmlFormElement)again.Single("#merge-form"));
        Assert.Equal(HttpStatusCode.SeeOther, done.StatusCode);
    }

    [Fact]
    public async Task The_survivor_may_take_the_merged_clients_email_and_the_merged_one_is_gone()
    {
        var (keep, merge) = await TwoOfOnePersonAsync("Unique Keyholder");
        var desk = await app.SignedInClientAsync(Desk);
        var response = await desk.SubmitAsync($"/clients/merge?keep={keep.Id}&merge={merge.Id}", "#merge-form",
            new Dictionary<string, string> { ["Email"] = "merge", ["Name"] = "merge", ["Tags"] = "vip" });
        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        await using var db = app.NewDb();
        var survivor = await db.Clients.AsNoTracking().SingleAsync(c => c.Id == keep.Id);
        Assert.Equal((merge.Name, merge.Email), (survivor.Name, survivor.Email));
        // Only the ticked tag stays (the form posts each ticked box; the override replaced them with one).
        Assert.Contains("vip", survivor.Tags);
    }

    [Fact]
    public async Task Same_client_twice_unknown_and_erased_clients_get_clear_answers_never_an_error()
    {
        var (keep, merge) = await TwoOfOnePersonAsync("Hostile Input");
        var desk = await app.SignedInClientAsync(Desk);
        Assert.Equal(HttpStatusCode.BadRequest, (await desk.GetAsync($"/clients/merge?keep={keep.Id}&merge={keep.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await desk.GetAsync($"/clients/merge?keep={keep.Id}&merge=999999")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await desk.GetAsync("/clients/merge?keep=abc&merge=")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await desk.GetAsync("/clients/merge")).StatusCode);

        var page = (AngleSharp.Html.Dom.IHtmlFormElement)(await desk.GetDocumentAsync($"/clients/merge?keep={keep.Id}&merge={merge.Id}")).Single("#merge-form");
        var same = await desk.SubmitAsync(page, new Dictionary<string, string> { ["Merge"] = keep.Id.ToString() });
        Assert.Equal(HttpStatusCode.BadRequest, same.StatusCode);
        Assert.Contains("cannot be merged with itself", (await same.ReadDocumentAsync()).Body!.TextContent);
        foreach (var hostile in new Dictionary<string, string>[]
        {
            new() { ["Name"] = "theirs" },
            new() { ["Keep"] = "99999999999999999" },
            new() { ["KeepVersion"] = "-1" },
            new() { ["Email"] = new string('x', 5000) },
            new() { ["Tags"] = new string('t', 100_000) },
            new() { ["Merge"] = "\0" },
        })
        {
            var response = await desk.SubmitAsync(page, hostile);
            Assert.True((int)response.StatusCode is 400 or 404 or 409 or 422, $"{string.Join(",", hostile.Keys)}: {(int)response.StatusCode}");
        }

        await using (var db = app.NewDb())
            await db.Clients.Where(c => c.Id == merge.Id).ExecuteUpdateAsync(s => s.SetProperty(c => c.ErasedAt, DateTime.UtcNow));
        Assert.Equal(HttpStatusCode.BadRequest, (await desk.GetAsync($"/clients/merge?keep={keep.Id}&merge={merge.Id}")).StatusCode);
        var erased = await desk.SubmitAsync(page);
        Assert.Equal(HttpStatusCode.BadRequest, erased.StatusCode);
        Assert.Contains("Erased clients cannot be merged", (await erased.ReadDocumentAsync()).Body!.TextContent);
        await using var check = app.NewDb();
        Assert.True(await check.Clients.AnyAsync(c => c.Id == merge.Id));
    }
}
