using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PhotoStudio.Data;

namespace PhotoStudio.Tests.Support;

/// <summary>
/// The app on a fresh copy of the demo database. One instance per test class (<c>IClassFixture</c>);
/// <see cref="LiveStudioApp"/> serves it on a real Kestrel port for the browser.
/// </summary>
public class StudioApp : WebApplicationFactory<Program>, IAsyncLifetime
{
    public string ConnectionString { get; private set; } = "";

    /// <summary>The app's clock (its <see cref="TimeProvider"/>): real time, which a test may move forward.</summary>
    public TestClock Clock { get; } = new();

    /// <summary>The environment the app runs in; the template itself is built in Development so the demo is seeded.</summary>
    protected virtual string Environment => "Testing";

    /// <summary>
    /// PBKDF2 iterations for the passwords the test apps hash, the demo accounts' included (the template is seeded
    /// with it). The suite signs in hundreds of times; at the production figure every sign-in costs a fifth of a
    /// second of CPU. Identity stores the count in each hash, so a hash made here verifies at this count anywhere.
    /// </summary>
    public const int TestPasswordIterations = 1_000;

    /// <summary>
    /// The iterations this app hashes with: <see cref="TestPasswordIterations"/>, or null for the production figure.
    /// The app honours the setting in the Testing environment only.
    /// </summary>
    protected virtual int? PasswordIterations => TestPasswordIterations;

    public virtual async Task InitializeAsync()
    {
        ConnectionString = await CreateDatabaseAsync();
    }

    /// <summary>A copy of the demo studio; an app that needs another starting point overrides this.</summary>
    protected virtual Task<string> CreateDatabaseAsync() => TestDatabase.CreateCopyAsync(BuildTemplateAsync);

    async Task IAsyncLifetime.DisposeAsync()
    {
        // The virtual one, so what a derived fixture started (an SMTP server, a mail folder) stops with it.
        await DisposeAsync();
        if (ConnectionString != "") await TestDatabase.DropAsync(ConnectionString);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(Environment);
        builder.UseSetting("ConnectionStrings:Studio", ConnectionString);
        // Each test class signs in many times from one client address (TestServer has none); RateLimitTests restores the real limits.
        builder.UseSetting("RateLimits:SignInPerIpPerMinute", "10000");
        builder.UseSetting("RateLimits:SignInPerAccountPerMinute", "10000");
        builder.UseSetting("RateLimits:PublicPostsPerIpPerMinute", "10000");
        builder.UseSetting("RateLimits:GlobalPerIpPerMinute", "100000");
        builder.UseSetting("RateLimits:LostLinkPerIpPer15Minutes", "10000");
        WithoutJobsOrMail(builder);
        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Clock));
        if (PasswordIterations is { } iterations) builder.UseSetting(PasswordIterationsSetting, iterations.ToString(CultureInfo.InvariantCulture));
        WriteLogsToFile(builder);
    }

    /// <summary>
    /// No scheduler (the outbox fills but nothing sweeps it) and no mail out of the test run, unless a test app about
    /// jobs or mail (<c>NotificationApp</c>) sets otherwise after this.
    /// </summary>
    internal static void WithoutJobsOrMail(IWebHostBuilder builder)
    {
        builder.UseSetting("Jobs:Enabled", "false");
        builder.UseSetting("Mail:PickupDirectory", Path.Combine(Path.GetTempPath(), "photostudio-test-mail"));
    }

    internal const string PasswordIterationsSetting = "Testing:PasswordIterations";

    /// <summary>Every app of the run logs to .data/test-logs as well, so ops/test can search the logs for secrets.</summary>
    internal static void WriteLogsToFile(IWebHostBuilder builder)
    {
        builder.UseSetting("Logging:File", Path.Combine(TestSecrets.Folder, $"app-{System.Environment.ProcessId}.log"));
    }

    /// <summary>A new database context on this app's database, for arranging and asserting.</summary>
    public StudioDb NewDb() =>
        new(new DbContextOptionsBuilder<StudioDb>().UseNpgsql(ConnectionString).Options);

    public AsyncServiceScope Scope() => Services.CreateAsyncScope();

    /// <summary>
    /// Changes the studio's settings straight in the database, as another instance would, and returns once this app has
    /// heard of it: it keeps the settings row until PostgreSQL's notification says it changed.
    /// </summary>
    public async Task ChangeSettingsAsync(Func<StudioDb, Task> change)
    {
        var changes = Services.GetRequiredService<PhotoStudio.Infrastructure.Events.StudioChanges>();
        var before = changes.Generation;
        await using (var db = NewDb()) await change(db);
        await Wait.UntilAsync(() => Task.FromResult(changes.Generation > before), "the app to hear of the settings change");
    }

    /// <summary>
    /// Returns once this app has heard of every change to the dashboard's figures committed so far, as another instance's
    /// would reach it: it keeps them until PostgreSQL's notification says they changed. Notifications arrive in commit
    /// order, so hearing one sent now means every earlier one was heard too.
    /// </summary>
    public async Task ReportsHeardAsync()
    {
        var changes = Services.GetRequiredService<PhotoStudio.Infrastructure.Events.ReportChanges>();
        var before = changes.Generation;
        await using (var db = NewDb()) await db.Database.ExecuteSqlAsync($"SELECT pg_notify('reports', '')");
        await Wait.UntilAsync(() => Task.FromResult(changes.Generation > before), "the app to hear of the dashboard's changes");
    }

    /// <summary>Drops the dashboard figures this app keeps, so the next dashboard reads them afresh (as after a change).</summary>
    public void ForgetReports() => Services.GetRequiredService<PhotoStudio.Infrastructure.Events.ReportChanges>().Changed();

    /// <summary>A browser-like client: keeps cookies, does not follow redirects (tests assert on them).</summary>
    public HttpClient NewClient() => CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    /// <summary>Starts the real app once against the template database (or any empty one): it migrates and seeds the demo studio.</summary>
    internal static async Task BuildTemplateAsync(string connectionString)
    {
        await using var seeding = new TemplateBuilder(connectionString);
        using var client = seeding.CreateClient();
        var response = await client.GetAsync("/health/ready");
        if (response.StatusCode != HttpStatusCode.OK)
            throw new InvalidOperationException($"Template database not ready: {(int)response.StatusCode}");
    }

    private sealed class TemplateBuilder(string connectionString) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Development");
            builder.UseSetting("ConnectionStrings:Studio", connectionString);
            WithoutJobsOrMail(builder);
            // Development ignores the Testing setting: configured after the app's own figure, this one wins.
            builder.ConfigureTestServices(services => services.Configure<PasswordHasherOptions>(o => o.IterationCount = TestPasswordIterations));
            WriteLogsToFile(builder);
        }
    }
}

/// <summary>
/// The app with its clock at noon tomorrow in the studio's zone, for tests that depend on the date: a session
/// "later today" is still today, whatever the hour the suite runs.
/// </summary>
public class MiddayStudioApp : StudioApp
{
    public override Task InitializeAsync()
    {
        Clock.MoveTo(TestClock.MiddayTomorrow());
        return base.InitializeAsync();
    }
}

/// <summary>The app on a real Kestrel port on loopback, for Playwright.</summary>
public class LiveStudioApp : StudioApp
{
    public string BaseUrl { get; private set; } = "";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        UseKestrel(0);
        StartServer();
        var addresses = Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses;
        BaseUrl = addresses.First().Replace("[::]", "127.0.0.1").Replace("0.0.0.0", "127.0.0.1").Replace("localhost", "127.0.0.1").TrimEnd('/');
    }
}
