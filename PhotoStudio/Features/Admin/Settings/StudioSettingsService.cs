using System.Globalization;
using Microsoft.EntityFrameworkCore;
using PhotoStudio.Data;
using PhotoStudio.Features.Notifications;
using PhotoStudio.Infrastructure.Writes;

namespace PhotoStudio.Features.Admin.Settings;

public record ClosureRow(int Id, DateOnly FirstDay, DateOnly LastDay, string Reason);
public record RoleTwoFactor(string Name, bool RequiresTwoFactor);

/// <summary>What /admin/settings shows: the settings form, the closures with their add form, and who must use 2FA.</summary>
public record SettingsPage(SettingsForm Form, IReadOnlyList<ClosureRow> Closures, ClosureForm NewClosure,
    IReadOnlyList<RoleTwoFactor> Roles, IReadOnlyList<string> TimeZones, IReadOnlyList<string> Currencies, bool Stale = false)
{
    /// <summary>The model-state keys of the closure form; every other key belongs to the settings form.</summary>
    public static readonly IReadOnlySet<string> ClosureFields = new HashSet<string> { "FirstDay", "LastDay", "Reason" };
}

/// <summary>
/// Reads and saves the studio settings, weekly business hours and closures. The booking wizard reads all of them
/// fresh on every request, so a save here changes the free slots at once.
/// </summary>
public class StudioSettingsService(StudioDb db, TimeProvider clock, StudioWrites writes)
{
    /// <summary>Business hours are edited Monday first, as the week reads in most of Europe.</summary>
    public static readonly IReadOnlyList<DayOfWeek> Week =
        [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday, DayOfWeek.Saturday, DayOfWeek.Sunday];

    public static readonly IReadOnlyList<string> CommonCurrencies =
        ["EUR", "USD", "GBP", "CHF", "PLN", "CZK", "SEK", "NOK", "DKK", "RUB", "UAH", "TRY"];

    /// <summary>IANA ids only (on Windows the system list holds Windows ids, which the booking engine does not expect).</summary>
    private static readonly IReadOnlyList<string> Zones = TimeZoneInfo.GetSystemTimeZones()
        .Where(z => z.HasIanaId).Select(z => z.Id).Order(StringComparer.Ordinal).ToList();

    public async Task<SettingsPage> PageAsync(SettingsForm? form = null, ClosureForm? closure = null, bool stale = false, CancellationToken ct = default)
    {
        form ??= await FormAsync(ct);
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        // Past closures stay in the table (and the audit) but no longer matter for availability.
        var closures = await db.Closures.AsNoTracking().Where(c => c.LastDay >= today.AddDays(-1))
            .OrderBy(c => c.FirstDay).ThenBy(c => c.Id)
            .Select(c => new ClosureRow(c.Id, c.FirstDay, c.LastDay, c.Reason)).ToListAsync(ct);
        var roles = await db.Roles.AsNoTracking().OrderBy(r => r.Name)
            .Select(r => new RoleTwoFactor(r.Name!, r.RequiresTwoFactor)).ToListAsync(ct);
        var zones = Zones.Contains(form.TimeZone) || form.TimeZone == "" ? Zones : [form.TimeZone, .. Zones];
        var currencies = CommonCurrencies.Contains(form.Currency) || form.Currency == "" ? CommonCurrencies : [form.Currency, .. CommonCurrencies];
        return new SettingsPage(form, closures, closure ?? new ClosureForm(), roles, zones, currencies, stale);
    }

    public async Task<SettingsForm> FormAsync(CancellationToken ct)
    {
        var s = await db.Settings.AsNoTracking().SingleAsync(ct);
        var hours = await db.BusinessHours.AsNoTracking().OrderBy(h => h.Opens).ToListAsync(ct);
        return new SettingsForm
        {
            Name = s.Name, Address = s.Address, Phone = s.Phone, Email = s.Email, TimeZone = s.TimeZone, Currency = s.Currency.Trim(),
            SlotStepMinutes = s.SlotStepMinutes, MinimumNoticeMinutes = s.MinimumNoticeMinutes, HorizonDays = s.HorizonDays,
            CancelCutoffHours = s.CancelCutoffHours, RescheduleCutoffHours = s.RescheduleCutoffHours, AutoConfirm = s.AutoConfirm,
            DepositPolicy = s.DepositPolicy, Version = s.Version,
            SenderName = s.SenderName, SenderEmail = s.SenderEmail, StaffRecipients = string.Join("\n", s.StaffRecipients),
            ReminderOffsets = ReminderOffsets.Format(s.ReminderOffsetsMinutes),
            MessagesOn = NotificationKind.Switchable.Except(s.MessagesOff).ToList(),
            ExpirePendingAfterHours = s.ExpirePendingAfterHours, MaxSendAttempts = s.MaxSendAttempts,
            EraseClientsAfterMonths = s.EraseClientsAfterMonths?.ToString(CultureInfo.InvariantCulture),
            Days = Week.Select(d => hours.Where(h => h.Weekday == d).ToList()).Select(day => new DayHoursForm
            {
                Opens = day.Select(h => (string?)Time(h.Opens)).ToList(),
                Closes = day.Select(h => (string?)Time(h.Closes)).ToList(),
            }).ToList(),
        };
    }

