using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using PhotoStudio.Data;
using PhotoStudio.Features.Account;
using PhotoStudio.Infrastructure;
using PhotoStudio.Infrastructure.Audit;
using PhotoStudio.Infrastructure.Writes;

using PhotoStudio.Features.Admin.Access;

namespace PhotoStudio.Features.Admin.Employees;

/// <summary>A new employee's row (its id is read once it is saved) and the set-up token, when one was asked for.</summary>
public sealed record NewEmployee(Employee Row, string? SetupToken)
{
    public int Id => Row.Id;
}

/// <summary>Live bookings fall in the time off asked for: it is added only once the admin confirms.</summary>
public sealed record TimeOffConflicts(IReadOnlyList<UpcomingBooking> Bookings)
    : Text("These bookings fall in the time off. Add it anyway and reassign them afterwards?");

/// <summary>
/// Staff accounts and profiles: the Identity user (email, roles, password, lockout) and the employee row (name,
/// hours, time off) change together, in one transaction, audited by the interceptor.
/// </summary>
public class EmployeeDirectory(StudioDb db, UserManager<StudioUser> users, TimeProvider clock, AuditLog audit, RoleMatrix matrix, StudioWrites writes)
{
    public async Task<EmployeeList> ListAsync(TableState state, CancellationToken ct)
    {
        var query = db.Employees.AsNoTracking();
        if (state.Q is { } q)
        {
            var pattern = Like.Containing(q);
            query = query.Where(e => EF.Functions.ILike(e.FullName, pattern) || EF.Functions.ILike(e.User!.Email!, pattern));
        }
        if (state["role"] is { } role)
            query = query.Where(e => db.UserRoles.Any(ur => ur.UserId == e.UserId && db.Roles.Any(r => r.Id == ur.RoleId && r.Name == role)));
        query = state["active"] switch
        {
            "no" => query.Where(e => !e.IsActive),
            "all" => query,
            _ => query.Where(e => e.IsActive),
        };
        var rows = await query
            .SortBy(state, e => e.Id, ("name", e => e.FullName), ("email", e => e.User!.Email), ("position", e => e.Position))
            .Select(e => new EmployeeRow(e.Id, e.FullName, e.User!.Email ?? "", e.Position,
                db.UserRoles.Where(ur => ur.UserId == e.UserId).Join(db.Roles, ur => ur.RoleId, r => r.Id, (ur, r) => r.Name!).OrderBy(n => n).ToList(),
                e.User.TwoFactorEnabled, e.IsActive))
            .PageAsync(state, ct);
        return new EmployeeList(state, rows, await RoleNamesAsync(ct));
    }

    public async Task<IReadOnlyList<string>> RoleNamesAsync(CancellationToken ct) =>
        await db.Roles.AsNoTracking().OrderBy(r => r.Name).Select(r => r.Name!).ToListAsync(ct);

    public async Task<EmployeePage?> PageAsync(int id, string? setupLink, CancellationToken ct)
    {
        var e = await db.Employees.AsNoTracking().Where(x => x.Id == id).Select(x => new
        {
            x.Id, x.FullName, x.User!.Email, x.Phone, x.Position, x.Color, x.Version, x.IsActive, x.User.TwoFactorEnabled, x.User.LockoutEnd,
            Roles = db.UserRoles.Where(ur => ur.UserId == x.UserId).Join(db.Roles, ur => ur.RoleId, r => r.Id, (ur, r) => r.Name!).ToList(),
        }).FirstOrDefaultAsync(ct);
        if (e is null) return null;
        var form = new EmployeeForm
        {
            FullName = e.FullName, Email = e.Email ?? "", Phone = e.Phone, Position = e.Position, Color = e.Color,
            Roles = [.. e.Roles], Version = e.Version,
        };
        return new EmployeePage(e.Id, form, await RoleNamesAsync(ct), e.TwoFactorEnabled, e.IsActive,
            e.LockoutEnd > clock.GetUtcNow(), await UpcomingAsync(id, null, null, ct), setupLink);
    }

