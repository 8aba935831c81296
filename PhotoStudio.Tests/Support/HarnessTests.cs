using Microsoft.EntityFrameworkCore;

namespace PhotoStudio.Tests.Support;

/// <summary>The test harness keeps what makes the suite fast and steady: cheap password hashes that stay cheap, a clock far from midnight.</summary>
[Collection(SharedStudio.Name)]
public class HarnessTests(StudioApp app)
{
    [Fact]
    public async Task The_demo_accounts_of_the_template_are_hashed_with_the_cheap_test_count()
    {
        await using var db = app.NewDb();
        var hashes = await db.Users.Select(u => u.PasswordHash!).ToListAsync();
        Assert.NotEmpty(hashes);
        Assert.All(hashes, hash => Assert.Equal(StudioApp.TestPasswordIterations, PasswordHashes.Iterations(hash)));
    }

    [Fact]
    public async Task Signing_in_keeps_the_cheap_hash_and_the_security_stamp()
    {
        const string email = "reception@demo.studio";
        var before = await HashAndStampAsync(email);
        await app.SignedInClientAsync(email);
        Assert.Equal(before, await HashAndStampAsync(email));
    }

    [Fact]
    public void A_clock_moved_to_midday_tomorrow_reads_noon_of_the_next_studio_day()
    {
        var clock = new TestClock();
        clock.MoveTo(TestClock.MiddayTomorrow());
        var local = TimeZoneInfo.ConvertTime(clock.GetUtcNow(), TestClock.StudioZone);
        var today = TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TestClock.StudioZone);
        Assert.Equal(12, local.Hour);
        Assert.Equal(DateOnly.FromDateTime(today.DateTime).AddDays(1), DateOnly.FromDateTime(local.DateTime));

        clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(13, TimeZoneInfo.ConvertTime(clock.GetUtcNow(), TestClock.StudioZone).Hour);
    }

    private async Task<(string?, string?)> HashAndStampAsync(string email)
    {
        await using var db = app.NewDb();
        var user = await db.Users.AsNoTracking().SingleAsync(u => u.Email == email);
        return (user.PasswordHash, user.SecurityStamp);
    }
}
