using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;

namespace PhotoStudio.Features.Admin.Employees;

/// <summary>
/// On every action that changes an employee (route value <c>id</c>) or gives roles (an <see cref="EmployeeForm"/>
/// argument): the employee must hold, and may only get, roles the signed-in user could grant
/// (<see cref="Access.RoleMatrix.GrantableByAsync"/>). Otherwise the answer is 403, audited, before anything changes; so
/// employees.manage cannot reach an admin's account or make anyone more than its holder is.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class WithinOwnGrantAttribute : Attribute, IAsyncActionFilter
{
    public async Task OnActionExecutionAsync(ActionExecutingContext context, ActionExecutionDelegate next)
    {
        var http = context.HttpContext;
        int? id = int.TryParse(Convert.ToString(context.RouteData.Values["id"], CultureInfo.InvariantCulture), NumberStyles.None,
            CultureInfo.InvariantCulture, out var value) ? value : null;
        var roles = context.ActionArguments.Values.OfType<EmployeeForm>().FirstOrDefault()?.Roles ?? [];
        var directory = http.RequestServices.GetRequiredService<EmployeeDirectory>();
        var userId = http.User.FindFirstValue(ClaimTypes.NameIdentifier) ?? "";
        var action = (context.ActionDescriptor.RouteValues.TryGetValue("action", out var name) ? name : null) ?? "";
        if (await directory.RefusesAsync(userId, id, roles, action, http.RequestAborted))
            context.Result = new ForbidResult();
        else
            await next();
    }
}
