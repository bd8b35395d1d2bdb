using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace IronLb.KubeSim.Authentication;

/// <summary>
/// The certificate of KubeSim's HTTPS listener: self-signed for 127.0.0.1, made in memory at start (an ECDSA key takes
/// about a millisecond) and handed to clients as the kubeconfig's certificate-authority-data. HTTPS is needed because
/// kubectl (client-go) sends no credentials at all, neither a token nor impersonation headers, to a plain-HTTP server.
/// </summary>
internal static class ServingCertificate
{
    public static X509Certificate2 Create()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=kubesim", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyCertSign, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        // Wall-clock validity on purpose, not the options' TimeProvider: clients check it against their own clock,
        // whatever (possibly fake) clock KubeSim runs on.
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddDays(-1), now.AddYears(1));
    }

    /// <summary>The certificate as PEM in base64, the form of a kubeconfig's certificate-authority-data.</summary>
    public static string AuthorityData(X509Certificate2 certificate) =>
        Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(certificate.ExportCertificatePem()));
}
