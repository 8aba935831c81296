using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using PhotoStudio.Data;
using PhotoStudio.Features.Account;
using PhotoStudio.Infrastructure.Audit;
using PhotoStudio.Infrastructure.Writes;

namespace PhotoStudio.Features.Admin.Access;

public record RoleRow(string Id, string Name, bool RequiresTwoFactor, IReadOnlySet<string> Permissions);
public record RoleMatrixPage(IReadOnlyList<RoleRow> Roles, IReadOnlyList<string> Permissions, IReadOnlyList<string> Errors, int Changes);

/// <summary>The matrix as posted: "Role|permission" pairs that should be on (everything else is off), and the roles that should require two-factor sign-in.</summary>
public record RoleMatrixForm : IValidatableObject
{
    public string[] Grant { get; init; } = [];
    public string[] TwoFactor { get; init; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext context) =>
        Grant.Contains($"{Roles.Admin}|{Permissions.RolesManage}") ? [] : FormErrors.Said(context, [new FieldError("", RoleMatrix.RemovingAdminRolesManage)]);
}

/// <summary>Reads and saves the roles × permissions matrix; every change is audited, and Admin always keeps roles.manage.</summary>
public class RoleMatrix(StudioDb db, RoleManager<StudioRole> roles, AuditLog audit, StudioWrites writes)
{
    public async Task<RoleMatrixPage> LoadAsync(IReadOnlyList<string>? errors = null, int changes = 0, CancellationToken ct = default)
    {
        var all = await db.Roles.AsNoTracking().OrderBy(r => r.Name).ToListAsync(ct);
        var claims = await db.RoleClaims.AsNoTracking().Where(c => c.ClaimType == Permissions.ClaimType)
            .Select(c => new { c.RoleId, c.ClaimValue }).ToListAsync(ct);
        var rows = all.Select(r => new RoleRow(r.Id, r.Name!, r.RequiresTwoFactor,
            claims.Where(c => c.RoleId == r.Id).Select(c => c.ClaimValue!).ToHashSet())).ToList();
        return new RoleMatrixPage(rows, Permissions.All, errors ?? [], changes);
    }

    /// <summary>Saves a matrix that passed validation; the outcome carries how many grants and requirements changed.</summary>
    public Task<Outcome> SaveAsync(RoleMatrixForm form, CancellationToken ct = default) => writes.RunAsync(async _ =>
    {
        var changes = 0;
        foreach (var role in await roles.Roles.OrderBy(r => r.Name).ToListAsync(ct))
        {
            var current = (await roles.GetClaimsAsync(role)).Where(c => c.Type == Permissions.ClaimType).Select(c => c.Value).ToHashSet();
            var wanted = Permissions.All.Where(p => form.Grant.Contains($"{role.Name}|{p}")).ToHashSet();
            foreach (var permission in wanted.Except(current))
            {
                await roles.AddClaimAsync(role, new Claim(Permissions.ClaimType, permission));
                await audit.RecordAsync("role.permission_granted", changes: Change(role, permission, false, true), ct: ct);
                changes++;
            }
            // Only what the matrix shows is switched off: claims of permissions it does not list (yet) stay as stored.
            foreach (var permission in current.Intersect(Permissions.All).Except(wanted))
            {
                await roles.RemoveClaimAsync(role, new Claim(Permissions.ClaimType, permission));
                await audit.RecordAsync("role.permission_revoked", changes: Change(role, permission, true, false), ct: ct);
                changes++;
            }
            var requires = form.TwoFactor.Contains(role.Name!);
            if (requires != role.RequiresTwoFactor)
            {
                role.RequiresTwoFactor = requires; // audited by the interceptor as a change of the role
                await roles.UpdateAsync(role);
                changes++;
            }
        }
        return Outcome.With(changes);
    }, ct);

    /// <summary>
    /// The roles this user may give to someone or take away: every role for holders of roles.manage, otherwise the
    /// roles whose permissions they all hold themselves, so that employees.manage never leads to more than one has.
    /// Read from the database, not the sign-in cookie, so a change of the matrix counts at once.
    /// </summary>
    public async Task<IReadOnlySet<string>> GrantableByAsync(string userId, CancellationToken ct)
    {
        var all = await db.Roles.AsNoTracking()
            .Select(r => new
            {
                r.Name,
                Held = db.UserRoles.Any(ur => ur.RoleId == r.Id && ur.UserId == userId),
                Permissions = db.RoleClaims.Where(c => c.RoleId == r.Id && c.ClaimType == Permissions.ClaimType).Select(c => c.ClaimValue!).ToList(),
            }).ToListAsync(ct);
        var own = all.Where(r => r.Held).SelectMany(r => r.Permissions).ToHashSet();
        return all.Where(r => own.Contains(Permissions.RolesManage) || r.Permissions.All(own.Contains)).Select(r => r.Name!).ToHashSet();
    }

    /// <summary>The key of the refusal message; the controller localizes it.</summary>
    public const string RemovingAdminRolesManage = "The Admin role always keeps roles.manage, so nobody can lock the studio out.";

    private static Dictionary<string, object?[]> Change(StudioRole role, string permission, bool from, bool to) =>
        new() { [$"{role.Name}.{permission}"] = [from, to] };
}
