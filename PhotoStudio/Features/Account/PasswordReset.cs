using Microsoft.AspNetCore.Identity;
using PhotoStudio.Data;
using PhotoStudio.Infrastructure.Audit;

namespace PhotoStudio.Features.Account;

/// <summary>
/// An administrator's reset of someone else's password: a temporary password that must be replaced at the
/// next sign-in, and every existing session of that user ended at once.
/// </summary>
public class PasswordReset(UserManager<StudioUser> users, AuditLog audit)
{
    public async Task<IdentityResult> ResetAsync(StudioUser user, string temporaryPassword)
    {
        var errors = new List<IdentityError>();
        foreach (var validator in users.PasswordValidators)
        {
            var check = await validator.ValidateAsync(users, user, temporaryPassword);
            errors.AddRange(check.Errors);
        }
        if (errors.Count > 0) return IdentityResult.Failed([.. errors]);

        user.PasswordHash = users.PasswordHasher.HashPassword(user, temporaryPassword);
        user.MustChangePassword = true;
        // UpdateSecurityStampAsync saves the user (hash and flag included) with a new stamp: old cookies die.
        var result = await users.UpdateSecurityStampAsync(user);
        if (result.Succeeded)
            await audit.RecordAsync("password.reset_by_admin", user.Id, user.Email);
        return result;
    }
}
