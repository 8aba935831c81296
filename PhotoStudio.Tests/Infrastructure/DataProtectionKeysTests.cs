using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting.Internal;
using Npgsql;
using PhotoStudio.Data;
using PhotoStudio.Infrastructure;
using PhotoStudio.Tests.Features.Admin;
using PhotoStudio.Tests.Support;

namespace PhotoStudio.Tests.Infrastructure;

/// <summary>The demo studio with no data-protection key yet, and a certificate to encrypt the keys it makes.</summary>
public class KeyCertificateApp : StudioApp
{
    public const string CertificatePassword = "quartz harbour lantern";
    public string CertificatePath { get; } = Path.Combine(Path.GetTempPath(), $"photostudio-keys-{Guid.NewGuid():N}.pfx");

    protected override async Task<string> CreateDatabaseAsync()
    {
        using (var rsa = RSA.Create(2048))
        {
            var request = new CertificateRequest("CN=PhotoStudio test keys", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
            TestSecrets.Remember(CertificatePassword);
            await File.WriteAllBytesAsync(CertificatePath, certificate.Export(X509ContentType.Pfx, CertificatePassword));
        }
        var connectionString = await base.CreateDatabaseAsync();
        await using var db = new NpgsqlDataSourceBuilder(connectionString).Build();
        await db.CreateCommand("DELETE FROM data_protection_keys").ExecuteNonQueryAsync();
        return connectionString;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting(DataProtectionKeys.CertificateSetting, CertificatePath);
        builder.UseSetting(DataProtectionKeys.CertificatePasswordSetting, CertificatePassword);
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        File.Delete(CertificatePath);
    }
}

/// <summary>A new studio in Production without a key certificate, logging to a file of its own.</summary>
public class UnencryptedKeysApp : FreshStudioApp
{
    // Named like the run's other app logs, so ops/test searches it for secrets too.
    public string LogFile { get; } = Path.Combine(TestSecrets.Folder, $"app-{System.Environment.ProcessId}-keys-{Guid.NewGuid():N}.log");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Logging:File", LogFile);
    }
}

public class DataProtectionKeysTests(KeyCertificateApp app) : IClassFixture<KeyCertificateApp>
{
    [Fact]
    public async Task With_a_certificate_keys_are_stored_encrypted_and_a_sign_in_survives_a_restart()
    {
        var cookies = new CookieContainer();
        var before = app.CreateDefaultClient(new Uri("http://localhost"), new CookieContainerHandler(cookies));
        await before.SignInAsync("anna@demo.studio");
        Assert.Equal(HttpStatusCode.OK, (await before.GetAsync("/account/security")).StatusCode);

        await using (var db = app.NewDb())
        {
            var keys = await db.DataProtectionKeys.Select(k => k.Xml).ToListAsync();
            Assert.NotEmpty(keys);
            Assert.All(keys, xml =>
            {
                Assert.Contains("EncryptedData", xml);
                Assert.DoesNotContain("<value>", xml); // the raw master key
            });
        }

        // A new app (a restart, or another instance) with the same certificate reads the encrypted key.
        await using var restarted = app.WithWebHostBuilder(_ => { });
        var after = restarted.CreateDefaultClient(new Uri("http://localhost"), new CookieContainerHandler(cookies));
        Assert.Equal(HttpStatusCode.OK, (await after.GetAsync("/account/security")).StatusCode);
        var stranger = await restarted.CreateClient(new() { AllowAutoRedirect = false }).GetAsync("/account/security");
        Assert.Contains("/account/login", stranger.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task A_key_stored_by_the_earlier_hand_written_repository_still_unprotects_after_migrating()
    {
        var connectionString = await TestDatabase.CreateEmptyAsync();
        var folder = Directory.CreateTempSubdirectory("photostudio-keys-");
        try
        {
            await using (var db = NewDb(connectionString))
                await db.GetService<IMigrator>().MigrateAsync("20261122010000_Security");

            // A key as the earlier app wrote it: one row per key, its XML on one line.
            var earlier = new ServiceCollection().AddLogging().AddDataProtection().SetApplicationName("PhotoStudio")
                .PersistKeysToFileSystem(folder).Services.BuildServiceProvider();
            var cookie = earlier.GetDataProtector("cookie").Protect("signed in");
            var file = Assert.Single(folder.GetFiles("key-*.xml"));
            await using (var data = new NpgsqlDataSourceBuilder(connectionString).Build())
            await using (var insert = data.CreateCommand("INSERT INTO data_protection_keys (friendly_name, xml) VALUES ($1, $2)"))
            {
                insert.Parameters.Add(new NpgsqlParameter { Value = Path.GetFileNameWithoutExtension(file.Name) });
                insert.Parameters.Add(new NpgsqlParameter { Value = XElement.Load(file.FullName).ToString(SaveOptions.DisableFormatting) });
                await insert.ExecuteNonQueryAsync();
            }

            await using (var db = NewDb(connectionString)) await db.Database.MigrateAsync();

            var services = new ServiceCollection().AddLogging()
                .AddDbContext<StudioDb>(o => o.UseNpgsql(connectionString))
                .AddStudioDataProtection(new ConfigurationBuilder().Build(), new HostingEnvironment { EnvironmentName = "Testing" })
                .BuildServiceProvider();
            Assert.Equal("signed in", services.GetDataProtector("cookie").Unprotect(cookie));
        }
        finally
        {
            folder.Delete(recursive: true);
            await TestDatabase.DropAsync(connectionString);
        }
    }

    private static StudioDb NewDb(string connectionString) =>
        new(new DbContextOptionsBuilder<StudioDb>().UseNpgsql(connectionString).Options);
}

public class UnencryptedKeysWarningTests(UnencryptedKeysApp app) : IClassFixture<UnencryptedKeysApp>
{
    [Fact]
    public async Task Production_without_a_key_certificate_warns_once_that_keys_are_stored_unencrypted()
    {
        Assert.Equal(HttpStatusCode.OK, (await app.NewClient().GetAsync("/health/ready")).StatusCode);
        var warnings = await LinesAsync(app.LogFile, DataProtectionKeys.CertificateSetting);
        var warning = Assert.Single(warnings);
        Assert.Contains("Warning", warning);
        Assert.Contains("unencrypted", warning);
    }

    /// <summary>
    /// The log lines that mention <paramref name="text"/>. The warning is written while the app starts (a hosted
    /// service, before the server answers) by an unbuffered file sink, so it is on disk once a request was answered.
    /// </summary>
    private static async Task<List<string>> LinesAsync(string path, string text)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        var lines = new List<string>();
        while (await reader.ReadLineAsync() is { } line)
            if (line.Contains(text)) lines.Add(line);
        return lines;
    }
}
