namespace PhotoStudio.Features.Account;

/// <summary>
/// Permissions are the unit of access: every endpoint asks for one of these by policy name, and a role
/// is a set of them stored as role claims of type <see cref="ClaimType"/>.
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

    public static readonly IReadOnlyList<string> All =
    [
        BookingsViewAll, BookingsViewOwn, BookingsManage, BookingsMove,
        ClientsView, ClientsManage, ClientsExport, ClientsErase,
        EmployeesView, EmployeesManage, CatalogueManage, SettingsManage,
        ReportsView, AuditView, RolesManage,
    ];
}

/// <summary>The four built-in roles and the permission matrix of DESIGN.md they start with.</summary>
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
            Permissions.EmployeesView, Permissions.CatalogueManage, Permissions.ReportsView,
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
