using System.Globalization;
using CsvHelper;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using PhotoStudio.Features.Account;
using PhotoStudio.Infrastructure;
using PhotoStudio.Infrastructure.Audit;

namespace PhotoStudio.Features.Dashboard;

/// <summary>/admin: the period's KPIs and bookings-per-day chart, and the CSV export of the same bookings.</summary>
[Authorize(Policy = Permissions.ReportsView)]
[Route("admin")]
public class DashboardController(DashboardService dashboard, AuditLog audit) : Controller
{
    private static readonly string[] Columns =
        ["Code", "Start", "End", "Status", "Service", "Room", "Photographer", "Client", "Price", "Currency"];

    [HttpGet("")]
    public async Task<IActionResult> Index(string? range, string? from, string? to, CancellationToken ct)
    {
        var window = await dashboard.WindowAsync(range, from, to, ct);
        var report = await dashboard.ReportAsync(window, ct);
        // The period form's htmx answer is only the body; the today panel comes with the whole page.
        if (!Request.WantsFragment()) report = report with { Today = await dashboard.TodayAsync(ct) };
        return this.PageOrFragment("Index", "_Body", report);
    }

    /// <summary>The today panel alone: what the dashboard's live refresh fetches on every board event.</summary>
    [HttpGet("today")]
    public async Task<IActionResult> Today(CancellationToken ct)
    {
        Response.VaryOnHtmx();
        return PartialView("_Today", await dashboard.TodayAsync(ct));
    }

    /// <summary>
    /// Streams the rows as PostgreSQL returns them, so a year of bookings never sits in memory. Client names leave
    /// the system here: clients.export is needed on top of the dashboard's reports.view.
    /// </summary>
    [HttpGet("export.csv"), Authorize(Policy = Permissions.ClientsExport)]
    public async Task<IActionResult> Export(string? range, string? from, string? to, CancellationToken ct)
    {
        var window = await dashboard.WindowAsync(range, from, to, ct);
        var period = window.Period;
        // Client names leave the system here, so who took which period is on record before the first byte goes out.
        await audit.RecordAsync("bookings.exported", changes: new Dictionary<string, object?[]>
        {
            ["from"] = [null, DashboardPeriod.Iso(period.From)],
            ["to"] = [null, DashboardPeriod.Iso(period.To)],
        }, ct: ct);

        Response.ContentType = "text/csv; charset=utf-8";
        Response.Headers.ContentDisposition =
            $"attachment; filename=\"bookings-{DashboardPeriod.Iso(period.From)}-{DashboardPeriod.Iso(period.To)}.csv\"";
        // A UTF-8 byte-order mark: without it spreadsheet programs read "Müller" or "Смирнова" in a legacy code page.
        await Response.Body.WriteAsync(System.Text.Encoding.UTF8.GetPreamble(), ct);
        await using var csv = CsvWriter.Create(Response.Body, new CsvWriterOptions { FormatProvider = CultureInfo.InvariantCulture }, leaveOpen: true);
        csv.WriteHeader(Columns);
        await foreach (var row in dashboard.ExportAsync(window, ct))
        {
            csv.WriteField(row.Code);
            csv.WriteField(row.Start);
            csv.WriteField(row.End);
            csv.WriteField(row.Status);
            csv.WriteField(Cell(row.Service));
            csv.WriteField(Cell(row.Room));
            csv.WriteField(Cell(row.Photographer));
            csv.WriteField(Cell(row.Client));
            csv.WriteField(row.Price, "0.00", CultureInfo.InvariantCulture);
            csv.WriteField(row.Currency);
            await csv.EndRecordAsync(ct);
        }
        await csv.FlushAsync(ct);
        return new EmptyResult();
    }

    /// <summary>
    /// Text that a spreadsheet would run as a formula (a client named "=HYPERLINK(…)") gets a leading apostrophe,
    /// as OWASP advises for CSV exports.
    /// </summary>
    public static string? Cell(string? text) =>
        text is { Length: > 0 } && "=+-@\t\r".Contains(text[0]) ? "'" + text : text;
}
