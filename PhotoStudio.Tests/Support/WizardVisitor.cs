using System.Net;
using System.Net.Sockets;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;

namespace PhotoStudio.Tests.Support;

/// <summary>
/// One visitor of the public booking wizard on an app process (<see cref="AppProcess"/>): a cookie jar of its own, walked
/// through the steps with plain form posts (the antiforgery token of step 2 serves every later post) to the point where
/// only "Confirm" is left, which <see cref="ConfirmAsync"/> then sends to whichever instance it is given.
/// </summary>
public sealed class WizardVisitor : IDisposable
{
    private readonly HttpClient client;
    private string token = "";

    private WizardVisitor(HttpClient client) => this.client = client;

    /// <summary>The time chosen in step 3 (UTC, as the slot button's value).</summary>
    public string Start { get; private set; } = "";

    /// <summary>The ids of the services step 1 offers.</summary>
    public static async Task<IReadOnlyList<string>> ServicesAsync(AppProcess instance)
    {
        using var client = instance.NewClient();
        var page = await client.GetDocumentAsync("/book");
        return [.. page.QuerySelectorAll<IHtmlInputElement>("input[name=serviceId]").Select(i => i.Value)];
    }

    /// <summary>The days with free times for the service (any room, any photographer), in the first bookable month and the next.</summary>
    public static async Task<IReadOnlyList<string>> FreeDaysAsync(AppProcess instance, string serviceId)
    {
        using var visitor = new WizardVisitor(instance.NewClient());
        await visitor.ChooseAsync(serviceId, room: null, photographer: null);
        var month = await visitor.client.GetDocumentAsync("/book/when");
        var days = Days(month);
        // The first month has no "previous" link, so the one link beside its heading is "next".
        if (month.QuerySelector("#when > div:first-child > a")?.GetAttribute("href") is { } next)
            days.AddRange(Days(await visitor.client.GetDocumentAsync(next)));
        return [.. days.Distinct().Order()];

        static List<string> Days(AngleSharp.Html.Dom.IHtmlDocument page) =>
            [.. page.QuerySelectorAll("a.day-free").Select(a => a.GetAttribute("href")!.Split("day=")[1])];
    }

    /// <summary>
    /// Steps 1–4 on <paramref name="instance"/>: the service; the room and photographer (null for "any", a number for the
    /// n-th one offered); on <paramref name="day"/>, the <paramref name="slot"/>-th time offered (counted round the ones
    /// there are); the details. Null when the day offers no time for that choice.
    /// </summary>
    public static async Task<WizardVisitor?> PrepareAsync(AppProcess instance, string serviceId, int? room, int? photographer,
        string day, int slot, string email)
    {
        var visitor = await StartAsync(instance, serviceId, room, photographer);
        try
        {
            var when = await visitor.client.GetDocumentAsync($"/book/when?day={day}");
            var slots = when.QuerySelectorAll<IHtmlButtonElement>("#slots-form button.slot").Select(b => b.Value!).ToList();
            if (slots.Count == 0)
            {
                visitor.Dispose();
                return null;
            }
            visitor.Start = slots[slot % slots.Count];
            await visitor.PostAsync("/book/when", "/book/details", new() { ["start"] = visitor.Start });
            await visitor.PostAsync("/book/details", "/book/review", new()
            {
                ["Name"] = "Drill Visitor", ["Email"] = email, ["Phone"] = "+49 30 5550100", ["Guests"] = "1", ["AcceptTerms"] = "true",
            });
            return visitor;
        }
        catch
        {
            visitor.Dispose();
            throw;
        }
    }

    /// <summary>Steps 1 and 2 on <paramref name="instance"/> (see <see cref="PrepareAsync"/>): the visitor is at step 3, choosing a time.</summary>
    public static async Task<WizardVisitor> StartAsync(AppProcess instance, string serviceId, int? room, int? photographer)
    {
        var visitor = new WizardVisitor(instance.NewClient());
        try
        {
            await visitor.ChooseAsync(serviceId, room, photographer);
            return visitor;
        }
        catch
        {
            visitor.Dispose();
            throw;
        }
    }

