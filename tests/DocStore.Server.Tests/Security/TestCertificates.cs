using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace DocStore.Server.Tests.Security;

/// <summary>
/// Certificates made in the test with <see cref="CertificateRequest"/>: a CA, server certificates for
/// <c>localhost</c>/<c>127.0.0.1</c>, and client certificates, written as PEM files into a fresh directory.
/// </summary>
public sealed class TestCertificates
{
    private TestCertificates(X509Certificate2 certificate, RSA key)
    {
        Certificate = certificate;
        Key = key;
    }

    public X509Certificate2 Certificate { get; }

    public RSA Key { get; }

    /// <summary>The certificate with its private key, for a client's TLS handshake.</summary>
    public X509Certificate2 WithKey() => X509CertificateLoader.LoadPkcs12(Certificate.CopyWithPrivateKey(Key).Export(X509ContentType.Pkcs12), null);

    public static TestCertificates CreateCa(string name)
    {
        var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        using var withKey = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        return new TestCertificates(X509CertificateLoader.LoadCertificate(withKey.RawData), key);
    }

    /// <summary>A server certificate for localhost and 127.0.0.1, signed by this CA.</summary>
    public TestCertificates IssueServer(string name) =>
        Issue($"CN={name}", "1.3.6.1.5.5.7.3.1", DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30), san =>
        {
            san.AddDnsName("localhost");
            san.AddIpAddress(System.Net.IPAddress.Loopback);
        });

    /// <summary>A client certificate with a SPIFFE URI SAN, signed by this CA, valid from <paramref name="notBefore"/> to <paramref name="notAfter"/>.</summary>
    public TestCertificates IssueClient(string subject, Uri? spiffeId, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null) =>
        Issue(subject, "1.3.6.1.5.5.7.3.2", notBefore ?? DateTimeOffset.UtcNow.AddDays(-1), notAfter ?? DateTimeOffset.UtcNow.AddDays(30), san =>
        {
            if (spiffeId is not null)
            {
                san.AddUri(spiffeId);
            }
        });

    /// <summary>Writes the certificate (and, when <paramref name="keyPath"/> is given, its key) as PEM.</summary>
    public void WritePem(string certificatePath, string? keyPath = null)
    {
        File.WriteAllText(certificatePath, Certificate.ExportCertificatePem());
        if (keyPath is not null)
        {
            File.WriteAllText(keyPath, Key.ExportPkcs8PrivateKeyPem());
        }
    }

    /// <summary>A fresh directory for PEM files.</summary>
    public static string NewDirectory()
    {
        var directory = Path.Combine(Path.GetTempPath(), "docstore-tls-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        return directory;
    }

    private TestCertificates Issue(string subject, string usageOid, DateTimeOffset notBefore, DateTimeOffset notAfter, Action<SubjectAlternativeNameBuilder> names)
    {
        var key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(usageOid)], false));
        var san = new SubjectAlternativeNameBuilder();
        names(san);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, includeKeyIdentifier: true, includeIssuerAndSerial: false));

        // A certificate cannot outlive its issuer's validity window; an expired one starts before it ends.
        var serial = RandomNumberGenerator.GetBytes(12);
        serial[0] &= 0x7f;
        var certificate = request.Create(Certificate.CopyWithPrivateKey(Key), notBefore < Certificate.NotBefore ? Certificate.NotBefore : notBefore, notAfter, serial);
        return new TestCertificates(certificate, key);
    }
}
