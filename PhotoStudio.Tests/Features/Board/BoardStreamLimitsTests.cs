using System.Net;
using Microsoft.AspNetCore.Hosting;
using PhotoStudio.Tests.Support;

namespace PhotoStudio.Tests.Features.Board;

/// <summary>The app with a one-second heartbeat and room for two streams per user, three in all.</summary>
public class FewStreamsApp : QuickHeartbeatApp
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Board:MaxStreamsPerUser", "2");
        builder.UseSetting("Board:MaxStreams", "3");
    }
}

/// <summary>How many streams an app holds open, and for how long one session may listen.</summary>
public class BoardStreamLimitsTests(FewStreamsApp app) : IClassFixture<FewStreamsApp>
{
    private static async Task AssertRefusedAsync(HttpClient client)
    {
        using var refused = await EventStream.RequestAsync(client);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero, "a 429 says when to try again");
    }

    [Fact]
    public async Task One_user_gets_429_with_Retry_After_beyond_their_streams_and_a_closed_stream_frees_its_slot()
    {
        var anna = await app.SignedInClientAsync("anna@demo.studio");
        using var first = await EventStream.OpenOnceFreeAsync(anna);
        using (await EventStream.OpenOnceFreeAsync(anna))
            await AssertRefusedAsync(anna);

        using var again = await EventStream.OpenOnceFreeAsync(anna);
        await again.NextEventAsync("hello");
    }

    [Fact]
    public async Task The_instance_refuses_streams_beyond_its_cap_with_429_and_frees_the_slots_when_streams_close()
    {
        var anna = await app.SignedInClientAsync("anna@demo.studio");
        var ivan = await app.SignedInClientAsync("ivan@demo.studio");
        var maria = await app.SignedInClientAsync("maria@demo.studio");
        using (await EventStream.OpenOnceFreeAsync(anna))
        using (await EventStream.OpenOnceFreeAsync(anna))
        using (await EventStream.OpenOnceFreeAsync(ivan))
            await AssertRefusedAsync(maria); // her first stream, but the instance is full

        using var one = await EventStream.OpenOnceFreeAsync(maria);
        using var two = await EventStream.OpenOnceFreeAsync(maria);
        using var three = await EventStream.OpenOnceFreeAsync(ivan);
        await three.NextEventAsync("hello");
    }

    [Fact]
    public async Task A_stream_ends_when_the_session_reaches_its_twelve_hours()
    {
        var ivan = await app.SignedInClientAsync("ivan@demo.studio");
        using var stream = await EventStream.OpenOnceFreeAsync(ivan);
        await stream.NextEventAsync("hello");

        app.Clock.Advance(TimeSpan.FromHours(12) + TimeSpan.FromMinutes(1));

        await stream.EndsAsync();
    }
}
