using System.Collections;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc.Controllers;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PhotoStudio.Data;
using PhotoStudio.Tests.Features.Booking;
using PhotoStudio.Tests.Support;

namespace PhotoStudio.Tests.Infrastructure;

/// <summary>
/// Every date and time input of every endpoint, found by walking the app's endpoints (so a new one is covered without
/// touching this test), given the dates that overflow DateTime arithmetic, nothing, and garbage.
/// </summary>
public class DateInputTests(StudioApp app) : IClassFixture<StudioApp>
{
    private static readonly string[] Absurd =
        ["0001-01-01", "9999-12-31", "", "garbage", "0001-01-01T00:00:00Z", "9999-12-31T23:00:00Z", "9999-12", "0001-01"];

    /// <summary>Text inputs that carry a date or time, by name: exact names, and beginnings of names.</summary>
    private static readonly string[] DateNames = ["to", "at", "when"];
    private static readonly string[] DateNameStarts = ["date", "time", "start", "end", "from", "until", "day", "month"];

    [Fact]
    public async Task Absurd_dates_never_answer_500()
    {
        var ids = await IdsAsync();
        var visitor = await VisitorWithBookingAsync();
        var admin = await app.SignedInClientAsync("admin@demo.studio");
        var visitorToken = await TokenAsync(visitor.Client, "/book/when");
        var adminToken = await TokenAsync(admin, "/admin");

        var endpoints = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Select(e => (Endpoint: e, Action: e.Metadata.GetMetadata<ControllerActionDescriptor>()))
            .Where(e => e.Action is not null)
            .ToList();
        var tried = new List<string>();
        var failures = new List<string>();
        foreach (var (endpoint, action) in endpoints)
        {
            var fields = DateFields(action!).ToList();
            if (fields.Count == 0) continue;
            var anonymous = endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null;
            var (client, token) = anonymous ? (visitor.Client, visitorToken) : (admin, adminToken);
            var path = "/" + string.Join("/", endpoint.RoutePattern.PathSegments.Select(s => string.Concat(s.Parts.Select(p => p switch
            {
                Microsoft.AspNetCore.Routing.Patterns.RoutePatternLiteralPart literal => literal.Content,
                Microsoft.AspNetCore.Routing.Patterns.RoutePatternParameterPart parameter => RouteValue(parameter.Name, action!.ControllerName, ids, visitor.ManageToken),
                _ => "",
            }))));
            var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"];
            foreach (var method in methods)
                foreach (var field in fields)
                    foreach (var value in Absurd)
                    {
                        var values = fields.ToDictionary(f => f, f => f == field ? value : Sane(f));
                        foreach (var (name, extra) in Extras(action!, ids)) values[name] = extra;
                        var response = await SendAsync(client, method, path, values, token);
                        tried.Add($"{method} {path} {field}={value}");
                        if ((int)response.StatusCode >= 500)
                            failures.Add($"{method} {path} {field}={value}: {(int)response.StatusCode}");
                    }
        }

        // The walk must reach the endpoints known to take dates, or it proves nothing.
        foreach (var known in new[] { "/board ", "/book/when ", "/reschedule ", "/admin ", "/reassign ", "/calendar ", "/time-off ", "/closures " })
            Assert.Contains(tried, t => t.Contains(known));
        Assert.True(failures.Count == 0, $"{failures.Count} of {tried.Count} requests answered 5xx:\n" + string.Join("\n", failures));
    }

    private sealed record DemoIds(int Booking, int Room, int? Photographer, uint Version, int Employee, int Service);

    private async Task<DemoIds> IdsAsync()
    {
        var booking = await app.AddBookingAsync(BookingStatus.Confirmed);
        await using var db = app.NewDb();
        var saved = await db.Bookings.AsNoTracking().SingleAsync(b => b.Id == booking.Id);
        var employee = await db.Employees.Where(e => e.User!.Email == "anna@demo.studio").Select(e => e.Id).SingleAsync();
        var service = await db.Services.Select(s => s.Id).FirstAsync();
        return new DemoIds(saved.Id, saved.RoomId, saved.PhotographerId, saved.Version, employee, service);
    }

    /// <summary>A visitor part-way through the wizard (a draft at step 3), holding the manage link of a booking far ahead.</summary>
    private async Task<(HttpClient Client, string ManageToken)> VisitorWithBookingAsync()
    {
        var booking = await app.AddBookingAsync(BookingStatus.Confirmed);
        var token = PhotoStudio.Features.Booking.ManageToken.New();
        TestSecrets.Remember(token);
        await using (var db = app.NewDb())
            await db.Bookings.Where(b => b.Id == booking.Id)
                .ExecuteUpdateAsync(b => b.SetProperty(x => x.ManageTokenHash, PhotoStudio.Features.Booking.ManageToken.Hash(token)));
        var (client, _) = await WizardTests.ChooseATimeAsync(app);
        return (client, token);
    }