    /// <summary>Live bookings of this photographer from now on (or overlapping a period), for reassignment.</summary>
    public async Task<IReadOnlyList<UpcomingBooking>> UpcomingAsync(int id, DateTime? from, DateTime? until, CancellationToken ct)
    {
        var zone = await ZoneAsync(ct);
        var start = from ?? clock.GetUtcNow().UtcDateTime;
        var query = db.Bookings.AsNoTracking()
            .Where(b => b.PhotographerId == id && Data.Booking.LiveStatuses.Contains(b.Status) && b.EndsAt > start);
        if (until is { } end) query = query.Where(b => b.StartsAt < end);
        var rows = await query.OrderBy(b => b.StartsAt).Take(200)
            .Select(b => new { b.Id, b.Code, b.StartsAt, Client = b.Client!.Name, Service = b.Service!.Name, b.Status }).ToListAsync(ct);
        return rows.Select(b => new UpcomingBooking(b.Id, b.Code, TimeZoneInfo.ConvertTimeFromUtc(b.StartsAt, zone), b.Client, b.Service, b.Status)).ToList();
    }

    /// <summary>Creates the account and the profile together; the set-up token (when asked for) is returned once and never stored.</summary>
    public Task<Outcome> CreateAsync(EmployeeForm form, CancellationToken ct) => writes.RunAsync(async write =>
    {
        var email = form.Email.Trim();
        var byLink = form.Access != "password";
        if (!byLink && string.IsNullOrEmpty(form.InitialPassword))
            return Outcome.Field(nameof(form.InitialPassword), "Please enter an initial password, or send a set-up link instead.");
        if (await RolesInvalidAsync(form.Roles, ct) is { } roleError) return roleError;

        var user = new StudioUser { UserName = email, Email = email, EmailConfirmed = true, MustChangePassword = !byLink };
        EmailTaken(write);
        var created = byLink ? await users.CreateAsync(user) : await users.CreateAsync(user, form.InitialPassword!);
        if (!created.Succeeded) return Invalid(created, byLink);
        var roles = await users.AddToRolesAsync(user, form.Roles);
        if (!roles.Succeeded) return Invalid(roles, byLink);
        var employee = new Employee
        {
            UserId = user.Id, FullName = form.FullName.Trim(), Phone = form.Phone?.Trim() ?? "", Position = form.Position?.Trim() ?? "",
            Color = form.Color,
        };
        db.Employees.Add(employee);
        return Outcome.With(new NewEmployee(employee, byLink ? await SetupTokenAsync(user) : null));
    }, ct);

    public Task<Outcome> UpdateAsync(int id, EmployeeForm form, string actingUserId, CancellationToken ct) => writes.RunAsync(async write =>
    {
        var employee = await db.Employees.Include(e => e.User).FirstOrDefaultAsync(e => e.Id == id, ct);
        if (employee?.User is not { } user) return Outcome.Missing;
        if (employee.Version != form.Version) return new Outcome.Stale();
        if (await RolesInvalidAsync(form.Roles, ct) is { } roleError) return roleError;
        var current = await users.GetRolesAsync(user);
        if (user.Id == actingUserId && current.Contains(Account.Roles.Admin) && !form.Roles.Contains(Account.Roles.Admin))
            return Outcome.Field(nameof(form.Roles), "You cannot take the Admin role from yourself.");

        EmailTaken(write);
        var email = form.Email.Trim();
        if (!string.Equals(user.Email, email, StringComparison.OrdinalIgnoreCase) || user.Email != email)
        {
            user.Email = email;
            user.UserName = email;
            var renamed = await users.UpdateAsync(user);
            if (!renamed.Succeeded) return Invalid(renamed, true);
        }
        var removed = await users.RemoveFromRolesAsync(user, current.Except(form.Roles));
        var added = await users.AddToRolesAsync(user, form.Roles.Except(current));
        if (!removed.Succeeded || !added.Succeeded) return Invalid(removed.Succeeded ? added : removed, true);

        employee.FullName = form.FullName.Trim();
        employee.Phone = form.Phone?.Trim() ?? "";
        employee.Position = form.Position?.Trim() ?? "";
        employee.Color = form.Color;
        // Save the employee row even when only the account changed, so its version moves on for the next editor.
        write.Expect(employee, form.Version, touch: nameof(employee.FullName));
        return Outcome.Ok;
    }, ct);

