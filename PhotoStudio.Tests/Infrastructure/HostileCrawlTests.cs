using System.Diagnostics;
using System.Text.RegularExpressions;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using PhotoStudio.Tests.Support;
using Xunit.Abstractions;

namespace PhotoStudio.Tests.Infrastructure;

/// <summary>
/// A crawler as an attacker would run it: from the main pages, breadth-first over same-site links and forms, as a
/// visitor, a receptionist and an administrator; every query parameter and form field it finds gets each hostile value
/// in turn (the other fields as the page had them, antiforgery included). No answer may be a 5xx, and none may carry
/// the script marker unescaped. Bounded in time; PHOTOSTUDIO_CRAWL_SECONDS sets the budget per role for a deeper run,
/// PHOTOSTUDIO_CRAWL_LIST prints the pages and forms reached.
/// </summary>
public partial class HostileCrawlTests(StudioApp app, ITestOutputHelper output) : IClassFixture<StudioApp>
{
    private const string ScriptMarker = "<script>alert('ps-crawl')</script>";

    private static readonly string[] HostileValues =
    [
        "9999-12-31", "", "NaN", "99999999999999999999", "0001-01-01", ScriptMarker, "'\"", "-1", "\0", new string('a', 5000),
    ];

    private static readonly string[] StartPages = ["/", "/book", "/board", "/calendar", "/admin"];

    /// <summary>Never requested: signing out ends the crawl's session, and the event stream never ends.</summary>
    private static readonly string[] SkipAlways = ["/account/logout", "/board/events"];

    /// <summary>Never posted: what would sign out, destroy data the crawl stands on, or lock an account.</summary>
    private static readonly string[] SkipPosts =
        ["sign-out-everywhere", "/deactivate", "/delete", "/security/disable", "/password", "/reset", "/admin/roles", "/setup-link"];

    /// <summary>Never attacked, only sent as the page had them: an employee's roles (a roles save could take the crawl's own rights away).</summary>
    private static readonly string[] KeepFields = ["__RequestVerificationToken", "Roles", "Access"];

    private static readonly TimeSpan Budget =
        TimeSpan.FromSeconds(int.TryParse(Environment.GetEnvironmentVariable("PHOTOSTUDIO_CRAWL_SECONDS"), out var s) ? s : 60);

    private const int MaxPages = 150;

    /// <param name="Unsent">Fields the page has but a browser leaves out as it stands (unticked checkboxes): attacked all the same.</param>
    private sealed record Target(string Method, string Path, List<KeyValuePair<string, string>> Fields, List<string>? Unsent = null)
    {
        public string Key => $"{Method} {Shape(Path)} {string.Join(",", Fields.Select(f => f.Key).Distinct().Order())}";
    }

