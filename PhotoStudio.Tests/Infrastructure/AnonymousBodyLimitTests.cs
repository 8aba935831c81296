using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using PhotoStudio.Data;
using PhotoStudio.Tests.Support;

namespace PhotoStudio.Tests.Infrastructure;

/// <summary>Visitors who are not signed in post at most 64 KB; staff keep the server's limits.</summary>
public class AnonymousBodyLimitTests(StudioApp app, LiveStudioApp live) : IClassFixture<StudioApp>, IClassFixture<LiveStudioApp>
{
    private static readonly string HundredKilobytes = new('x', 100 * 1024);

    [Fact]
    public async Task Anonymous_post_of_100_KB_is_refused_with_413_and_the_friendly_page()
    {
        var client = app.NewClient();
        var page = await client.GetDocumentAsync("/book");
        var response = await client.SubmitAsync(page.QuerySelector<IHtmlFormElement>("form[action='/book']")!,
            new Dictionary<string, string> { ["serviceId"] = "1", ["padding"] = HundredKilobytes });

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var error = await response.ReadDocumentAsync();
        Assert.Contains("Request too large", error.QuerySelector("h1")!.TextContent);
    }

    [Fact]
    public async Task Anonymous_post_without_a_declared_length_is_cut_off_at_64_KB()
    {
        var client = app.NewClient();
        // Step 1's post takes no token (the page comes from the shared cache without one), so only the size can refuse it.
        var body = $"serviceId=1&padding={HundredKilobytes}";
        var content = new UnknownLengthContent(System.Text.Encoding.ASCII.GetBytes(body));
        content.Headers.ContentType = new("application/x-www-form-urlencoded");

        var response = await client.PostAsync("/book", content);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task Over_a_real_socket_a_chunked_anonymous_post_is_cut_off_at_64_KB()
    {
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true }) { BaseAddress = new Uri(live.BaseUrl) };
        // Step 1's post takes no token (the page comes from the shared cache without one), so only the size can refuse it.
        var content = new UnknownLengthContent(System.Text.Encoding.ASCII.GetBytes($"serviceId=1&padding={HundredKilobytes}"));
        content.Headers.ContentType = new("application/x-www-form-urlencoded");

        var response = await client.PostAsync("/book", content);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("Request too large", (await response.ReadDocumentAsync()).QuerySelector("h1")!.TextContent);
    }

    [Fact]
    public async Task Signed_in_staff_post_of_100_KB_is_not_refused_for_size()
    {
        var booking = await app.AddBookingAsync(BookingStatus.Confirmed);
        var staff = await app.SignedInClientAsync("reception@demo.studio");
        var panel = await staff.GetDocumentAsync($"/board/bookings/{booking.Id}");
        var form = panel.QuerySelector<IHtmlFormElement>($"form[action='/board/bookings/{booking.Id}/notes']")!;

        var response = await staff.SubmitAsync(form, new Dictionary<string, string> { ["text"] = HundredKilobytes });

        // The note itself is too long for the form (its own rule), but the request was read.
        Assert.NotEqual(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.True((int)response.StatusCode < 500, $"answered {(int)response.StatusCode}");
    }

    /// <summary>A body whose length is not announced, as a chunked upload sends it.</summary>
    private sealed class UnknownLengthContent(byte[] bytes) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(bytes).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