    /// <summary>A page of the instance the visitor started on, with the visitor's cookies.</summary>
    public Task<HttpResponseMessage> GetAsync(string url) => client.GetAsync(url);

    /// <summary>Presses "Confirm" on the review page, sent to <paramref name="baseUrl"/> (the cookies go with it: they are the host's, whatever the port).</summary>
    public Task<HttpResponseMessage> ConfirmAsync(string baseUrl) =>
        client.PostAsync(new Uri(new Uri(baseUrl), "/book/confirm"), new FormUrlEncodedContent([new("__RequestVerificationToken", token)]));

    /// <summary>What a confirmation's answer, or its failure, says about the booking.</summary>
    public static ConfirmOutcome Classify(HttpResponseMessage response) =>
        response.StatusCode == HttpStatusCode.SeeOther && response.Headers.Location?.OriginalString is { } location && location.StartsWith("/book/done/")
            ? new(ConfirmResult.Booked, "303 booked", location["/book/done/".Length..])
            : response.StatusCode == HttpStatusCode.Conflict
                ? new(ConfirmResult.Taken, "409 taken")
                : new(ConfirmResult.Failed, $"{(int)response.StatusCode}" + (response.Headers.Location is { } other ? $" to {other}" : ""));

    /// <inheritdoc cref="Classify(HttpResponseMessage)"/>
    public static ConfirmOutcome Classify(Exception error) => error switch
    {
        // No connection was made, so the request never left: certainly not booked.
        HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError } e =>
            new(ConfirmResult.NotSent, e.InnerException is SocketException s ? $"not sent: {s.SocketErrorCode}" : "not sent: no connection"),
        // Sent, and then the connection broke or the answer never came: it may or may not have been booked.
        HttpRequestException e => new(ConfirmResult.Unknown, "no answer: " + (e.HttpRequestError == HttpRequestError.Unknown
            ? (e.InnerException?.InnerException ?? e.InnerException)?.Message ?? e.Message : e.HttpRequestError.ToString())),
        TaskCanceledException => new(ConfirmResult.Unknown, "no answer: timed out"),
        _ => throw error,
    };

    private async Task ChooseAsync(string serviceId, int? room, int? photographer)
    {
        await PostAsync("/book", "/book/with", new() { ["serviceId"] = serviceId });
        var with = await client.GetDocumentAsync("/book/with");
        token = with.QuerySelector<IHtmlInputElement>("input[name=__RequestVerificationToken]")!.Value;
        string Pick(string name, int? n)
        {
            var offered = with.QuerySelectorAll<IHtmlInputElement>($"input[name={name}]").Select(i => i.Value).Where(v => v != "").ToList();
            return n is { } i && offered.Count > 0 ? offered[i % offered.Count] : "";
        }
        await PostAsync("/book/with", "/book/when", new() { ["roomId"] = Pick("roomId", room), ["photographerId"] = Pick("photographerId", photographer) });
    }

    private async Task PostAsync(string url, string next, Dictionary<string, string> fields)
    {
        if (token != "") fields["__RequestVerificationToken"] = token;
        using var response = await client.PostAsync(url, new FormUrlEncodedContent(fields));
        if (response.StatusCode != HttpStatusCode.SeeOther || response.Headers.Location?.OriginalString != next)
            throw new InvalidOperationException($"POST {url} answered {(int)response.StatusCode} {response.Headers.Location}, not 303 to {next}");
    }

    public void Dispose() => client.Dispose();
}

public enum ConfirmResult
{
    /// <summary>303 to the booking's page: booked, with its code.</summary>
    Booked,
    /// <summary>409: the time was taken.</summary>
    Taken,
    /// <summary>Any other answer (a 500 while the database was away).</summary>
    Failed,
    /// <summary>No connection could be made: the request never left.</summary>
    NotSent,
    /// <summary>Sent, but no answer came: booked or not, the visitor cannot know.</summary>
    Unknown,
}

/// <param name="Kind">What the visitor was told, in a few words ("409 taken", "500", "not sent: ConnectionRefused").</param>
/// <param name="Code">The booking's code, for <see cref="ConfirmResult.Booked"/>.</param>
public sealed record ConfirmOutcome(ConfirmResult Result, string Kind, string? Code = null);
