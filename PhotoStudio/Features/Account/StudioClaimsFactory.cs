using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using PhotoStudio.Data;

namespace PhotoStudio.Features.Account;

/// <summary>
/// The signed-in principal: Identity's claims (roles and their permissions) plus two obligations the
/// <see cref="AccountObligations"/> middleware enforces before any other page opens.
/// </summary>
public sealed class StudioClaimsFactory(
    UserManager<StudioUser> users,
    RoleManager<StudioRole> roles,
    IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<StudioUser, StudioRole>(users, roles, options)
{
    public const string MustChangePassword = "ps:must_change_password";
    public const string MustEnrolTwoFactor = "ps:must_enrol_2fa";

    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(StudioUser user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        if (user.MustChangePassword)
            identity.AddClaim(new Claim(MustChangePassword, "true"));
        if (!user.TwoFactorEnabled)
        {
            var names = await UserManager.GetRolesAsync(user);
            if (await RoleManager.Roles.AnyAsync(r => names.Contains(r.Name!) && r.RequiresTwoFactor))
                identity.AddClaim(new Claim(MustEnrolTwoFactor, "true"));
        }
        return identity;
    }
}