    [Theory]
    [InlineData(null)]
    [InlineData("reception@demo.studio")]
    [InlineData("admin@demo.studio")]
    public async Task Hostile_values_in_any_field_never_answer_500(string? account)
    {
        var client = account is null ? app.NewClient() : await app.SignedInClientAsync(account);
        var clock = Stopwatch.StartNew();
        var failures = new List<string>();
        var requests = 0;

        async Task<(int Status, string Body, string? Location)?> SendAsync(HttpRequestMessage request, string what)
        {
            requests++;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try
            {
                using var response = await client.SendAsync(request, timeout.Token);
                var body = await response.Content.ReadAsStringAsync(timeout.Token);
                var status = (int)response.StatusCode;
                if (status >= 500) failures.Add($"{status}: {what}");
                if (body.Contains(ScriptMarker)) failures.Add($"script marker reflected unescaped: {what}");
                return (status, body, response.Headers.Location?.OriginalString);
            }
            catch (OperationCanceledException)
            {
                failures.Add($"no answer in 20 s: {what}");
                return null;
            }
        }

        // 1. Crawl: pages breadth-first; forms are also sent once as the page has them, to reach the pages behind them.
        var queue = new Queue<string>(StartPages);
        var seenPages = new HashSet<string>();
        var targets = new Dictionary<string, Target>();
        while (queue.Count > 0 && seenPages.Count < MaxPages && clock.Elapsed < Budget / 3)
        {
            var url = queue.Dequeue();
            if (!seenPages.Add(Shape(url)) || SkipAlways.Any(url.Contains)) continue;
            if (await SendAsync(new HttpRequestMessage(HttpMethod.Get, url), $"GET {url}") is not { } page) continue;
            if (page.Location is { } moved && SameSite(moved)) queue.Enqueue(moved);
            if (page.Status != 200) continue;
            var document = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(page.Body);

            foreach (var link in Links(document))
            {
                queue.Enqueue(link);
                if (link.Contains('?')) Add(targets, QueryTarget(link));
            }
            foreach (var form in document.QuerySelectorAll<IHtmlFormElement>("form"))
            {
                if (FormTarget(form, url) is not { } target || !Add(targets, target)) continue;
                if (target.Method == "GET") queue.Enqueue(target.Path + Query(target.Fields));
                else if (await SendAsync(Request(target, target.Fields), $"POST {target.Path} as the page had it") is { Location: { } next } && SameSite(next))
                    queue.Enqueue(next);
            }
        }

        // 2. Attack: each value in turn over every field found, so a short budget still tries the first values everywhere.
        // Of repeated fields (Days[0]…Days[6], rows[0]…rows[11]) the first stands for the others.
        var attacks =
            from value in HostileValues
            from target in targets.Values
            from field in target.Fields.Select(f => f.Key).Concat(target.Unsent ?? [])
                .Where(f => !KeepFields.Contains(f)).DistinctBy(f => Index().Replace(f, "[]"))
            select (Target: target, Field: field, Value: value);
        var tried = 0;
        foreach (var (target, field, value) in attacks)
        {
            if (clock.Elapsed > Budget) break;
            var fields = target.Fields.Where(f => f.Key != field).Append(new(field, value)).ToList();
            await SendAsync(Request(target, fields), $"{target.Method} {target.Path} {field}={Shorten(value)}");
            tried++;
        }
        output.WriteLine($"{account ?? "anonymous"}: {seenPages.Count} pages, {targets.Count} forms and parameter sets, " +
                         $"{tried} hostile requests, {requests} requests in all, {failures.Count} failures, {clock.Elapsed.TotalSeconds:F0} s");
        if (Environment.GetEnvironmentVariable("PHOTOSTUDIO_CRAWL_LIST") is not null)
            output.WriteLine(string.Join("\n", seenPages.Order().Concat(targets.Keys.Order())));
        Assert.True(seenPages.Count >= 5, $"the crawl reached only {seenPages.Count} pages");
        Assert.True(failures.Count == 0, $"{failures.Count} bad answers in {requests} requests:\n" + string.Join("\n", failures.Distinct().Take(60)));
    }

    private static bool Add(Dictionary<string, Target> targets, Target target)
    {
        if (target.Method == "POST" && SkipPosts.Any(target.Path.Contains)) return false;
        if (SkipAlways.Any(target.Path.Contains) || target.Fields.Count + (target.Unsent?.Count ?? 0) == 0) return false;
        return targets.TryAdd(target.Key, target);
    }

    private static HttpRequestMessage Request(Target target, List<KeyValuePair<string, string>> fields) =>
        target.Method == "GET"
            ? new HttpRequestMessage(HttpMethod.Get, target.Path + Query(fields))
            : new HttpRequestMessage(HttpMethod.Post, target.Path) { Content = new FormUrlEncodedContent(fields) };

    private static string Query(List<KeyValuePair<string, string>> fields) =>
        fields.Count == 0 ? "" : "?" + string.Join("&", fields.Select(f => $"{Uri.EscapeDataString(f.Key)}={Uri.EscapeDataString(f.Value)}"));

