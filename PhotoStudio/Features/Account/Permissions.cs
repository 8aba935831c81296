namespace PhotoStudio.Features.Account;

/// <summary>
/// Permissions are the unit of access: every endpoint asks for one of these by policy name (or declares with
/// <see cref="ChecksPermissionAttribute"/> the ones it checks in code), and a role is a set of them stored as role
/// claims of type <see cref="ClaimType"/>. A permission that no endpoint requires is not listed in <see cref="All"/>:
/// /admin/roles would offer a switch that changes nothing.
/// </summary>
public static class Permissions
{
    public const string ClaimType = "permission";

    public const string BookingsViewAll = "bookings.view_all";
    public const string BookingsViewOwn = "bookings.view_own";
    public const string BookingsManage = "bookings.manage";
    public const string BookingsMove = "bookings.move";
    public const string ClientsExport = "clients.export";
    public const string EmployeesView = "employees.view";
    public const string EmployeesManage = "employees.manage";
    public const string CatalogueManage = "catalogue.manage";
    public const string SettingsManage = "settings.manage";
    public const string ReportsView = "reports.view";
    public const string AuditView = "audit.view";
    public const string RolesManage = "roles.manage";
    public const string NotificationsManage = "notifications.manage";

    public static readonly IReadOnlyList<string> All =
    [
        BookingsViewAll, BookingsViewOwn, BookingsManage, BookingsMove,
        ClientsExport,
        EmployeesView, EmployeesManage, CatalogueManage, SettingsManage,
        ReportsView, AuditView, RolesManage, NotificationsManage,
    ];

    // clients.view, clients.manage and clients.erase come with the client records feature (/clients), together with
    // the pages they guard. Roles of existing studios may still hold them as claims; those are kept, not deleted.
}

/// <summary>
/// Endpoint metadata for permissions an action checks in code on top of its policy (what it shows or allows
/// depends on them), so that the list of permissions each endpoint uses stays complete.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = true)]
public sealed class ChecksPermissionAttribute(string permission) : Attribute
{
    public string Permission { get; } = permission;
}

/// <summary>The four built-in roles and the permissions they start with (README, "Roles and permissions").</summary>
public static class Roles
{
    public const string Admin = "Admin";
    public const string Manager = "Manager";
    public const string Receptionist = "Receptionist";
    public const string Photographer = "Photographer";

    public static readonly IReadOnlyDictionary<string, string[]> DefaultMatrix = new Dictionary<string, string[]>
    {
        [Admin] = [.. Permissions.All],
        [Manager] =
        [
            Permissions.BookingsViewAll, Permissions.BookingsViewOwn, Permissions.BookingsManage, Permissions.BookingsMove,
            Permissions.ClientsExport,
            Permissions.EmployeesView, Permissions.CatalogueManage, Permissions.ReportsView, Permissions.NotificationsManage,
        ],
        [Receptionist] =
        [
            Permissions.BookingsViewAll, Permissions.BookingsViewOwn, Permissions.BookingsManage, Permissions.BookingsMove,
        ],
        [Photographer] = [Permissions.BookingsViewOwn, Permissions.BookingsMove],
    };

    /// <summary>Roles whose members must use two-factor sign-in unless an admin changes it.</summary>
    public static readonly IReadOnlySet<string> RequireTwoFactorByDefault = new HashSet<string> { Admin, Manager };
}
