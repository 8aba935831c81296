using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using PhotoStudio.Data;
using PhotoStudio.Data.Seeding;
using PhotoStudio.Features.Account;
using PhotoStudio.Tests.Support;

namespace PhotoStudio.Tests.Features.Board;

/// <summary>An open <c>/board/events</c> stream, read frame by frame.</summary>
public sealed class EventStream(HttpResponseMessage response, StreamReader reader) : IDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    /// <param name="Retry">The reconnection delay the frame sets, in milliseconds (a <c>retry:</c> field).</param>
    public sealed record Frame(string? Id, string? Event, string? Data, bool Comment, int? Retry = null);

    public HttpResponseMessage Response => response;

    public static Task<HttpResponseMessage> RequestAsync(HttpClient client, string? lastEventId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/board/events");
        if (lastEventId is not null) request.Headers.Add("Last-Event-ID", lastEventId);
        return client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    public static async Task<EventStream> OpenAsync(HttpClient client, string? lastEventId = null)
    {
        var response = await RequestAsync(client, lastEventId);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return new EventStream(response, new StreamReader(await response.Content.ReadAsStreamAsync()));
    }

    /// <summary>A new stream that has said hello, so it hears of every change from now on.</summary>
    public static async Task<EventStream> ListeningAsync(HttpClient client)
    {
        var stream = await OpenAsync(client);
        await stream.NextEventAsync("hello");
        return stream;
    }

    /// <summary>Opens a stream as soon as the app lets this client have one (a closed stream frees its slot soon after).</summary>
    public static async Task<EventStream> OpenOnceFreeAsync(HttpClient client)
    {
        var giveUp = DateTime.UtcNow + Patience;
        while (true)
        {
            var response = await RequestAsync(client);
            if (response.StatusCode == HttpStatusCode.OK)
                return new EventStream(response, new StreamReader(await response.Content.ReadAsStreamAsync()));
            Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
            response.Dispose();
            Assert.True(DateTime.UtcNow < giveUp, $"No stream slot came free within {Patience.TotalSeconds} s.");
            await Task.Delay(50); // polling for the condition, bounded by the patience
        }
    }

    public async Task<Frame> NextAsync(CancellationToken ct = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Patience);
        string? id = null, name = null, data = null;
        int? retry = null;
        var comment = false;
        while (true)
        {
            var line = await reader.ReadLineAsync(timeout.Token) ?? throw new EndOfStreamException();
            if (line.Length == 0)
            {
                if ((id ?? name ?? data) is not null || comment || retry is not null) return new Frame(id, name, data, comment, retry);
                continue;
            }
            if (line.StartsWith(':')) comment = true;
            else if (line.StartsWith("id: ")) id = line[4..];
            else if (line.StartsWith("event: ")) name = line[7..];
            else if (line.StartsWith("data: ")) data = line[6..];
            else if (line.StartsWith("retry: ")) retry = int.Parse(line[7..], System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    public async Task<Frame> NextEventAsync(string name)
    {
        while (true)
            if (await NextAsync() is { Event: var e } frame && e == name) return frame;
    }

    /// <summary>The next booking change this stream hears of, as (booking id, kind).</summary>
    public async Task<(int Booking, string Kind)> NextChangeAsync()
    {
        var data = System.Text.Json.JsonDocument.Parse((await NextEventAsync("booking-changed")).Data!).RootElement;
        return (data.GetProperty("booking").GetInt32(), data.GetProperty("kind").GetString()!);
    }

    /// <summary>Reads on until the server ends the stream and returns the last frame it sent; fails if it is still open after the patience.</summary>
    public async Task<Frame?> EndsAsync()
    {
        using var timeout = new CancellationTokenSource(Patience);
        Frame? last = null;
        try
        {
            while (true) last = await NextAsync(timeout.Token);
        }
        catch (EndOfStreamException)
        {
            return last;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            Assert.Fail($"The stream was still open after {Patience.TotalSeconds} s.");
            return null;
        }
    }

    public void Dispose()
    {
        reader.Dispose();
        response.Dispose();
    }
}

/// <summary>Staff made for one test, so a test may deactivate them or take their rights away without touching the demo accounts.</summary>
public static class TestStaff
{
    /// <summary>A new employee whose only role (made for them) grants these permissions; signs in with the demo password.</summary>
    public static async Task<(string Email, string RoleName, int EmployeeId)> NewStaffAsync(this StudioApp app, params string[] permissions)
    {
        await using var scope = app.Scope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<StudioUser>>();
        var roles = scope.ServiceProvider.GetRequiredService<RoleManager<StudioRole>>();
        var db = scope.ServiceProvider.GetRequiredService<StudioDb>();
        var name = $"stream-{Guid.NewGuid():N}"[..20];
        var role = new StudioRole(name);
        Assert.True((await roles.CreateAsync(role)).Succeeded);
        foreach (var permission in permissions)
            Assert.True((await roles.AddClaimAsync(role, new Claim(Permissions.ClaimType, permission))).Succeeded);
        var email = $"{name}@demo.studio";
        var user = new StudioUser { UserName = email, Email = email, EmailConfirmed = true };
        Assert.True((await users.CreateAsync(user, DemoSeeder.Password)).Succeeded);
        Assert.True((await users.AddToRoleAsync(user, name)).Succeeded);
        var employee = new Employee { UserId = user.Id, FullName = "Stream Tester" };
        db.Employees.Add(employee);
        await db.SaveChangesAsync();
        return (email, name, employee.Id);
    }

    public static async Task RevokeAsync(this StudioApp app, string roleName, string permission)
    {
        await using var scope = app.Scope();
        var roles = scope.ServiceProvider.GetRequiredService<RoleManager<StudioRole>>();
        var role = await roles.FindByNameAsync(roleName);
        Assert.True((await roles.RemoveClaimAsync(role!, new Claim(Permissions.ClaimType, permission))).Succeeded);
    }
}
