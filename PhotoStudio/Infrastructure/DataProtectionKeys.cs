using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;
using PhotoStudio.Data;

namespace PhotoStudio.Infrastructure;

/// <summary>
/// Data-protection keys (sign-in, antiforgery and booking-draft cookies) live in PostgreSQL, so cookies survive
/// restarts and every instance reads what another issued. With PHOTOSTUDIO_KEYS_CERT (a .pfx) and
/// PHOTOSTUDIO_KEYS_CERT_PASSWORD, each key is encrypted with that certificate before it is stored.
/// </summary>
public static class DataProtectionKeys
{
    public const string CertificateSetting = "PHOTOSTUDIO_KEYS_CERT";
    public const string CertificatePasswordSetting = "PHOTOSTUDIO_KEYS_CERT_PASSWORD";

    public static IServiceCollection AddStudioDataProtection(this IServiceCollection services,
        IConfiguration configuration, IHostEnvironment environment)
    {
        var protection = services.AddDataProtection().SetApplicationName("PhotoStudio").PersistKeysToDbContext<StudioDb>();
        if (configuration[CertificateSetting] is { Length: > 0 } path)
            // A missing file or a wrong password stops the start here: better than keys nobody can read later.
            protection.ProtectKeysWithCertificate(
                X509CertificateLoader.LoadPkcs12FromFile(path, configuration[CertificatePasswordSetting]));
        else if (environment.IsProduction())
            services.AddHostedService<UnencryptedKeysWarning>();
        return services;
    }

    /// <summary>Says once, at start, what running without a key certificate means and how to add one.</summary>
    private sealed class UnencryptedKeysWarning(ILogger<UnencryptedKeysWarning> log) : IHostedService
    {
        public Task StartAsync(CancellationToken ct)
        {
            log.LogWarning("Data-protection keys are stored unencrypted in the database (table data_protection_keys): " +
                "anyone who can read the database or its backups can forge sign-in cookies. Set {Certificate} to a .pfx " +
                "file and {Password} to its password to encrypt them at rest",
                CertificateSetting, CertificatePasswordSetting);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
    }
}
