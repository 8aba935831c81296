using System.Globalization;
using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;

namespace PhotoStudio.Infrastructure;

/// <summary>
/// The state of an htmx table (search, filters, sort, page) as it stands in the query string, and the links that
/// change one part of it. Every link keeps the rest, so an address always reproduces the view.
/// </summary>
public sealed record TableState(string Path, IReadOnlyDictionary<string, string> Values, string Target)
{
    public const int PageSize = 20;

    /// <summary>The given keys of the request's query string; anything else is not part of this table's state.</summary>
    public static TableState From(HttpRequest request, string target, params string[] keys) =>
        new(request.Path, keys.Where(k => !string.IsNullOrWhiteSpace(request.Query[k]))
            .ToDictionary(k => k, k => Clean(request.Query[k].ToString())), target);

    // PostgreSQL text cannot hold NUL: such a character in an address would otherwise end in a 500.
    private static string Clean(string value) => value.Replace("\0", "").Trim();

    public string? this[string key] => Values.GetValueOrDefault(key);

    public string? Q => this["q"];
    public string? Sort => this["sort"];
    public bool Descending => this["dir"] == "desc";
    public int Page => int.TryParse(this["page"], NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p > 0 ? p : 1;

    /// <summary>This view with some values changed (null removes one); any change but the page goes back to page 1.</summary>
    public string Url(params (string Key, string? Value)[] changes) =>
        Path + QueryString.Create(Route(changes).Select(v => KeyValuePair.Create(v.Key, (string?)v.Value))).ToUriComponent();

    /// <summary>
    /// The query of <see cref="Url"/> as route values, in the same order, for the htmx tag helpers
    /// (<c>hx-all-route-data</c>): the link then comes from the action's route.
    /// </summary>
    public Dictionary<string, string> Route(params (string Key, string? Value)[] changes)
    {
        var values = new Dictionary<string, string>(Values);
        if (changes.All(c => c.Key != "page")) values.Remove("page");
        foreach (var (key, value) in changes)
            if (string.IsNullOrEmpty(value)) values.Remove(key);
            else values[key] = value;
        return values.OrderBy(v => v.Key, StringComparer.Ordinal).ToDictionary();
    }

    /// <summary>The link of a column header: sorts by that column, or flips the direction when it already does.</summary>
    public string SortUrl(string column) => Url(SortChange(column));

    public Dictionary<string, string> SortRoute(string column) => Route(SortChange(column));

    private (string, string?)[] SortChange(string column) =>
        [("sort", column), ("dir", Sort == column && !Descending ? "desc" : null)];

    /// <summary>The aria-sort value of a column header: only the sorted column has one.</summary>
    public string? AriaSort(string column, string defaultColumn) =>
        (Sort ?? defaultColumn) == column ? (Descending ? "descending" : "ascending") : null;

    public string PageUrl(int page) => Url(PageChange(page));

    public Dictionary<string, string> PageRoute(int page) => Route(PageChange(page));

    private static (string, string?) PageChange(int page) => ("page", page == 1 ? null : page.ToString(CultureInfo.InvariantCulture));
}

/// <summary>One page of a table's rows and where it stands among the others.</summary>
public sealed record Paged<T>(IReadOnlyList<T> Items, int Total, int Page, int PageSize)
{
    public int Pages => Math.Max(1, (Total + PageSize - 1) / PageSize);
}

public static class Tables
{
    /// <summary>
    /// Orders by the named column (unknown names fall back to the first one, so a hand-edited address cannot
    /// fail), then by the key, so rows never swap places between pages.
    /// </summary>
    public static IQueryable<T> SortBy<T, TKey>(this IQueryable<T> query, TableState state,
        Expression<Func<T, TKey>> key, params (string Name, Expression<Func<T, object?>> By)[] columns)
    {
        var (_, by) = columns.FirstOrDefault(c => c.Name == state.Sort, columns[0]);
        var sorted = state.Descending ? query.OrderByDescending(by) : query.OrderBy(by);
        return sorted.ThenBy(key);
    }

    /// <summary>A count and one page, two queries whatever the size of the table; a page past the end shows the last one.</summary>
    public static async Task<Paged<T>> PageAsync<T>(this IQueryable<T> query, TableState state, CancellationToken ct)
    {
        var total = await query.CountAsync(ct);
        var page = Math.Min(state.Page, Math.Max(1, (total + TableState.PageSize - 1) / TableState.PageSize));
        var items = await query.Skip((page - 1) * TableState.PageSize).Take(TableState.PageSize).ToListAsync(ct);
        return new Paged<T>(items, total, page, TableState.PageSize);
    }
}

/// <summary>Searching text columns with ILIKE for what a person typed, taken literally.</summary>
public static class Like
{
    /// <summary>A pattern matching text that contains <paramref name="typed"/>: its <c>%</c>, <c>_</c> and <c>\</c> are escaped.</summary>
    public static string Containing(string typed) =>
        "%" + typed.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%";
}
