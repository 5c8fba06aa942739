using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting.Internal;
using OutlookFollowUp.Api.Data;
using OutlookFollowUp.Api.SignIn;

namespace OutlookFollowUp.Tests;

/// <summary>
/// The Data Protection keys live in the database next to the token cache they encrypt: with a certificate they are
/// stored encrypted to it, every instance holding it reads them back, and Production will not store them in clear.
/// </summary>
public sealed class KeyRingTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("ofu-keyring-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task WithACertificateTheKeysAreStoredEncryptedToIt()
    {
        var database = await MigratedDatabaseAsync();
        var pfx = Certificate("keys.pfx", "s3cret", withPrivateKey: true);

        using var services = Services("Production", database, ("DataProtection:CertificatePath", pfx), ("DataProtection:CertificatePassword", "s3cret"));
        services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Protect("a refresh token");

        var stored = await StoredKeysAsync(database);
        Assert.NotEmpty(stored);
        Assert.All(stored, xml =>
        {
            Assert.Contains("EncryptedXmlDecryptor", xml);
            Assert.DoesNotContain("<value>", xml);
        });
    }

    [Fact]
    public async Task AnotherInstanceWithTheSameCertificateReadsWhatTheFirstProtected()
    {
        var database = await MigratedDatabaseAsync();
        var pfx = Certificate("keys.pfx", "s3cret", withPrivateKey: true);
        (string, string)[] settings = [("DataProtection:CertificatePath", pfx), ("DataProtection:CertificatePassword", "s3cret")];

        string payload;
        using (var first = Services("Production", database, settings))
            payload = first.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Protect("a refresh token");
        using var second = Services("Production", database, settings);

        Assert.Equal("a refresh token", second.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Unprotect(payload));
        // Through the database, not a folder the two happen to share on this machine (~/.aspnet would do that too).
        Assert.IsType<Microsoft.AspNetCore.DataProtection.EntityFrameworkCore.EntityFrameworkCoreXmlRepository<AppDb>>(
            second.GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.DataProtection.KeyManagement.KeyManagementOptions>>().Value.XmlRepository);
        Assert.NotEmpty(await StoredKeysAsync(database));
    }

    [Fact]
    public async Task AfterACertificateRotationWhatTheOldOneProtectedIsStillRead()
    {
        var database = await MigratedDatabaseAsync();
        var old = Certificate("old.pfx", "old secret", withPrivateKey: true);
        var current = Certificate("new.pfx", "new secret", withPrivateKey: true);

        string payload;
        using (var before = Services("Production", database, ("DataProtection:CertificatePath", old), ("DataProtection:CertificatePassword", "old secret")))
            payload = before.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Protect("a refresh token");
        using var rotated = Services("Production", database, ("DataProtection:CertificatePath", current), ("DataProtection:CertificatePassword", "new secret"),
            ("DataProtection:PreviousCertificates:0:Path", old), ("DataProtection:PreviousCertificates:0:Password", "old secret"));
        using var forgotten = Services("Production", database, ("DataProtection:CertificatePath", current), ("DataProtection:CertificatePassword", "new secret"));

        Assert.Equal("a refresh token", rotated.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Unprotect(payload));
        Assert.ThrowsAny<CryptographicException>(() => forgotten.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Unprotect(payload));
    }

    [Fact]
    public async Task OutsideProductionWithoutACertificateTheKeysAreKeptInClearAsInTheDemo()
    {
        var database = await MigratedDatabaseAsync();

        using var services = Services("Development", database);
        services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Protect("a refresh token");

        Assert.All(A.Some(await StoredKeysAsync(database)), xml => Assert.Contains("<value>", xml));
    }

    [Fact]
    public void ProductionRefusesKeysInClearUnlessTheOperatorSaysTheDatabaseIsProtectedOtherwise()
    {
        var e = Assert.Throws<StartupProblem>(() => Services("Production", "Data Source=unused.db"));
        Assert.Contains("DataProtection:CertificatePath", e.Message);
        Assert.Contains("DataProtection:AllowUnprotectedKeys", e.Message);

        using var accepted = Services("Production", "Data Source=unused.db", ("DataProtection:AllowUnprotectedKeys", "true"));
        Assert.NotNull(accepted.GetRequiredService<IDataProtectionProvider>());
    }

    [Fact]
    public void ACertificateThatCannotBeUsedStopsTheStartAndSaysWhy()
    {
        var missing = Path.Combine(_folder, "missing.pfx");
        var garbage = Path.Combine(_folder, "garbage.pfx");
        File.WriteAllText(garbage, "not a certificate");
        var publicOnly = Certificate("public.pfx", "s3cret", withPrivateKey: false);
        var good = Certificate("keys.pfx", "s3cret", withPrivateKey: true);

        Assert.Contains($"'{missing}' cannot be read", Problem(missing, null));
        Assert.Contains($"'{garbage}' cannot be read", Problem(garbage, null));
        Assert.Contains("has no private key", Problem(publicOnly, "s3cret"));
        Assert.Contains($"'{good}' cannot be read", Problem(good, "wrong password"));
        Assert.DoesNotContain("s3cret", Problem(good, "wrong password"));
        var previous = Assert.Throws<StartupProblem>(() => Services("Development", "Data Source=unused.db",
            ("DataProtection:PreviousCertificates:0:Path", missing))).Message;
        Assert.StartsWith("DataProtection:PreviousCertificates:0:Path", previous);

        string Problem(string path, string? password) => Assert.Throws<StartupProblem>(() =>
            Services("Development", "Data Source=unused.db", ("DataProtection:CertificatePath", path), ("DataProtection:CertificatePassword", password ?? ""))).Message;
    }

    /// <summary>The service's data registrations (database and key ring) alone, as an instance in <paramref name="environment"/> makes them.</summary>
    internal static ServiceProvider Services(string environment, string database, params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection([KeyValuePair.Create("Database:ConnectionString", (string?)database), .. settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value))])
            .Build();
        var services = new ServiceCollection().AddLogging();
        services.AddAppData(configuration, new HostingEnvironment { EnvironmentName = environment });
        return services.BuildServiceProvider();
    }

    private static async Task<string> MigratedDatabaseAsync()
    {
        var connection = await TestDatabases.ConnectionStringAsync("sqlite");
        await using var db = await TestDatabases.MigratedAsync("sqlite", connection);
        return connection;
    }

    private static async Task<List<string>> StoredKeysAsync(string database)
    {
        await using var db = TestDatabases.Context("sqlite", database);
        return await db.DataProtectionKeys.Select(k => k.Xml!).ToListAsync();
    }

    private string Certificate(string name, string password, bool withPrivateKey)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=OutlookFollowUp key ring", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        using var exported = withPrivateKey ? certificate : X509CertificateLoader.LoadCertificate(certificate.Export(X509ContentType.Cert));
        var path = Path.Combine(_folder, name);
        File.WriteAllBytes(path, exported.Export(X509ContentType.Pfx, password));
        return path;
    }
}
