using System.Globalization;
using Microsoft.EntityFrameworkCore;
using PhotoStudio.Data;
using PhotoStudio.Features.Notifications;
using PhotoStudio.Infrastructure;
using PhotoStudio.Infrastructure.Writes;

namespace PhotoStudio.Features.Admin.Notifications;

public record OutboxRow(long Id, DateTime CreatedLocal, DateTime? SentLocal, string Kind, string Recipient, int BookingId,
    string BookingCode, NotificationStatus Status, int Attempts, DateTime? NextAttemptLocal, string LastError, bool HasEml);

/// <summary>
/// Whether mail leaves: where it goes, what this instance's sender last met, and what the database says is waiting
/// (so every instance shows the same backlog, whichever one sends).
/// </summary>
public record OutboxState(string Destination, DateTime? UnreachableSinceLocal, string? UnreachableError, bool Unconfigured,
    int Waiting, TimeSpan? OldestWaiting)
{
    /// <summary>A backlog older than this is a problem even when no sender here has noticed one (the sweep runs every minute).</summary>
    public static readonly TimeSpan Overdue = TimeSpan.FromMinutes(10);

    public bool Troubled => Unconfigured || UnreachableSinceLocal is not null || OldestWaiting > Overdue;
}

/// <param name="Message">Why a "send again" was refused, shown above the table.</param>
public record OutboxPage(TableState State, Paged<OutboxRow> Rows, IReadOnlyDictionary<NotificationStatus, int> Counts,
    OutboxState Health, IReadOnlyList<string> Kinds, string TimeZone, string? Message = null);

/// <summary>The outbox as staff read it (/admin/notifications): filtered, newest first, a page at a time; and "send again".</summary>
public class NotificationLog(StudioDb db, IMailTransport transport, OutboxHealth health, StudioWrites writes, TimeProvider clock)
{
    public static readonly string[] Keys = ["status", "kind", "q", "size", "page"];

    /// <summary>Longer searches are cut: no recipient or code is longer, and the query stays cheap.</summary>
    public const int MaxSearch = 100;
    public const int MinPageSize = 10;
    public const int MaxPageSize = 100;

    /// <summary>The kinds the filter offers; "reminder" stands for every reminder offset.</summary>
    public static readonly IReadOnlyList<string> FilterKinds =
    [
        NotificationKind.Received, NotificationKind.Confirmed, NotificationKind.Rescheduled, NotificationKind.Cancelled,
        NotificationKind.Expired, "reminder", NotificationKind.ThankYou, NotificationKind.ManageLink, NotificationKind.NewBooking,
        NotificationKind.Assigned,
    ];

    public static int PageSize(TableState state) =>
        int.TryParse(state["size"], NumberStyles.None, CultureInfo.InvariantCulture, out var size) ? Math.Clamp(size, MinPageSize, MaxPageSize) : TableState.PageSize;

