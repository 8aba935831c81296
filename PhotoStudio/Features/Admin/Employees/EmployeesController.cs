using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using PhotoStudio.Features.Account;
using PhotoStudio.Features.Shared;
using PhotoStudio.Infrastructure;
using PhotoStudio.Infrastructure.Writes;

namespace PhotoStudio.Features.Admin.Employees;

/// <summary>
/// /admin/employees: accounts and profiles, weekly hours and time off. Viewing needs employees.view, changes
/// employees.manage, and only within the roles one could grant (<see cref="WithinOwnGrantAttribute"/>).
/// </summary>
[Authorize(Policy = Permissions.EmployeesView)]
[Route("admin/employees")]
public class EmployeesController(EmployeeDirectory directory, PasswordReset reset, PublicLinks links, IStringLocalizer<SharedResource> T) : Controller
{
    private const string SetupLinkKey = "setup-link";

    private string UserId => User.FindFirstValue(ClaimTypes.NameIdentifier) ?? "";

    [HttpGet("")]
    public async Task<IActionResult> Index(CancellationToken ct)
    {
        var state = TableState.From(Request, "#employees-table", "q", "role", "active", "sort", "dir", "page");
        return this.PageOrFragment("Employees", "_EmployeesTable", await directory.ListAsync(state, ct));
    }

    [HttpGet("new"), Authorize(Policy = Permissions.EmployeesManage)]
    public async Task<IActionResult> New(CancellationToken ct) =>
        View("Employee", new EmployeePage(null, new EmployeeForm { Roles = [Roles.Photographer] }, await directory.RoleNamesAsync(ct),
            false, true, false, [], null));

    [HttpPost("new"), Authorize(Policy = Permissions.EmployeesManage), WithinOwnGrant]
    public async Task<IActionResult> Create(EmployeeForm form, CancellationToken ct)
    {
        form = Cleaned(form);
        return await this.AnswerAsync(ModelState.IsValid ? await directory.CreateAsync(form, ct) : new Outcome.Invalid(), done =>
            {
                var saved = ((Outcome.Done<NewEmployee>)done).Value;
                if (saved.SetupToken is { } token) TempData[SetupLinkKey] = SetupLink(saved.Row.UserId, token);
                Flash.Success(TempData, T["{0} was added.", form.FullName.Trim()]);
                return this.SeeOther($"/admin/employees/{saved.Id}");
            },
            form: async message => View("Employee", new EmployeePage(null, form with { InitialPassword = null }, await directory.RoleNamesAsync(ct),
                false, true, false, [], null, message)));
    }

    [HttpGet("{id:int}")]
    public async Task<IActionResult> Show(int id, CancellationToken ct) =>
        await directory.PageAsync(id, TempData[SetupLinkKey] as string, ct) is { } page ? View("Employee", page) : NotFound();

    [HttpPost("{id:int}"), Authorize(Policy = Permissions.EmployeesManage), WithinOwnGrant]
    public async Task<IActionResult> Save(int id, EmployeeForm form, CancellationToken ct)
    {
        ModelState.Remove(nameof(form.InitialPassword));
        form = Cleaned(form);
        return await AnswerAsync(id, ModelState.IsValid ? await directory.UpdateAsync(id, form, UserId, ct) : new Outcome.Invalid(), "Saved.",
            async message => await directory.PageAsync(id, null, ct) is { } page ? View("Employee", page with { Form = form, Message = message }) : NotFound(), ct);
    }

    [HttpPost("{id:int}/deactivate"), Authorize(Policy = Permissions.EmployeesManage), WithinOwnGrant]
    public async Task<IActionResult> Deactivate(int id, uint version, CancellationToken ct) =>
        await AnswerAsync(id, await directory.SetActiveAsync(id, version, false, UserId, ct), "The employee was deactivated and can no longer sign in.", null, ct);

    [HttpPost("{id:int}/activate"), Authorize(Policy = Permissions.EmployeesManage), WithinOwnGrant]
    public async Task<IActionResult> Activate(int id, uint version, CancellationToken ct) =>
        await AnswerAsync(id, await directory.SetActiveAsync(id, version, true, UserId, ct), "The employee can sign in again.", null, ct);

    [HttpPost("{id:int}/password"), Authorize(Policy = Permissions.EmployeesManage), WithinOwnGrant]
    public async Task<IActionResult> ResetPassword(int id, ResetPasswordForm form, CancellationToken ct)
    {
        if (await directory.UserAsync(id, ct) is not { } user) return NotFound();
        if (ModelState.IsValid)
        {
            var result = await reset.ResetAsync(user, form.TemporaryPassword);
            if (result.Succeeded)
            {
                Flash.Success(TempData, T["Password reset. The employee must choose a new one at the next sign-in."]);
                return this.GoTo($"/admin/employees/{id}");
            }
            return await ShowWithMessageAsync(id, string.Join(" ", result.Errors.Select(e => T[e.Description].Value)), ct, 422);
        }
        return await ShowWithMessageAsync(id, T["Please enter a temporary password."], ct, 422);
    }

    [HttpPost("{id:int}/setup-link"), Authorize(Policy = Permissions.EmployeesManage), WithinOwnGrant]
    public async Task<IActionResult> NewSetupLink(int id, CancellationToken ct)
    {
        if (await directory.UserAsync(id, ct) is not { } user) return NotFound();
        TempData[SetupLinkKey] = SetupLink(user.Id, await directory.SetupTokenAsync(user));
        return this.GoTo($"/admin/employees/{id}");
    }

