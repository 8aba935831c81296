using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using PhotoStudio.Data.Seeding;
using PhotoStudio.Features.Account;

namespace PhotoStudio.Data;

/// <summary>
/// Start-up work, in order: migrate, make sure the built-in roles exist, then either seed the demo
/// studio (Development, empty database) or bootstrap the first admin from the environment.
/// </summary>
public class StudioSetup(
    StudioDb db,
    RoleManager<StudioRole> roles,
    UserManager<StudioUser> users,
    DemoSeeder demo,
    IHostEnvironment environment,
    IConfiguration configuration,
    Features.Notifications.IMailTransport mail,
    ILogger<StudioSetup> log)
{
    // Any constant will do; it only has to be the same in every instance of the app.
    private const long SetupLockKey = 0x5054_5544_494F;

    public async Task RunAsync(CancellationToken ct)
    {
        // Several instances may start at once: a session-level advisory lock on the connection that
        // Migrate() will reuse makes them take turns, so the second one finds nothing left to do.
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_lock({SetupLockKey})", ct);
            // EF probes the history table with a SELECT and logs an error when it is missing, which on a
            // fresh database alarms operators for nothing; creating it first (as EF would) keeps the log clean.
            await db.Database.ExecuteSqlRawAsync("""
                CREATE TABLE IF NOT EXISTS "__EFMigrationsHistory" (
                    "MigrationId" character varying(150) NOT NULL,
                    "ProductVersion" character varying(32) NOT NULL,
                    CONSTRAINT "PK___EFMigrationsHistory" PRIMARY KEY ("MigrationId"))
                """, ct);
            await db.Database.MigrateAsync(ct);
            await EnsureRolesAsync();
            if (environment.IsDevelopment() && await DemoSeeder.IsEmptyAsync(db, ct))
                await demo.SeedAsync(ct);
            else
            {
                await EnsureSettingsAsync(ct);
                await BootstrapAdminAsync();
            }
        }
        finally
        {
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_unlock({SetupLockKey})", CancellationToken.None);
            await db.Database.CloseConnectionAsync();
        }

        if (environment.IsDevelopment() && await users.FindByEmailAsync(DemoSeeder.Accounts[0].Email) is not null)
            PrintDemoSignIns(await db.ApiKeys.AnyAsync(k => k.Name == DemoSeeder.ApiKeyName && k.RevokedAt == null
                && k.Prefix == Features.Admin.Integrations.ApiKeys.PrefixOf(DemoSeeder.ApiKey), ct));
    }

    /// <summary>Creates the four roles with their default permissions (Roles.DefaultMatrix); never touches roles that exist.</summary>
    private async Task EnsureRolesAsync()
    {
        foreach (var (name, permissions) in Roles.DefaultMatrix)
        {
            if (await roles.RoleExistsAsync(name)) continue;
            var role = new StudioRole(name) { RequiresTwoFactor = Roles.RequireTwoFactorByDefault.Contains(name) };
            Check(await roles.CreateAsync(role));
            foreach (var permission in permissions)
                Check(await roles.AddClaimAsync(role, new Claim(Permissions.ClaimType, permission)));
        }
    }

    /// <summary>
    /// A new studio starts from neutral settings (closed every day, no rooms) that the admin then completes at
    /// /admin/settings; every page can rely on the single settings row being there.
    /// </summary>
    private async Task EnsureSettingsAsync(CancellationToken ct)
    {
        if (await db.Settings.AnyAsync(ct)) return;
        db.Settings.Add(new StudioSettings
        {
            Name = configuration["PHOTOSTUDIO_STUDIO_NAME"] is { Length: > 0 } name ? name : "PhotoStudio",
            TimeZone = configuration["PHOTOSTUDIO_TIME_ZONE"] is { Length: > 0 } zone && TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _) ? zone : "UTC",
            Currency = "EUR",
        });
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Production has no demo data: its first admin comes from PHOTOSTUDIO_ADMIN_EMAIL / _PASSWORD.</summary>
    private async Task BootstrapAdminAsync()
    {
        var email = configuration["PHOTOSTUDIO_ADMIN_EMAIL"];
        var password = configuration["PHOTOSTUDIO_ADMIN_PASSWORD"];
        if (string.IsNullOrWhiteSpace(email) || string.IsNullOrEmpty(password)) return;
        if (await users.GetUsersInRoleAsync(Roles.Admin) is { Count: > 0 }) return;

        var user = new StudioUser { UserName = email, Email = email, EmailConfirmed = true, LockoutEnabled = true };
        Check(await users.CreateAsync(user, password));
        Check(await users.AddToRoleAsync(user, Roles.Admin));
        db.Employees.Add(new Employee { UserId = user.Id, FullName = email, Position = "Administrator" });
        await db.SaveChangesAsync();
        log.LogInformation("Created the first admin account {Email}", email);
    }

    private void PrintDemoSignIns(bool apiKey)
    {
        var lines = DemoSeeder.Accounts.Select(a =>
            $"  {a.Email,-24} {a.Role,-13}" + (a.AuthenticatorKey is null ? "" : $" authenticator key {a.AuthenticatorKey}"));
        Console.WriteLine($"""

            Demo sign-ins (password {DemoSeeder.Password}):
            {string.Join(Environment.NewLine, lines)}

            Emails go to {mail.Describe()} (listed at /admin/notifications).
            {(apiKey ? $"API key \"{DemoSeeder.ApiKeyName}\" (every scope): {DemoSeeder.ApiKey}  (reference at /api/docs)" : "")}

            """);
    }

    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded)
            throw new InvalidOperationException(string.Join("; ", result.Errors.Select(e => e.Description)));
    }
}
