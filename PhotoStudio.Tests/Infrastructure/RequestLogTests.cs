using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PhotoStudio.Tests.Support;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting.Json;

namespace PhotoStudio.Tests.Infrastructure;

/// <summary>The app with a sink that keeps every log event it writes.</summary>
public class LoggedStudioApp : StudioApp
{
    public ConcurrentQueue<LogEvent> Events { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.AddSingleton<ILogEventSink>(new Collector(Events)));
    }

    /// <summary>Each event as the log file has it, one JSON line.</summary>
    public IEnumerable<string> Lines() => Events.Select(e =>
    {
        var text = new StringWriter();
        new JsonFormatter(renderMessage: true).Format(e, text);
        return text.ToString();
    });

    private sealed class Collector(ConcurrentQueue<LogEvent> events) : ILogEventSink
    {
        public void Emit(LogEvent logEvent) => events.Enqueue(logEvent);
    }
}

public class RequestLogTests(LoggedStudioApp app) : IClassFixture<LoggedStudioApp>
{
    [Fact]
    public async Task A_category_has_one_logger_however_often_it_is_asked_for_and_it_still_writes()
    {
        var factory = app.Services.GetRequiredService<Microsoft.Extensions.Logging.ILoggerFactory>();
        var logger = factory.CreateLogger("PhotoStudio.Tests.OneLogger");
        Assert.Same(logger, factory.CreateLogger("PhotoStudio.Tests.OneLogger"));
        Assert.NotSame(logger, factory.CreateLogger("PhotoStudio.Tests.AnotherLogger"));

        // Requests authenticate through a handler made per request, which asks the factory for its logger each time.
        var client = await app.SignedInClientAsync("admin@demo.studio");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/board")).StatusCode);
        var handler = factory.CreateLogger("Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationHandler");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/board")).StatusCode);
        Assert.Same(handler, factory.CreateLogger("Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationHandler"));

        Microsoft.Extensions.Logging.LoggerExtensions.LogWarning(logger, "One logger test {Marker}", "m-4471");
        Assert.Contains(app.Events, e => e.Properties.TryGetValue("Marker", out var v) && v.ToString() == "\"m-4471\"");
    }

    [Fact]
    public async Task A_request_logs_one_line_with_its_route_template_status_user_id_and_trace_id()
    {
        var reception = await app.SignedInClientAsync("reception@demo.studio");
        await using var db = app.NewDb();
        var userId = await db.Users.Where(u => u.Email == "reception@demo.studio").Select(u => u.Id).SingleAsync();

        var response = await reception.GetAsync("/board/bookings/999999");

        var line = Assert.Single(RequestLines(), e => Property(e, "Route") == "/board/bookings/{id:int}");
        var status = ((int)response.StatusCode).ToString();
        Assert.Equal(status, Property(line, "StatusCode"));
        Assert.Equal(userId, Property(line, "UserId"));
        Assert.Matches("^[0-9a-f]{32}$", Property(line, "TraceId"));
        Assert.Equal("GET", Property(line, "RequestMethod"));
        Assert.StartsWith($"HTTP GET /board/bookings/{{id:int}} responded {status} in ", line.RenderMessage());
    }

    [Fact]
    public async Task A_manage_link_is_logged_by_its_template_and_its_token_appears_in_no_log_line()
    {
        var token = "log-" + Guid.NewGuid().ToString("N");
        TestSecrets.Remember(token);
        var visitor = app.NewClient();

        Assert.Equal(HttpStatusCode.NotFound, (await visitor.GetAsync($"/my/{token}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await visitor.GetAsync($"/my/{token}/calendar.ics?token={token}")).StatusCode);

        var line = Assert.Single(RequestLines(), e => Property(e, "Route") == "/my/{token}");
        Assert.Equal("404", Property(line, "StatusCode"));
        Assert.Equal("/my/{token}", Property(line, "RequestPath"));
        Assert.Null(Property(line, "UserId"));
        Assert.Single(RequestLines(), e => Property(e, "Route") == "/my/{token}/calendar.ics");
        Assert.DoesNotContain(RequestLines(), e => Property(e, "Route")!.StartsWith("/error/"));
        Assert.DoesNotContain(app.Lines(), l => l.Contains(token));
    }

    [Fact]
    public async Task A_calendar_feed_is_logged_by_its_template_and_its_token_appears_in_no_log_line()
    {
        var token = "feed-" + Guid.NewGuid().ToString("N");
        TestSecrets.Remember(token);

        Assert.Equal(HttpStatusCode.NotFound, (await app.NewClient().GetAsync($"/feeds/{token}.ics")).StatusCode);

        var line = Assert.Single(RequestLines(), e => Property(e, "Route") == "/feeds/{token}.ics");
        Assert.Equal("/feeds/{token}.ics", Property(line, "RequestPath"));
        Assert.DoesNotContain(app.Lines(), l => l.Contains(token));
    }

    private IEnumerable<LogEvent> RequestLines() =>
        app.Events.Where(e => e.MessageTemplate.Text.StartsWith("HTTP {RequestMethod:l} {Route:l}"));

    private static string? Property(LogEvent e, string name) =>
        e.Properties.TryGetValue(name, out var value) ? (value as ScalarValue)?.Value?.ToString() : null;
}
