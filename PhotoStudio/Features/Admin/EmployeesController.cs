using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using PhotoStudio.Features.Account;
using PhotoStudio.Features.Shared;
using PhotoStudio.Infrastructure;

namespace PhotoStudio.Features.Admin;

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
        var result = ModelState.IsValid ? await directory.CreateAsync(form, ct) : null;
        if (result is EmployeeResult.Saved saved)
        {
            if (saved.SetupToken is { } token)
                TempData[SetupLinkKey] = SetupLink(saved.Id, token, await directory.UserAsync(saved.Id, ct));
            Flash.Success(TempData, T["{0} was added.", form.FullName.Trim()]);
            return this.GoTo($"/admin/employees/{saved.Id}");
        }
        AddErrors(result);
        Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        return View("Employee", new EmployeePage(null, form with { InitialPassword = null }, await directory.RoleNamesAsync(ct), false, true, false, [], null));
    }

    [HttpGet("{id:int}")]
    public async Task<IActionResult> Show(int id, CancellationToken ct) =>
        await directory.PageAsync(id, TempData[SetupLinkKey] as string, ct) is { } page ? View("Employee", page) : NotFound();

    [HttpPost("{id:int}"), Authorize(Policy = Permissions.EmployeesManage), WithinOwnGrant]
    public async Task<IActionResult> Save(int id, EmployeeForm form, CancellationToken ct)
    {
        ModelState.Remove(nameof(form.InitialPassword));
        form = Cleaned(form);
        var result = ModelState.IsValid ? await directory.UpdateAsync(id, form, UserId, ct) : null;
        switch (result)
        {
            case EmployeeResult.NotFound: return NotFound();
            case EmployeeResult.Saved:
                Flash.Success(TempData, T["Saved."]);
                return this.GoTo($"/admin/employees/{id}");
            case EmployeeResult.Stale:
                // Nothing was overwritten: the form now shows what the other person saved.
                Response.StatusCode = StatusCodes.Status409Conflict;
                return await ShowWithMessageAsync(id, T["Someone else saved this employee meanwhile. This is the current version; check it and save again."], ct);
        }
        AddErrors(result);
        Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        var page = await directory.PageAsync(id, null, ct);
        return page is null ? NotFound() : View("Employee", page with { Form = form with { Version = form.Version } });
    }

    [HttpPost("{id:int}/deactivate"), Authorize(Policy = Permissions.EmployeesManage), WithinOwnGrant]
    public Task<IActionResult> Deactivate(int id, uint version, CancellationToken ct) => SetActiveAsync(id, version, false, ct);

    [HttpPost("{id:int}/activate"), Authorize(Policy = Permissions.EmployeesManage), WithinOwnGrant]
    public Task<IActionResult> Activate(int id, uint version, CancellationToken ct) => SetActiveAsync(id, version, true, ct);

    private async Task<IActionResult> SetActiveAsync(int id, uint version, bool active, CancellationToken ct)
    {
        switch (await directory.SetActiveAsync(id, version, active, UserId, ct))
        {
            case EmployeeResult.NotFound: return NotFound();
            case EmployeeResult.Stale:
                Response.StatusCode = StatusCodes.Status409Conflict;
                return await ShowWithMessageAsync(id, T["Someone else saved this employee meanwhile. This is the current version; check it and save again."], ct);
            case EmployeeResult.Invalid:
                Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
                return await ShowWithMessageAsync(id, T["You cannot deactivate your own account."], ct);
        }
        Flash.Success(TempData, active ? T["The employee can sign in again."] : T["The employee was deactivated and can no longer sign in."]);
        return this.GoTo($"/admin/employees/{id}");
    }

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
        TempData[SetupLinkKey] = SetupLink(id, await directory.SetupTokenAsync(user), user);
        return this.GoTo($"/admin/employees/{id}");
    }

    // ------------------------------------------------------------------ hours

    [HttpGet("{id:int}/hours")]
    public async Task<IActionResult> Hours(int id, CancellationToken ct) =>
        await directory.HoursAsync(id, ct) is { } page ? View("Hours", page) : NotFound();

    [HttpPost("{id:int}/hours"), Authorize(Policy = Permissions.EmployeesManage), WithinOwnGrant]
    public async Task<IActionResult> SaveHours(int id, uint version, List<HoursRow>? rows, CancellationToken ct)
    {
        var (page, saved, stale) = await directory.SaveHoursAsync(id, version, rows ?? [], ct);
        if (page is null) return NotFound();
        if (saved)
        {
            Flash.Success(TempData, T["Working hours saved."]);
            return this.GoTo($"/admin/employees/{id}/hours");
        }
        if (stale)
        {
            Response.StatusCode = StatusCodes.Status409Conflict;
            var current = (await directory.HoursAsync(id, ct))!;
            return View("Hours", current with { Errors = [T["Someone else saved this employee meanwhile. This is the current version; check it and save again."]] });
        }
        Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        return View("Hours", page with { Errors = [T["Please correct the marked intervals."]] });
    }

    // ------------------------------------------------------------------ time off

    [HttpGet("{id:int}/time-off")]
    public async Task<IActionResult> TimeOff(int id, CancellationToken ct) =>
        await directory.TimeOffAsync(id, null, null, ct) is { } page ? View("TimeOff", page) : NotFound();

    [HttpPost("{id:int}/time-off"), Authorize(Policy = Permissions.EmployeesManage), WithinOwnGrant]
    public async Task<IActionResult> AddTimeOff(int id, TimeOffForm form, CancellationToken ct)
    {
        if (await directory.TimeOffAsync(id, form, null, ct) is null) return NotFound();
        if (ModelState.IsValid)
        {
            var (errors, conflicts, saved) = await directory.AddTimeOffAsync(id, form, ct);
            if (saved)
            {
                Flash.Success(TempData, conflicts.Count == 0 ? T["Time off added."] : T["Time off added. Reassign the {0} booking(s) listed on the employee's page.", conflicts.Count]);
                return this.GoTo($"/admin/employees/{id}/time-off");
            }
            foreach (var (field, message) in errors) ModelState.AddModelError(field, T[message]);
            if (conflicts.Count > 0)
                return View("TimeOff", await directory.TimeOffAsync(id, form with { Confirm = false }, conflicts, ct));
        }
        Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        return View("TimeOff", await directory.TimeOffAsync(id, form, null, ct));
    }

    [HttpPost("{id:int}/time-off/{entry:int}/delete"), Authorize(Policy = Permissions.EmployeesManage), WithinOwnGrant]
    public async Task<IActionResult> DeleteTimeOff(int id, int entry, CancellationToken ct)
    {
        if (!await directory.DeleteTimeOffAsync(id, entry, ct)) return NotFound();
        Flash.Success(TempData, T["Time off removed."]);
        return this.GoTo($"/admin/employees/{id}/time-off");
    }

    // ------------------------------------------------------------------ helpers

    /// <summary>The employee as saved now, with a message; what was posted is dropped so the fields show the current values.</summary>
    private async Task<IActionResult> ShowWithMessageAsync(int id, string message, CancellationToken ct, int? status = null)
    {
        if (status is { } s) Response.StatusCode = s;
        ModelState.Clear();
        return await directory.PageAsync(id, null, ct) is { } page ? View("Employee", page with { Message = message }) : NotFound();
    }

    private string SetupLink(int id, string token, Data.StudioUser? user) =>
        links.Absolute(Request, $"/account/setup?user={Uri.EscapeDataString(user?.Id ?? id.ToString())}&token={Uri.EscapeDataString(token)}");

    private static EmployeeForm Cleaned(EmployeeForm form) =>
        form with { Roles = form.Roles.Where(r => !string.IsNullOrWhiteSpace(r)).Distinct().ToArray() };

    private void AddErrors(EmployeeResult? result)
    {
        if (result is EmployeeResult.Invalid invalid)
            foreach (var (field, message) in invalid.Errors) ModelState.AddModelError(field, T[message]);
    }
}
