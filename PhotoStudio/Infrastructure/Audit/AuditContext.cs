using System.Diagnostics;
using System.Security.Claims;

namespace PhotoStudio.Infrastructure.Audit;

/// <summary>Who is acting in this scope: a staff user, the anonymous client of a public page, or the system.</summary>
public sealed class AuditContext(IHttpContextAccessor http)
{
    public const string Client = "client";
    public const string System = "system";

    public string Actor => http.HttpContext?.User.FindFirstValue(ClaimTypes.NameIdentifier)
        ?? (http.HttpContext is null ? System : Client);

    public string ActorName => http.HttpContext?.User.Identity?.Name ?? "";

    public string Ip => http.HttpContext?.Connection.RemoteIpAddress?.ToString() ?? "";

    public string TraceId => Activity.Current?.TraceId.ToString() ?? http.HttpContext?.TraceIdentifier ?? "";
}
