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
    /// After a rotation: the certificates the stored keys were encrypted to before (<c>DataProtection:PreviousCertificates:0:Path</c>
    /// and <c>:Password</c>). They are only read from, never encrypted to; drop one once every key it protected has expired (90 days).
    /// </summary>
    public List<CertificateFile> PreviousCertificates { get; set; } = [];

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
        return Load("DataProtection:CertificatePath", CertificatePath, CertificatePassword);
    }

    /// <summary>The certificates of <see cref="PreviousCertificates"/>; a <see cref="StartupProblem"/> names one that cannot be used.</summary>
    internal X509Certificate2[] LoadPreviousCertificates() =>
        PreviousCertificates.Select((c, i) => Load($"DataProtection:PreviousCertificates:{i}:Path", c.Path, c.Password)).ToArray();

    private static X509Certificate2 Load(string setting, string? path, string? password)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new StartupProblem($"{setting} is empty: name a .pfx file.");
        X509Certificate2 certificate;
        try
        {
            // Ephemeral: the private key stays in this process's memory, nothing is written to a key store on disk.
            certificate = X509CertificateLoader.LoadPkcs12FromFile(path, password, X509KeyStorageFlags.EphemeralKeySet);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new StartupProblem($"{setting} '{path}' cannot be read as a .pfx: {e.Message}");
        }
        if (!certificate.HasPrivateKey)
        {
            certificate.Dispose();
            throw new StartupProblem($"{setting} '{path}' has no private key: the service could not read back the keys it stores.");
        }
        return certificate;
    }

    /// <summary>A .pfx file and its password.</summary>
    public sealed class CertificateFile
    {
        /// <summary>The .pfx file, with its private key.</summary>
        public string? Path { get; set; }

        /// <summary>Its password, if it has one.</summary>
        public string? Password { get; set; }
    }
}