    /// <summary>What data annotations cannot say: a real zone, a slot grid that tiles the day, sane intervals.</summary>
    public static IReadOnlyList<FieldError> Check(SettingsForm form)
    {
        var errors = new List<FieldError>();
        foreach (var (field, text) in new[] { (nameof(form.Name), form.Name), (nameof(form.Address), form.Address), (nameof(form.Phone), form.Phone),
                     (nameof(form.Email), form.Email), (nameof(form.DepositPolicy), form.DepositPolicy),
                     (nameof(form.SenderName), form.SenderName), (nameof(form.SenderEmail), form.SenderEmail),
                     (nameof(form.StaffRecipients), form.StaffRecipients), (nameof(form.ReminderOffsets), form.ReminderOffsets),
                     (nameof(form.EraseClientsAfterMonths), form.EraseClientsAfterMonths) })
            if (HasNul(text)) errors.Add(new(field, NulMessage));
        if (form.SenderEmail?.Trim() is { Length: > 0 } sender && !HasNul(sender) && !IsMailbox(sender))
            errors.Add(new(nameof(form.SenderEmail), "Enter a valid email address."));
        if (!HasNul(form.StaffRecipients) && RecipientsError(form.StaffRecipients) is { } recipients) errors.Add(recipients);
        if (ReminderOffsets.Parse(form.ReminderOffsets).Error is { } offsets) errors.Add(new(nameof(form.ReminderOffsets), offsets));
        if (!HasNul(form.EraseClientsAfterMonths) && !TryRetention(form.EraseClientsAfterMonths, out _))
            errors.Add(new(nameof(form.EraseClientsAfterMonths), RetentionMessage));
        if (!string.IsNullOrEmpty(form.TimeZone) && !(TimeZoneInfo.TryFindSystemTimeZoneById(form.TimeZone, out var zone) && zone.HasIanaId))
            errors.Add(new(nameof(form.TimeZone), "Choose a time zone from the list."));
        if (form.SlotStepMinutes is >= 5 and <= 240 && 1440 % form.SlotStepMinutes != 0)
            errors.Add(new(nameof(form.SlotStepMinutes), "The slot step must divide a day evenly (for example 5, 10, 15, 20, 30 or 60 minutes)."));
        for (var i = 0; i < Week.Count; i++)
            if (DayError(i < form.Days.Count ? form.Days[i] : null) is { } message)
                errors.Add(new(DayKey(i), message));
        return errors;
    }

    public const string RetentionMessage = "Enter a number of months between 1 and 240, or leave it blank.";

