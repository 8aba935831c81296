using System.Collections.Concurrent;
using Microsoft.Playwright;

namespace PhotoStudio.Tests.Browser;

/// <summary>
/// Browser test classes share one Chromium and, being one collection, never run in parallel with each
/// other: a browser, the app and PostgreSQL on two cores is already enough at once.
/// </summary>
[CollectionDefinition("browser")]
public class BrowserCollection : ICollectionFixture<BrowserFixture>;

/// <summary>Playwright driving the machine's Chromium (Debian's package; <c>playwright install</c> cannot run here).</summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    /// <summary>How long an expectation or an action waits for its condition before failing.</summary>
    public const float Timeout = 15_000;

    private IPlaywright? playwright;
    private IBrowser? browser;

    public IBrowser Browser => browser ?? throw new InvalidOperationException("The browser has not started.");

    public async Task InitializeAsync()
    {
        var executable = Environment.GetEnvironmentVariable("PLAYWRIGHT_CHROMIUM") is { Length: > 0 } configured
            ? configured
            : "/usr/bin/chromium";
        if (!File.Exists(executable))
            throw new InvalidOperationException(
                $"Chromium not found at {executable}. Install it with `apt-get install -y chromium` (as root, after apt-get update), " +
                "or point PLAYWRIGHT_CHROMIUM at a Chromium binary. Do not run `playwright install`.");

        Assertions.SetDefaultExpectTimeout(Timeout);
        playwright = await Playwright.CreateAsync();
        browser = await playwright.Chromium.LaunchAsync(new()
        {
            Headless = true,
            ExecutablePath = executable,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--disable-quic",
            ],
        });
    }

    public async Task DisposeAsync()
    {
        if (browser is not null) await browser.CloseAsync();
        playwright?.Dispose();
    }

    /// <summary>
    /// A new page in its own context (own cookies and storage) on a 360×780 touch phone, English, light system theme.
    /// <paramref name="configure"/> adjusts the context before it is created (dark system theme, JavaScript off…).
    /// </summary>
    public async Task<PhonePage> NewPhonePageAsync(string baseUrl, Action<BrowserNewContextOptions>? configure = null)
    {
        var options = new BrowserNewContextOptions
        {
            ViewportSize = new() { Width = PhonePage.Width, Height = 780 },
            IsMobile = true,
            HasTouch = true,
            BaseURL = baseUrl,
            Locale = "en-US",
            ColorScheme = ColorScheme.Light,
        };
        configure?.Invoke(options);
        var context = await Browser.NewContextAsync(options);
        context.SetDefaultTimeout(Timeout);
        context.SetDefaultNavigationTimeout(2 * Timeout);
        var page = await context.NewPageAsync();
        return new PhonePage(context, page, new Uri(baseUrl));
    }
}

/// <summary>
/// A page that records what a user would never see but a broken page shows: console errors (Chromium reports
/// CSP violations there), uncaught script errors, and same-origin requests that failed or answered 4xx/5xx.
/// Call <see cref="AssertNoConsoleErrors"/> at the end of the test.
/// </summary>
public sealed class PhonePage : IAsyncDisposable
{
    public const int Width = 360;

    private readonly ConcurrentQueue<string> problems = new();
    private readonly string origin;

    public PhonePage(IBrowserContext context, IPage page, Uri baseUrl)
    {
        Context = context;
        Page = page;
        origin = baseUrl.GetLeftPart(UriPartial.Authority);

        page.Console += (_, message) =>
        {
            if (message.Type == "error") problems.Enqueue($"console error: {message.Text} (at {message.Location})");
        };
        page.PageError += (_, error) => problems.Enqueue($"uncaught script error: {error}");
        page.RequestFailed += (_, request) =>
        {
            if (SameOrigin(request.Url)) problems.Enqueue($"request failed: {request.Method} {request.Url}: {request.Failure}");
        };
        page.Response += (_, response) =>
        {
            if (response.Status >= 400 && SameOrigin(response.Url))
                problems.Enqueue($"request answered {response.Status}: {response.Request.Method} {response.Url}");
        };
    }

    public IBrowserContext Context { get; }

    public IPage Page { get; }

    public IReadOnlyCollection<string> Problems => problems;

    public void AssertNoConsoleErrors() =>
        Assert.True(problems.IsEmpty, "The page reported problems:\n" + string.Join("\n", problems));

    /// <summary>
    /// As <see cref="AssertNoConsoleErrors()"/>, but a problem the test caused on purpose (a refused move's 422,
    /// an event stream the server ended) is allowed when one of <paramref name="expected"/> matches it.
    /// </summary>
    public void AssertNoConsoleErrors(params System.Text.RegularExpressions.Regex[] expected)
    {
        var unexpected = problems.Where(p => !expected.Any(e => e.IsMatch(p))).ToList();
        Assert.True(unexpected.Count == 0, "The page reported problems:\n" + string.Join("\n", unexpected));
    }

    public ValueTask DisposeAsync() => new(Context.CloseAsync());

    private bool SameOrigin(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.GetLeftPart(UriPartial.Authority) == origin;
}