    private static IEnumerable<string> Links(IDocument document) =>
        document.QuerySelectorAll("a[href], [hx-get]")
            .Select(e => e.GetAttribute("href") ?? e.GetAttribute("hx-get")!)
            .Select(h => h.Split('#')[0])
            .Where(SameSite);

    private static bool SameSite(string url) => url.StartsWith('/') && !url.StartsWith("//") && !url.StartsWith("/lib/") && !url.StartsWith("/css/") && !url.StartsWith("/js/");

    private static Target QueryTarget(string link)
    {
        var (path, query) = (link.Split('?')[0], link.Split('?', 2)[1]);
        var fields = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(query)
            .SelectMany(p => p.Value.Select(v => new KeyValuePair<string, string>(p.Key, v ?? ""))).ToList();
        return new Target("GET", path, fields);
    }

    /// <summary>The form's fields as a browser sends them; an unchosen radio group gets its first choice, as a user would pick one.</summary>
    private static Target? FormTarget(IHtmlFormElement form, string pageUrl)
    {
        var action = form.GetAttribute("action") is { Length: > 0 } a ? a : pageUrl.Split('?')[0];
        if (!SameSite(action)) return null;
        var method = string.Equals(form.GetAttribute("method"), "post", StringComparison.OrdinalIgnoreCase) ? "POST" : "GET";
        var fields = new List<KeyValuePair<string, string>>();
        var radios = new HashSet<string>();
        foreach (var element in form.Elements)
        {
            switch (element)
            {
                case IHtmlInputElement { Name: { Length: > 0 } name } input when input.Type is "radio":
                    var group = form.Elements.OfType<IHtmlInputElement>().Where(i => i.Type == "radio" && i.Name == name).ToList();
                    if (radios.Add(name)) fields.Add(new(name, (group.FirstOrDefault(i => i.IsChecked) ?? group[0]).Value));
                    break;
                case IHtmlInputElement { Name: { Length: > 0 } name } input
                    when input.Type is not ("checkbox" or "submit" or "button" or "file") || input.IsChecked:
                    fields.Add(new(name, input.Value));
                    break;
                case IHtmlSelectElement { Name: { Length: > 0 } name } select:
                    fields.Add(new(name, select.Value ?? select.Options.FirstOrDefault()?.Value ?? ""));
                    break;
                case IHtmlTextAreaElement { Name: { Length: > 0 } name } area:
                    fields.Add(new(name, area.Value));
                    break;
                case IHtmlButtonElement { Name: { Length: > 0 } name } button when button.Type == "submit":
                    fields.Add(new(name, button.Value));
                    break;
            }
        }
        var unsent = form.Elements.OfType<IHtmlInputElement>().Where(i => i.Type == "checkbox" && !i.IsChecked && i.Name is { Length: > 0 })
            .Select(i => i.Name!).Where(n => fields.All(f => f.Key != n)).Distinct().ToList();
        return new Target(method, action, fields, unsent);
    }

    /// <summary>A URL with its numbers and long tokens blanked and its query reduced to its keys: one of each kind of page is enough.</summary>
    private static string Shape(string url)
    {
        var parts = url.Split('?', 2);
        var path = IdSegment().Replace(parts[0], "/*");
        var keys = parts.Length > 1
            ? string.Join("&", Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(parts[1]).Keys.Order())
            : "";
        return $"{path}?{keys}";
    }

    private static string Shorten(string value) => value.Length > 20 ? $"{value[..10]}…({value.Length} chars)" : value.Replace("\0", "\\0");

    [GeneratedRegex(@"/(\d+|[A-Za-z0-9_-]{20,}|PS-[A-Z0-9]+)(?=/|$)")]
    private static partial Regex IdSegment();

    [GeneratedRegex(@"\[\d+\]")]
    private static partial Regex Index();
}