    private static async Task<string> TokenAsync(HttpClient client, string page)
    {
        var document = await client.GetDocumentAsync(page);
        return JsonDocument.Parse(document.Body!.GetAttribute("hx-headers")!).RootElement.GetProperty("RequestVerificationToken").GetString()!;
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, string method, string path, Dictionary<string, string> values, string token)
    {
        var query = QueryString(values);
        var request = method == "GET"
            ? new HttpRequestMessage(HttpMethod.Get, path + query)
            : new HttpRequestMessage(new HttpMethod(method), path) { Content = new FormUrlEncodedContent(values) };
        if (method != "GET") request.Headers.Add("RequestVerificationToken", token);
        return client.SendAsync(request);
    }

    private static string QueryString(Dictionary<string, string> values) =>
        "?" + string.Join("&", values.Select(v => $"{Uri.EscapeDataString(v.Key)}={Uri.EscapeDataString(v.Value)}"));

    private static string RouteValue(string name, string controller, DemoIds ids, string manageToken) => name switch
    {
        "token" => manageToken,
        "status" => nameof(BookingStatus.Confirmed),
        "id" => (controller switch
        {
            "Board" => ids.Booking,
            "Employees" => ids.Employee,
            "Services" => ids.Service,
            "Rooms" => ids.Room,
            _ => 1,
        }).ToString(),
        _ => "1",
    };

    /// <summary>What an endpoint needs besides its dates to get as far as reading them.</summary>
    private static IEnumerable<(string Name, string Value)> Extras(ControllerActionDescriptor action, DemoIds ids)
    {
        var names = action.Parameters.SelectMany(p => p.ParameterType.IsClass && p.ParameterType != typeof(string)
            ? p.ParameterType.GetProperties().Select(x => x.Name) : [p.Name]).ToHashSet(StringComparer.OrdinalIgnoreCase);
        if (names.Contains("range")) yield return ("range", action.ControllerName == "Dashboard" ? "custom" : "dates");
        if (action.ControllerName != "Board") yield break;
        if (names.Contains("room")) yield return ("room", ids.Room.ToString());
        if (names.Contains("photographer") && ids.Photographer is { } p) yield return ("photographer", p.ToString());
        if (names.Contains("version")) yield return ("version", ids.Version.ToString());
    }

    private static string Sane(string field) => Leaf(field) switch
    {
        var n when n.StartsWith("time") || n is "starts" or "ends" => "10:00",
        var n when n.StartsWith("month") => "2031-02",
        "start" => "2031-02-03T09:00:00Z",
        _ => "2031-02-03",
    };

    private static string Leaf(string field) => field[(field.LastIndexOf('.') + 1)..].ToLowerInvariant();

    /// <summary>The form keys of an action's date and time inputs: parameters, and properties of bound models (one list level deep).</summary>
    private static IEnumerable<string> DateFields(ControllerActionDescriptor action)
    {
        foreach (var parameter in action.Parameters)
        {
            if (parameter.BindingInfo?.BindingSource == BindingSource.Path || parameter.BindingInfo?.BindingSource == BindingSource.Services) continue;
            var prefix = parameter.BindingInfo?.BinderModelName;
            foreach (var field in Fields(parameter.Name, parameter.ParameterType, prefix, depth: 0))
                yield return field;
        }
    }

    private static IEnumerable<string> Fields(string name, Type type, string? prefix, int depth)
    {
        var plain = Nullable.GetUnderlyingType(type) ?? type;
        if (IsDate(plain) || (plain == typeof(string) && SaysDate(name)))
        {
            yield return prefix ?? name;
            yield break;
        }
        if (depth > 1 || plain == typeof(string) || plain == typeof(CancellationToken) || !plain.IsClass) yield break;
        if (plain.IsGenericType && typeof(IEnumerable).IsAssignableFrom(plain))
        {
            var element = plain.GetGenericArguments()[0];
            foreach (var field in Fields(name, element, $"{prefix ?? name}[0]", depth + 1))
                yield return field;
            yield break;
        }
        foreach (var property in plain.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
            foreach (var field in Fields(property.Name, property.PropertyType, prefix is null ? property.Name : $"{prefix}.{property.Name}", depth + 1))
                yield return field;
    }

    private static bool IsDate(Type type) =>
        type == typeof(DateOnly) || type == typeof(DateTime) || type == typeof(DateTimeOffset) || type == typeof(TimeOnly);

    private static bool SaysDate(string name)
    {
        var lower = name.ToLowerInvariant();
        return DateNames.Contains(lower) || DateNameStarts.Any(lower.StartsWith);
    }
}
