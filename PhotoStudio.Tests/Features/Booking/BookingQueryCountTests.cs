using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using PhotoStudio.Tests.Support;
using Xunit.Abstractions;

namespace PhotoStudio.Tests.Features.Booking;

/// <summary>
/// The public wizard's busiest requests run a small, fixed number of SQL commands: a confirmation and the step-3
/// fragment must not grow a query per day, per room or per message again.
/// </summary>
public class BookingQueryCountTests(StudioApp app, ITestOutputHelper output) : IClassFixture<StudioApp>
{
    private static readonly Dictionary<string, string> Details = new()
    {
        ["Name"] = "Query Count", ["Email"] = "", ["Phone"] = "+49 30 7654321", ["Guests"] = "1",
        ["Notes"] = "", ["AcceptTerms"] = "true", ["MarketingOptIn"] = "true",
    };

    private string Database => new Npgsql.NpgsqlConnectionStringBuilder(app.ConnectionString).Database!;

    [Fact]
    public async Task A_confirmation_runs_a_fixed_handful_of_commands()
    {
        // The first confirmation warms the app (its compiled queries, the client's first booking), the second is counted.
        await ConfirmAsync();
        var (count, texts) = await ConfirmAsync();
        foreach (var text in texts) output.WriteLine(text.ReplaceLineEndings(" ") + "\n");
        Assert.InRange(count, 1, 12);
    }

    [Fact]
    public async Task The_month_fragment_runs_the_same_few_commands_whatever_the_month()
    {
        var (client, start) = await WizardTests.ChooseATimeAsync(app);
        var day = DateOnly.Parse(start[..10]);
        async Task<int> QueriesAsync(DateOnly month, DateOnly? chosen)
        {
            var url = $"/book/when?month={month:yyyy-MM}" + (chosen is { } d ? $"&day={d:yyyy-MM-dd}" : "");
            await client.HtmxAsync(HttpMethod.Get, url); // warm
            using var counter = new CommandCounter(Database);
            var response = await client.HtmxAsync(HttpMethod.Get, url);
            Assert.True(response.IsSuccessStatusCode);
            Assert.Contains("id=\"when\"", await response.Content.ReadAsStringAsync());
            foreach (var text in counter.Texts) output.WriteLine(text.ReplaceLineEndings(" ") + "\n");
            return counter.Count;
        }

        var withDay = await QueriesAsync(day, day);
        var nextMonth = await QueriesAsync(day.AddMonths(1), null);
        Assert.Equal(withDay, nextMonth);
        Assert.InRange(withDay, 1, 2);
    }

    /// <summary>Walks the wizard to the review page for a new email, then counts the commands of the confirmation alone.</summary>
    private async Task<(int Count, IReadOnlyList<string> Texts)> ConfirmAsync()
    {
        var (client, start) = await WizardTests.ChooseATimeAsync(app, latest: true);
        await WizardTests.PostStartAsync(client, start);
        var details = new Dictionary<string, string>(Details) { ["Email"] = $"count-{Guid.NewGuid():N}@example.org" };
        await client.SubmitAsync("/book/details", "#details-form", details);
        var review = await client.GetDocumentAsync("/book/review");
        using var counter = new CommandCounter(Database);
        var response = await client.SubmitAsync(review.QuerySelector<IHtmlFormElement>("#confirm-form")!);
        Assert.StartsWith("/book/done/", response.Headers.Location!.OriginalString);
        return (counter.Count, counter.Texts);
    }
}