    // ------------------------------------------------------------------ hours

    [HttpGet("{id:int}/hours")]
    public async Task<IActionResult> Hours(int id, CancellationToken ct) =>
        await directory.HoursAsync(id, ct) is { } page ? View("Hours", page) : NotFound();

    [HttpPost("{id:int}/hours"), Authorize(Policy = Permissions.EmployeesManage), WithinOwnGrant]
    public async Task<IActionResult> SaveHours(int id, uint version, List<HoursRow>? rows, CancellationToken ct)
    {
        if (await directory.CheckedHoursAsync(id, version, rows ?? [], ct) is not { } page) return NotFound();
        var outcome = page.Rows.Any(r => r.Error is not null) ? new Outcome.Invalid() : await directory.SaveHoursAsync(page, ct);
        return await this.AnswerAsync(outcome,
            _ =>
            {
                Flash.Success(TempData, T["Working hours saved."]);
                return this.SeeOther($"/admin/employees/{id}/hours");
            },
            form: _ => Task.FromResult<IActionResult>(View("Hours", page with { Errors = [T["Please correct the marked intervals."]] })),
            current: async message => await directory.HoursAsync(id, ct) is { } current ? View("Hours", current with { Errors = [message!] }) : NotFound(),
            stale: StaleText);
    }

    // ------------------------------------------------------------------ time off

    [HttpGet("{id:int}/time-off")]
    public async Task<IActionResult> TimeOff(int id, CancellationToken ct) =>
        await directory.TimeOffAsync(id, null, null, ct) is { } page ? View("TimeOff", page) : NotFound();

    [HttpPost("{id:int}/time-off"), Authorize(Policy = Permissions.EmployeesManage), WithinOwnGrant]
    public async Task<IActionResult> AddTimeOff(int id, TimeOffForm form, CancellationToken ct)
    {
        if (await directory.TimeOffAsync(id, form, null, ct) is null) return NotFound();
        var outcome = ModelState.IsValid ? await directory.AddTimeOffAsync(id, form, ct) : new Outcome.Invalid();
        // Not refused as such: the page lists the bookings in the way and asks the admin to confirm.
        if (outcome is Outcome.Refused { Reason: TimeOffConflicts conflicts })
            return View("TimeOff", await directory.TimeOffAsync(id, form with { Confirm = false }, conflicts.Bookings, ct));
        return await this.AnswerAsync(outcome,
            done =>
            {
                var moved = ((Outcome.Done<IReadOnlyList<UpcomingBooking>>)done).Value.Count;
                Flash.Success(TempData, moved == 0 ? T["Time off added."] : T["Time off added. Reassign the {0} booking(s) listed on the employee's page.", moved]);
                return this.SeeOther($"/admin/employees/{id}/time-off");
            },
            form: async _ => View("TimeOff", await directory.TimeOffAsync(id, form, null, ct)));
    }

    [HttpPost("{id:int}/time-off/{entry:int}/delete"), Authorize(Policy = Permissions.EmployeesManage), WithinOwnGrant]
    public async Task<IActionResult> DeleteTimeOff(int id, int entry, CancellationToken ct) =>
        await this.AnswerAsync(await directory.DeleteTimeOffAsync(id, entry, ct),
            _ =>
            {
                Flash.Success(TempData, T["Time off removed."]);
                return this.SeeOther($"/admin/employees/{id}/time-off");
            },
            form: async _ => View("TimeOff", await directory.TimeOffAsync(id, null, null, ct)));

    // ------------------------------------------------------------------ helpers

    private const string StaleText = "Someone else saved this employee meanwhile. This is the current version; check it and save again.";

    /// <summary>
    /// Done: a flash and back to the employee. Invalid: <paramref name="typed"/>, the form with what was posted.
    /// Stale or refused: the employee as saved now, with the message; what was posted is dropped.
    /// </summary>
    private Task<IActionResult> AnswerAsync(int id, Outcome outcome, string done, Func<string?, Task<IActionResult>>? typed, CancellationToken ct) =>
        this.AnswerAsync(outcome,
            _ =>
            {
                Flash.Success(TempData, T[done]);
                return this.SeeOther($"/admin/employees/{id}");
            },
            form: typed ?? (message => ShowWithMessageAsync(id, message, ct)),
            current: message => ShowWithMessageAsync(id, message, ct),
            stale: StaleText);

    /// <summary>The employee as saved now, with a message; what was posted is dropped so the fields show the current values.</summary>
    private async Task<IActionResult> ShowWithMessageAsync(int id, string? message, CancellationToken ct, int? status = null)
    {
        if (status is { } s) Response.StatusCode = s;
        ModelState.Clear();
        return await directory.PageAsync(id, null, ct) is { } page ? View("Employee", page with { Message = message }) : NotFound();
    }

    private string SetupLink(string userId, string token) =>
        links.Absolute(Request, $"/account/setup?user={Uri.EscapeDataString(userId)}&token={Uri.EscapeDataString(token)}");

    private static EmployeeForm Cleaned(EmployeeForm form) =>
        form with { Roles = form.Roles.Where(r => !string.IsNullOrWhiteSpace(r)).Distinct().ToArray() };
}
