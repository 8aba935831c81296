using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using PhotoStudio.Data;
using PhotoStudio.Tests.Support;

namespace PhotoStudio.Tests.Infrastructure;

public class AuditTrailTests(StudioApp app) : IClassFixture<StudioApp>
{
    [Fact]
    public async Task A_business_change_is_recorded_with_old_and_new_values_in_the_same_transaction()
    {
        await using (var scope = app.Scope())
        {
            var db = scope.ServiceProvider.GetRequiredService<StudioDb>();
            var room = await db.Rooms.OrderBy(r => r.Id).FirstAsync();
            room.Capacity += 3;
            await db.SaveChangesAsync();
        }

        await using var check = app.NewDb();
        var entry = await check.AuditEntries.OrderByDescending(e => e.Id).FirstAsync(e => e.EntityType == "Room");
        Assert.Equal("updated", entry.Action);
        Assert.Equal("system", entry.Actor);
        Assert.Matches("\"Capacity\":\\[\\d+,\\d+\\]", entry.Changes!.Replace(" ", ""));
        Assert.DoesNotContain("Name", entry.Changes); // unchanged fields are left out
    }

    [Fact]
    public async Task A_failed_change_leaves_no_audit_entry()
    {
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<StudioDb>();
        var before = await db.AuditEntries.CountAsync();
        var rooms = await db.Rooms.OrderBy(r => r.Id).Take(2).ToListAsync();
        rooms[0].Description = "renamed";
        rooms[1].Name = rooms[0].Name; // unique key violation
        await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());

        await using var check = app.NewDb();
        Assert.Equal(before, await check.AuditEntries.CountAsync());
    }

    [Fact]
    public async Task Secrets_are_never_recorded()
    {
        var client = app.NewClient();
        await client.SignInAsync("anna@demo.studio");
        await client.SubmitAsync("/account/password", "#password-form", new Dictionary<string, string>
        {
            ["CurrentPassword"] = "Studio-Demo-2026", ["NewPassword"] = "copper kettle meadow 77", ["ConfirmPassword"] = "copper kettle meadow 77",
        });

        await using var db = app.NewDb();
        var user = await db.Users.SingleAsync(u => u.Email == "anna@demo.studio");
        var all = string.Join("\n", await db.AuditEntries.Select(e => e.Changes).ToListAsync());
        Assert.DoesNotContain(user.PasswordHash!, all);
        Assert.DoesNotContain(user.SecurityStamp!, all);
        Assert.DoesNotContain("copper kettle", all);
        Assert.DoesNotContain("PasswordHash", all);
        Assert.DoesNotContain("SecurityStamp", all);
    }

    [Fact]
    public async Task The_audit_trail_is_append_only()
    {
        await using var db = app.NewDb();
        db.AuditEntries.Add(new AuditEntry { At = DateTime.UtcNow, Actor = "system", Action = "test" });
        await db.SaveChangesAsync();

        var update = await Assert.ThrowsAsync<PostgresException>(() => db.Database.ExecuteSqlRawAsync("UPDATE audit_entries SET action = 'x'"));
        Assert.Contains("append-only", update.MessageText);
        await Assert.ThrowsAsync<PostgresException>(() => db.Database.ExecuteSqlRawAsync("DELETE FROM audit_entries"));
        await Assert.ThrowsAsync<PostgresException>(() => db.Database.ExecuteSqlRawAsync("TRUNCATE audit_entries"));
    }
}