    /// <summary>
    /// A deactivated employee cannot sign in (locked out for good, sessions ended by a new security stamp) and is no
    /// longer offered to clients; their bookings stay, listed on their page for reassignment.
    /// </summary>
    public Task<Outcome> SetActiveAsync(int id, uint version, bool active, string actingUserId, CancellationToken ct) => writes.RunAsync(async write =>
    {
        var employee = await db.Employees.Include(e => e.User).FirstOrDefaultAsync(e => e.Id == id, ct);
        if (employee?.User is not { } user) return Outcome.Missing;
        if (employee.Version != version) return new Outcome.Stale();
        if (!active && user.Id == actingUserId) return Outcome.Because("You cannot deactivate your own account.");

        employee.IsActive = active;
        write.Expect(employee, version);
        // The employee row first, so someone else's save of it is found before the account is touched.
        await db.SaveChangesAsync(ct);
        await users.SetLockoutEndDateAsync(user, active ? null : DateTimeOffset.MaxValue);
        await users.UpdateSecurityStampAsync(user);
        write.AfterCommit(() => audit.RecordAsync(active ? "employee.reactivated" : "employee.deactivated", user.Id, user.Email));
        return Outcome.Ok;
    }, ct);

    /// <summary>A one-time set-up token (Identity's password-reset token): valid a day, spent when the password is set.</summary>
    public Task<string> SetupTokenAsync(StudioUser user) => users.GeneratePasswordResetTokenAsync(user);

    public async Task<StudioUser?> UserAsync(int id, CancellationToken ct) =>
        await db.Employees.Where(e => e.Id == id).Select(e => e.User).FirstOrDefaultAsync(ct);

    // ------------------------------------------------------------------ who may change whom

    /// <summary>
    /// The roles the acting user may give or take away, and whether they may change this employee at all (null: a
    /// new one): only when every role the employee holds is one they could grant.
    /// </summary>
    public async Task<EmployeeGrant> GrantAsync(string actingUserId, int? id, CancellationToken ct)
    {
        var grantable = await matrix.GrantableByAsync(actingUserId, ct);
        var held = id is null ? [] : await db.Employees.Where(e => e.Id == id)
            .SelectMany(e => db.UserRoles.Where(ur => ur.UserId == e.UserId))
            .Join(db.Roles, ur => ur.RoleId, r => r.Id, (ur, r) => r.Name!).ToListAsync(ct);
        return new EmployeeGrant(grantable, held.All(grantable.Contains));
    }

    /// <summary>For pages: whether this signed-in user may change the employee, which also takes employees.manage.</summary>
    public async Task<EmployeeGrant> GrantAsync(ClaimsPrincipal user, int? id, CancellationToken ct)
    {
        var grant = await GrantAsync(user.FindFirstValue(ClaimTypes.NameIdentifier) ?? "", id, ct);
        return grant with { MayChange = grant.MayChange && user.HasClaim(Permissions.ClaimType, Permissions.EmployeesManage) };
    }

    /// <summary>
    /// True, and audited, when the acting user may not change this employee or give them one of these roles (see
    /// <see cref="GrantAsync(string, int?, CancellationToken)"/>). Names that are no role at all are left to the form's validation.
    /// </summary>
    public async Task<bool> RefusesAsync(string actingUserId, int? id, IReadOnlyCollection<string> roles, string action, CancellationToken ct)
    {
        var grant = await GrantAsync(actingUserId, id, ct);
        var known = await RoleNamesAsync(ct);
        if (grant.MayChange && roles.All(r => grant.Roles.Contains(r) || !known.Contains(r))) return false;
        var user = id is null ? null : await UserAsync(id.Value, ct);
        await audit.RecordAsync("employee.change_refused", user?.Id, user?.Email, new Dictionary<string, object?[]>
        {
            ["action"] = [null, action],
            ["roles"] = [null, string.Join(", ", roles.Where(r => known.Contains(r) && !grant.Roles.Contains(r)).Distinct())],
        }, ct);
        return true;
    }

    // ------------------------------------------------------------------ working hours

    public async Task<HoursPage?> HoursAsync(int id, CancellationToken ct)
    {
        var e = await db.Employees.AsNoTracking().Where(x => x.Id == id)
            .Select(x => new { x.Id, x.FullName, x.Version, Hours = x.WorkingHours.ToList() }).FirstOrDefaultAsync(ct);
        if (e is null) return null;
        var rows = Week.SelectMany(day =>
        {
            var existing = e.Hours.Where(h => h.Weekday == day).OrderBy(h => h.Starts)
                .Select(h => new HoursRow { Day = day, Starts = Time(h.Starts), Ends = Time(h.Ends) }).ToList();
            // Room for one more interval per day without JavaScript.
            return existing.Append(new HoursRow { Day = day });
        }).ToList();
        return new HoursPage(e.Id, e.FullName, e.Version, rows, []);
    }