    /// <summary>The retention as typed: blank is off (no months); anything else must be a whole number from 1 to 240.</summary>
    public static bool TryRetention(string? text, out int? months)
    {
        months = null;
        if (string.IsNullOrWhiteSpace(text)) return true;
        if (!int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var typed) || typed is < 1 or > 240) return false;
        months = typed;
        return true;
    }

    public const int MaxStaffRecipients = 20;

    /// <summary>The addresses of the staff recipients box: one a line, blank lines skipped, each once whatever its case.</summary>
    public static List<string> Recipients(string? text) =>
        (text ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .DistinctBy(r => r.ToLowerInvariant()).ToList();

    private static FieldError? RecipientsError(string? text)
    {
        var recipients = Recipients(text);
        if (recipients.Count > MaxStaffRecipients)
            return new(nameof(SettingsForm.StaffRecipients), "Enter at most 20 addresses.");
        var wrong = recipients.FindIndex(r => !IsMailbox(r));
        return wrong < 0 ? null : new(nameof(SettingsForm.StaffRecipients), "“{0}” is not a valid email address.", recipients[wrong]);
    }

    /// <summary>
    /// An address the mail library takes as it is: the sender builds every message with MimeKit, so an address it
    /// would read differently (or not at all) is refused here rather than failing each send.
    /// </summary>
    private static bool IsMailbox(string address) =>
        address.Length <= 254 && !address.Any(char.IsWhiteSpace)
        && new System.ComponentModel.DataAnnotations.EmailAddressAttribute().IsValid(address)
        && MimeKit.MailboxAddress.TryParse(address, out var mailbox) && string.IsNullOrEmpty(mailbox.Name) && mailbox.Address == address;

    /// <summary>PostgreSQL text cannot hold a NUL character; refused as input rather than failing the save.</summary>
    public static bool HasNul(string? text) => text?.Contains('\0') == true;

    public const string NulMessage = "Remove the invisible control characters from this field.";

    /// <summary>The model-state key of a weekday's intervals (index Monday = 0).</summary>
    public static string DayKey(int index) => $"Days[{index}]";

    private static string? DayError(DayHoursForm? day)
    {
        if (day is null) return null;
        var intervals = new List<(TimeOnly Opens, TimeOnly Closes)>();
        for (var j = 0; j < Math.Max(day.Opens.Count, day.Closes.Count); j++)
        {
            var (opens, closes) = (day.Opens.ElementAtOrDefault(j), day.Closes.ElementAtOrDefault(j));
            if (string.IsNullOrWhiteSpace(opens) && string.IsNullOrWhiteSpace(closes)) continue;
            if (string.IsNullOrWhiteSpace(opens) || string.IsNullOrWhiteSpace(closes)) return "Enter both an opening and a closing time.";
            if (ParseTime(opens) is not { } o || ParseTime(closes) is not { } c) return "Enter times as hours and minutes, for example 09:30.";
            // 00:00 as a closing time is refused rather than guessed (see WeeklyHours).
            if (!WeeklyHours.IsInterval(o, c)) return "Each interval must open before it closes, on the same day (closing at midnight is not possible; use 23:59).";
            intervals.Add((o, c));
        }
        var sorted = intervals.OrderBy(x => x.Opens).ToList();
        for (var j = 1; j < sorted.Count; j++)
            if (sorted[j].Opens < sorted[j - 1].Closes) return "The intervals of a day must not overlap.";
        return null;
    }

    /// <summary>Saves settings and business hours together, over the settings version the admin saw.</summary>
    /// <remarks>Call only with a form that passed validation.</remarks>
    public Task<Outcome> SaveAsync(SettingsForm form, CancellationToken ct) => writes.RunAsync(async write =>
    {
        var s = await db.Settings.SingleAsync(ct);
        if (s.Version != form.Version) return new Outcome.Stale();
        s.Name = form.Name.Trim();
        s.Address = form.Address?.Trim() ?? "";
        s.Phone = form.Phone?.Trim() ?? "";
        s.Email = form.Email?.Trim() ?? "";
        s.TimeZone = form.TimeZone;
        s.Currency = form.Currency;
        s.SlotStepMinutes = form.SlotStepMinutes;
        s.MinimumNoticeMinutes = form.MinimumNoticeMinutes;
        s.HorizonDays = form.HorizonDays;
        s.CancelCutoffHours = form.CancelCutoffHours;
        s.RescheduleCutoffHours = form.RescheduleCutoffHours;
        s.AutoConfirm = form.AutoConfirm;
        s.DepositPolicy = form.DepositPolicy?.Trim() ?? "";
        s.SenderName = form.SenderName?.Trim() ?? "";
        s.SenderEmail = form.SenderEmail?.Trim() ?? "";
        s.StaffRecipients = Recipients(form.StaffRecipients);
        s.ReminderOffsetsMinutes = [.. ReminderOffsets.Parse(form.ReminderOffsets).Minutes];
        s.MessagesOff = NotificationKind.Switchable.Except(form.MessagesOn).ToList();
        s.ExpirePendingAfterHours = form.ExpirePendingAfterHours;
        s.MaxSendAttempts = form.MaxSendAttempts;
        s.EraseClientsAfterMonths = TryRetention(form.EraseClientsAfterMonths, out var months) ? months : null;
        // The row is always written, so its version guards the business hours too, even when no setting changed.
        write.Expect(s, form.Version, touch: nameof(s.Name));

        // Only the intervals that really changed are deleted or added, so the audit shows what the admin did.
        var wanted = Week.SelectMany((d, i) => Intervals(i < form.Days.Count ? form.Days[i] : null).Select(x => (Weekday: d, x.Opens, x.Closes))).ToHashSet();
        var current = await db.BusinessHours.ToListAsync(ct);
        db.BusinessHours.RemoveRange(current.Where(h => !wanted.Contains((h.Weekday, h.Opens, h.Closes))));
        var kept = current.Select(h => (h.Weekday, h.Opens, h.Closes)).ToHashSet();
        db.BusinessHours.AddRange(wanted.Where(w => !kept.Contains(w))
            .Select(w => new BusinessHours { Weekday = w.Weekday, Opens = w.Opens, Closes = w.Closes }));
        return Outcome.Ok;
    }, ct);

    public Task<Outcome> AddClosureAsync(ClosureForm form, CancellationToken ct) => writes.RunAsync(_ =>
    {
        db.Closures.Add(new Closure { FirstDay = form.FirstDay!.Value, LastDay = form.LastDay!.Value, Reason = form.Reason?.Trim() ?? "" });
        return Outcome.Ok;
    }, ct);

    public Task<Outcome> DeleteClosureAsync(int id, CancellationToken ct) => writes.RunAsync(async _ =>
    {
        if (await db.Closures.FindAsync([id], ct) is not { } closure) return Outcome.Missing;
        db.Closures.Remove(closure);
        return Outcome.Ok;
    }, ct);

    private static IEnumerable<(TimeOnly Opens, TimeOnly Closes)> Intervals(DayHoursForm? day) =>
        day is null ? [] : day.Opens.Zip(day.Closes)
            .Select(x => (ParseTime(x.First), ParseTime(x.Second)))
            .Where(x => x.Item1 is not null && x.Item2 is not null)
            .Select(x => (x.Item1!.Value, x.Item2!.Value));

    private static TimeOnly? ParseTime(string? text) =>
        TimeOnly.TryParseExact(text?.Trim(), ["HH:mm", "HH:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var t) ? t : null;

    private static string Time(TimeOnly t) => t.ToString("HH:mm", CultureInfo.InvariantCulture);
}