    public async Task<OutboxPage> PageAsync(TableState state, CancellationToken ct)
    {
        var studio = await db.Settings.AsNoTracking().Select(s => s.TimeZone).SingleAsync(ct);
        var zone = TimeZoneInfo.FindSystemTimeZoneById(studio);
        DateTime Local(DateTime utc) => TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), zone);

        var counts = await db.Notifications.AsNoTracking().GroupBy(n => n.Status)
            .Select(g => new { g.Key, Count = g.Count(), Oldest = g.Min(n => n.CreatedAt) }).ToListAsync(ct);
        var pending = counts.FirstOrDefault(c => c.Key == NotificationStatus.Pending);
        var now = clock.GetUtcNow().UtcDateTime;
        var unreachable = health.MailServerUnavailable;
        var mail = new OutboxState(transport.Describe(), unreachable is { } u ? Local(u.At) : null, unreachable?.Error,
            transport is UnconfiguredMailTransport, pending?.Count ?? 0, pending is null ? null : Max(now - pending.Oldest, TimeSpan.Zero));

        var size = PageSize(state);
        var total = await Filtered(state).CountAsync(ct);
        var page = Math.Min(state.Page, Math.Max(1, (total + size - 1) / size));
        var rows = await Filtered(state).OrderByDescending(n => n.CreatedAt).ThenByDescending(n => n.Id)
            .Skip((page - 1) * size).Take(size)
            .Select(n => new { n.Id, n.CreatedAt, n.SentAt, n.Kind, n.Recipient, n.BookingId, n.Booking!.Code, n.Status, n.Attempts,
                n.NextAttemptAt, n.LastError, n.ProviderMessageId })
            .ToListAsync(ct);
        var pickup = transport is PickupMailTransport;
        var items = rows.Select(n => new OutboxRow(n.Id, Local(n.CreatedAt), n.SentAt is { } sent ? Local(sent) : null, n.Kind, n.Recipient,
            n.BookingId, n.Code, n.Status, n.Attempts, n.Status == NotificationStatus.Pending ? Local(n.NextAttemptAt) : null, n.LastError,
            pickup && n.Status == NotificationStatus.Sent && n.ProviderMessageId is not null)).ToList();
        return new OutboxPage(state, new Paged<OutboxRow>(items, total, page, size),
            counts.ToDictionary(c => c.Key, c => c.Count), mail, FilterKinds, zone.Id);
    }

    private IQueryable<Notification> Filtered(TableState state)
    {
        var query = db.Notifications.AsNoTracking();
        if (state["status"] is { } status)
            query = Enum.GetValues<NotificationStatus>().Where(s => s.ToString().Equals(status, StringComparison.OrdinalIgnoreCase)).ToList() is [var wanted]
                ? query.Where(n => n.Status == wanted)
                : query.Where(_ => false);
        if (state["kind"] is { } kind)
            query = kind == "reminder" ? query.Where(n => n.Kind.StartsWith(NotificationKind.ReminderPrefix)) : query.Where(n => n.Kind == kind);
        if (state.Q is { } q)
        {
            q = q.Length > MaxSearch ? q[..MaxSearch] : q;
            var pattern = Like.Containing(q);
            var code = q.ToUpperInvariant();
            query = query.Where(n => EF.Functions.ILike(n.Recipient, pattern) || n.Booking!.Code == code);
        }
        return query;
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    /// <summary>
    /// A failed message goes back to the queue, due now, with a fresh count of attempts (the studio's maximum applies
    /// again). Its last error stays until it is sent, so the page still says why it failed before. Audited as an update.
    /// </summary>
    public Task<Outcome> SendAgainAsync(long id, CancellationToken ct) => writes.RunAsync(async _ =>
    {
        if (await db.Notifications.FirstOrDefaultAsync(n => n.Id == id, ct) is not { } row) return Outcome.Missing;
        if (row.Status != NotificationStatus.Failed) return Outcome.Because("Only a failed message can be sent again.");
        row.Status = NotificationStatus.Pending;
        row.Attempts = 0;
        row.NextAttemptAt = clock.GetUtcNow().UtcDateTime;
        return Outcome.Ok;
    }, ct);

    /// <summary>
    /// The .eml file of a message sent to the Development folder, or null. The name comes from the stored Message-ID,
    /// made safe by the transport's own rule, and must resolve inside its folder.
    /// </summary>
    public async Task<string?> EmlPathAsync(long id, CancellationToken ct)
    {
        if (transport is not PickupMailTransport pickup) return null;
        var messageId = await db.Notifications.AsNoTracking().Where(n => n.Id == id && n.Status == NotificationStatus.Sent)
            .Select(n => n.ProviderMessageId).FirstOrDefaultAsync(ct);
        if (string.IsNullOrEmpty(messageId)) return null;
        var folder = Path.GetFullPath(pickup.Folder);
        var path = Path.GetFullPath(Path.Combine(folder, PickupMailTransport.FileName(messageId)));
        return Path.GetDirectoryName(path) == folder.TrimEnd(Path.DirectorySeparatorChar) && File.Exists(path) ? path : null;
    }
}
