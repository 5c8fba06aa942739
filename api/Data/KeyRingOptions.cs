using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using OutlookFollowUp.Api.SignIn;

namespace OutlookFollowUp.Api.Data;

/// <summary>
/// How the Data Protection key ring is protected where it is stored (the database). The keys encrypt MSAL's token cache,
/// refresh tokens included, which sits in the same database: whoever reads a backup must not get both. Section
/// <c>DataProtection</c>.
/// </summary>
public sealed class KeyRingOptions
{
    /// <summary>A PKCS#12 (.pfx) file with a private key; the keys are encrypted to it before they are stored.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>The .pfx file's password, if it has one.</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>
    /// Production refuses to store the keys in clear unless this is true (for an operator who protects the database
    /// some other way). Outside Production, keys without a certificate are stored in clear, as in the demo.
    /// </summary>
    public bool AllowUnprotectedKeys { get; set; }

    /// <summary>The certificate, or null when none is set; a <see cref="StartupProblem"/> names what is wrong.</summary>
    internal X509Certificate2? LoadCertificate(IHostEnvironment environment)
    {
        if (string.IsNullOrWhiteSpace(CertificatePath))
        {
            if (environment.IsProduction() && !AllowUnprotectedKeys)
                throw new StartupProblem("Production keeps the token cache's encryption keys in the database and needs them protected: set "
                                         + "DataProtection:CertificatePath to a .pfx with a private key (and DataProtection:CertificatePassword), "
                                         + "or DataProtection:AllowUnprotectedKeys=true if the database is protected otherwise.");
            return null;
        }
        X509Certificate2 certificate;
        try
        {
            // Ephemeral: the private key stays in this process's memory, nothing is written to a key store on disk.
            certificate = X509CertificateLoader.LoadPkcs12FromFile(CertificatePath, CertificatePassword, X509KeyStorageFlags.EphemeralKeySet);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new StartupProblem($"DataProtection:CertificatePath '{CertificatePath}' cannot be read as a .pfx: {e.Message}");
        }
        if (!certificate.HasPrivateKey)
        {
            certificate.Dispose();
            throw new StartupProblem($"DataProtection:CertificatePath '{CertificatePath}' has no private key: the service could not read back the keys it stores.");
        }
        return certificate;
    }
}