    /// <summary>The posted hours, each interval checked: start before end, inside the day, no overlaps on a day.</summary>
    public async Task<HoursPage?> CheckedHoursAsync(int id, uint version, IReadOnlyList<HoursRow> posted, CancellationToken ct)
    {
        var name = await db.Employees.Where(e => e.Id == id).Select(e => e.FullName).FirstOrDefaultAsync(ct);
        if (name is null) return null;
        var checkedRows = posted.Where(r => Week.Contains(r.Day)).Select(Check).ToList();
        foreach (var day in checkedRows.Where(r => r.Error is null && !r.IsBlank).GroupBy(r => r.Day))
        {
            var sorted = day.OrderBy(r => TimeOnly.Parse(r.Starts!, CultureInfo.InvariantCulture)).ToList();
            for (var i = 1; i < sorted.Count; i++)
                if (End(sorted[i - 1]) > TimeOnly.Parse(sorted[i].Starts!, CultureInfo.InvariantCulture).ToTimeSpan())
                {
                    var index = checkedRows.IndexOf(sorted[i]);
                    checkedRows[index] = sorted[i] with { Error = "Intervals on the same day must not overlap." };
                }
        }
        return new HoursPage(id, name, version, OrderByWeek(checkedRows), []);
    }

    /// <summary>Replaces the weekly hours with those of a page <see cref="CheckedHoursAsync"/> found valid.</summary>
    public Task<Outcome> SaveHoursAsync(HoursPage page, CancellationToken ct) => writes.RunAsync(async write =>
    {
        var employee = await db.Employees.Include(e => e.WorkingHours).FirstOrDefaultAsync(e => e.Id == page.Id, ct);
        if (employee is null) return Outcome.Missing;
        if (employee.Version != page.Version) return new Outcome.Stale();
        db.WorkingHours.RemoveRange(employee.WorkingHours);
        foreach (var row in page.Rows.Where(r => !r.IsBlank))
            db.WorkingHours.Add(new WorkingHours
            {
                EmployeeId = page.Id, Weekday = row.Day,
                Starts = TimeOnly.Parse(row.Starts!, CultureInfo.InvariantCulture), Ends = TimeOnly.Parse(row.Ends!, CultureInfo.InvariantCulture),
            });
        // The hours belong to the employee: saving them moves the employee's version on, so two editors cannot both win.
        write.Expect(employee, page.Version, touch: nameof(employee.FullName));
        return Outcome.Ok;
    }, ct);

    private static readonly DayOfWeek[] Week =
        [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday, DayOfWeek.Saturday, DayOfWeek.Sunday];

    private static List<HoursRow> OrderByWeek(IEnumerable<HoursRow> rows) =>
        rows.OrderBy(r => Array.IndexOf(Week, r.Day)).ToList();

    private static HoursRow Check(HoursRow row)
    {
        row = row with { Starts = row.Starts?.Trim(), Ends = row.Ends?.Trim(), Error = null };
        if (row.IsBlank) return row;
        if (!TryTime(row.Starts, out var starts) || !TryTime(row.Ends, out var ends))
            return row with { Error = "Enter both times as hh:mm." };
        if (!WeeklyHours.IsInterval(starts, ends))
            return row with { Error = "The end must be after the start, on the same day (ending at midnight is not possible; use 23:59)." };
        return row;
    }

    private static TimeSpan End(HoursRow row) => TimeOnly.Parse(row.Ends!, CultureInfo.InvariantCulture).ToTimeSpan();

