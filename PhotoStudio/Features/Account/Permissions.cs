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
    public const string ClientsView = "clients.view";
    public const string ClientsManage = "clients.manage";
    public const string ClientsExport = "clients.export";
    public const string ClientsErase = "clients.erase";
    public const string EmployeesView = "employees.view";
    public const string EmployeesManage = "employees.manage";
    public const string CatalogueManage = "catalogue.manage";
    public const string SettingsManage = "settings.manage";
    public const string ReportsView = "reports.view";
    public const string AuditView = "audit.view";
    public const string RolesManage = "roles.manage";
    public const string NotificationsManage = "notifications.manage";
    public const string IntegrationsManage = "integrations.manage";

    public static readonly IReadOnlyList<string> All =
    [
        BookingsViewAll, BookingsViewOwn, BookingsManage, BookingsMove,
        ClientsView, ClientsManage, ClientsExport, ClientsErase,
        EmployeesView, EmployeesManage, CatalogueManage, SettingsManage,
        ReportsView, AuditView, RolesManage, NotificationsManage, IntegrationsManage,
    ];
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
            Permissions.ClientsView, Permissions.ClientsManage, Permissions.ClientsExport, Permissions.ClientsErase,
            Permissions.EmployeesView, Permissions.CatalogueManage, Permissions.ReportsView, Permissions.NotificationsManage,
        ],
        [Receptionist] =
        [
            Permissions.BookingsViewAll, Permissions.BookingsViewOwn, Permissions.BookingsManage, Permissions.BookingsMove,
            Permissions.ClientsView, Permissions.ClientsManage,
        ],
        [Photographer] = [Permissions.BookingsViewOwn, Permissions.BookingsMove],
    };

    /// <summary>Roles whose members must use two-factor sign-in unless an admin changes it.</summary>
    public static readonly IReadOnlySet<string> RequireTwoFactorByDefault = new HashSet<string> { Admin, Manager };
}