    private static bool TryTime(string? text, out TimeOnly time) =>
        TimeOnly.TryParseExact(text, ["HH:mm", "H:mm", "HH:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.None, out time);

    private static string Time(TimeOnly time) => time.ToString("HH:mm", CultureInfo.InvariantCulture);

    // ------------------------------------------------------------------ time off

    public async Task<TimeOffPage?> TimeOffAsync(int id, TimeOffForm? form, IReadOnlyList<UpcomingBooking>? conflicts, CancellationToken ct)
    {
        var zone = await ZoneAsync(ct);
        var name = await db.Employees.Where(e => e.Id == id).Select(e => e.FullName).FirstOrDefaultAsync(ct);
        if (name is null) return null;
        var since = clock.GetUtcNow().UtcDateTime.AddDays(-30);
        var entries = await db.TimeOff.AsNoTracking().Where(t => t.EmployeeId == id && t.EndsAt > since).OrderBy(t => t.StartsAt)
            .Select(t => new { t.Id, t.StartsAt, t.EndsAt, t.Reason }).ToListAsync(ct);
        return new TimeOffPage(id, name,
            entries.Select(t => new TimeOffLine(t.Id, TimeZoneInfo.ConvertTimeFromUtc(t.StartsAt, zone), TimeZoneInfo.ConvertTimeFromUtc(t.EndsAt, zone), t.Reason)).ToList(),
            form ?? new TimeOffForm(), conflicts ?? [], zone.Id);
    }

    /// <summary>
    /// Adds time off. When live bookings fall in it and the admin has not confirmed yet, it is refused with
    /// <see cref="TimeOffConflicts"/>; once added, the outcome carries the bookings to reassign.
    /// </summary>
    public Task<Outcome> AddTimeOffAsync(int id, TimeOffForm form, CancellationToken ct) => writes.RunAsync(async write =>
    {
        var zone = await ZoneAsync(ct);
        var errors = new List<FieldError>();
        DateTime? from = LocalToUtc(form.From, zone), until = LocalToUtc(form.Until, zone);
        if (from is null) errors.Add(new(nameof(form.From), "Please enter a valid date and time."));
        if (until is null) errors.Add(new(nameof(form.Until), "Please enter a valid date and time."));
        if (from is not null && until is not null && until <= from) errors.Add(new(nameof(form.Until), "The end must be after the start."));
        if (errors.Count > 0) return new Outcome.Invalid(errors);

        var conflicts = await UpcomingAsync(id, from, until, ct);
        if (conflicts.Count > 0 && !form.Confirm) return new Outcome.Refused(new TimeOffConflicts(conflicts));
        db.TimeOff.Add(new TimeOff { EmployeeId = id, StartsAt = from!.Value, EndsAt = until!.Value, Reason = form.Reason?.Trim() ?? "" });
        return Outcome.With(conflicts);
    }, ct);

    public Task<Outcome> DeleteTimeOffAsync(int id, int timeOffId, CancellationToken ct) => writes.RunAsync(async _ =>
    {
        var entry = await db.TimeOff.FirstOrDefaultAsync(t => t.Id == timeOffId && t.EmployeeId == id, ct);
        if (entry is null) return Outcome.Missing;
        db.TimeOff.Remove(entry);
        return Outcome.Ok;
    }, ct);

    private static DateTime? LocalToUtc(string? local, TimeZoneInfo zone)
    {
        if (!DateTime.TryParseExact(local, ["yyyy-MM-ddTHH:mm", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-dd HH:mm"], CultureInfo.InvariantCulture,
                DateTimeStyles.None, out var time) || !SaneDates.Contains(time)) return null;
        // A wall-clock time skipped by a DST change does not exist; the next valid minute is meant.
        while (zone.IsInvalidTime(time)) time = time.AddMinutes(30);
        return TimeZoneInfo.ConvertTimeToUtc(time, zone);
    }

    // ------------------------------------------------------------------ helpers

    private async Task<Outcome.Invalid?> RolesInvalidAsync(string[] roles, CancellationToken ct)
    {
        var known = await RoleNamesAsync(ct);
        if (roles.Length == 0) return Outcome.Field(nameof(EmployeeForm.Roles), "Choose at least one role.");
        return roles.All(known.Contains) ? null : Outcome.Field(nameof(EmployeeForm.Roles), "Choose roles from the list.");
    }

    private const string EmailInUse = "Another account already uses this email address.";

    /// <summary>Another account saved with the same address between Identity's check and this save.</summary>
    private static void EmailTaken(WriteScope write) =>
        write.OnViolation("ix_users_normalized_user_name", Outcome.Field(nameof(EmployeeForm.Email), EmailInUse));

    private static Outcome.Invalid Invalid(IdentityResult result, bool byLink) =>
        new(result.Errors.Select(e => new FieldError(e.Code switch
        {
            "DuplicateEmail" or "DuplicateUserName" or "InvalidEmail" or "InvalidUserName" => nameof(EmployeeForm.Email),
            _ when e.Code.StartsWith("Password", StringComparison.Ordinal) && !byLink => nameof(EmployeeForm.InitialPassword),
            _ => "",
        }, e.Code is "DuplicateEmail" or "DuplicateUserName" ? EmailInUse : e.Description)).DistinctBy(e => e.Field + e.Key).ToList());

    private async Task<TimeZoneInfo> ZoneAsync(CancellationToken ct) =>
        TimeZoneInfo.FindSystemTimeZoneById(await db.Settings.AsNoTracking().OrderBy(s => s.Id).Select(s => s.TimeZone).FirstAsync(ct));
}
